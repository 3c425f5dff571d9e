/**
 * The inbox worker: claims pending events in batches (`FOR UPDATE SKIP LOCKED`, so any number of workers
 * can run side by side), plans them through the pipeline, writes the entities and records each outcome, all
 * in one transaction: a crash leaves the events pending and nothing half-written.
 *
 * When a batch fails (a payload the database refuses, a deadlock, a lost connection), each of its events is
 * retried alone so that one poison event cannot hold up the others; an event that keeps failing waits with
 * exponential backoff and becomes a dead letter after `maxAttempts`.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { Metrics } from '../lib/metrics.ts';
import { claimEvents, recordFailure, recordOutcomes } from './inbox.repository.ts';
import { BatchWrites, planEvent, type InboxEvent, type Outcome } from './pipeline.ts';

export type WorkerOptions = {
  batchSize: number;
  /**
   * Batches in flight at once in this process, each in its own transaction: while one is normalized in
   * JavaScript another is written by PostgreSQL. Use 1 on PGlite (one connection).
   */
  concurrency?: number;
  pollMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  /**
   * Called after each commit with the tenants whose events it processed (the analytics cache drops their
   * answers). Must not throw.
   */
  onCommitted?: (tenantIds: string[]) => Promise<void>;
};

export class InboxWorker {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private readonly db: Database;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly options: WorkerOptions;

  constructor(db: Database, log: Logger, metrics: Metrics, options: WorkerOptions) {
    this.db = db;
    this.log = log;
    this.metrics = metrics;
    this.options = options;
  }

  /** Starts the polling loops in the background. */
  start() {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency ?? 1 }, () => this.run());
  }

  /** Stops after the batches in progress (graceful shutdown). */
  async stop() {
    this.running = false;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
  }

  /** Processes batches until no due event is left. Returns how many events were handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.runOnce();
      if (handled === 0) return total;
      total += handled;
    }
  }

  /** Processes one batch. Returns how many events it claimed (0 when none is due). */
  async runOnce(): Promise<number> {
    const stop = this.metrics.batchSeconds.startTimer();
    try {
      const events = await this.db.system.transaction(async (tx) => {
        const events = await claimEvents(tx, this.options.batchSize);
        if (events.length === 0) return events;
        const writes = new BatchWrites();
        const outcomes = events.map((event) => ({ event, outcome: planEvent(event, writes) }));
        await writes.apply(tx);
        await recordOutcomes(tx, outcomes);
        this.count(outcomes);
        return events;
      });
      await this.committed(events);
      return events.length;
    } catch (error) {
      this.log.warn({ err: error }, 'batch failed; retrying its events one by one');
      return this.runEachAlone();
    } finally {
      stop();
    }
  }

  private async runEachAlone(): Promise<number> {
    const due = await this.db.system.query<{ tenant_id: string; id: string }>(
      `SELECT tenant_id::text, id::text FROM webhook_events
       WHERE status = 'pending' AND available_at <= now() ORDER BY webhook_events.id LIMIT $1`,
      [this.options.batchSize],
    );
    for (const { tenant_id, id } of due) {
      try {
        const events = await this.db.system.transaction(async (tx) => {
          const events = await claimEvents(tx, 1, { tenantId: tenant_id, id });
          const writes = new BatchWrites();
          const outcomes = events.map((event) => ({ event, outcome: planEvent(event, writes) }));
          await writes.apply(tx);
          await recordOutcomes(tx, outcomes);
          this.count(outcomes);
          return events;
        });
        await this.committed(events);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const status = await recordFailure(
          this.db.system,
          { tenantId: tenant_id, id },
          message,
          (attempts) => this.options.backoffBaseMs * 2 ** (attempts - 1),
          this.options.maxAttempts,
        );
        this.metrics.eventRetries.inc();
        if (status === 'dead') this.metrics.eventsProcessed.inc({ outcome: 'dead', cause: 'failed' });
        this.log.warn({ tenantId: tenant_id, eventId: id, status, err: error }, 'inbox event failed');
      }
    }
    return due.length;
  }

  private async committed(events: InboxEvent[]) {
    if (events.length > 0)
      await this.options.onCommitted?.([...new Set(events.map((event) => event.tenant_id))]);
  }

  private count(outcomes: { event: InboxEvent; outcome: Outcome }[]) {
    const now = Date.now();
    for (const { event, outcome } of outcomes) {
      this.metrics.eventLatency.observe(Math.max(0, now - new Date(event.received_at).getTime()) / 1000);
      const cause =
        outcome.status === 'skipped' ? outcome.cause : outcome.status === 'dead' ? 'invalid_payload' : '';
      this.metrics.eventsProcessed.inc({ outcome: outcome.status, cause });
    }
  }

  private async run() {
    let idleMs = this.options.pollMs;
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.runOnce();
        idleMs = this.options.pollMs;
      } catch (error) {
        // The database is unreachable: wait longer each time, up to 30 s, and keep trying.
        idleMs = Math.min(idleMs * 2, 30_000);
        this.log.error({ err: error }, 'worker cannot reach the database');
      }
      if (handled === 0 && this.running) await this.sleep(idleMs);
    }
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
