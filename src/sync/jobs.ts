/**
 * The sync's job queue: pg-boss (github.com/timgit/pg-boss, v10) in the Shopsight database, on PostgreSQL
 * and on embedded PGlite alike, through pg-boss's `db` adapter over `Database.ownerSql` (pg-boss keeps its
 * own `pgboss` schema, created by the owner; the app roles never see it).
 *
 * Why pg-boss: durable jobs in the database Shopsight already has (no Redis needed for the embedded
 * default), retries with exponential backoff, `singletonKey` with the `stately` policy (at most one queued
 * and one running job per key: the key `tenant:resource` lets one sync per tenant and resource run at a
 * time), cron schedules kept in the database (one process of many fires each), and job states (created,
 * retry, active, failed with its error) readable with SQL.
 *
 * Jobs run where `work()` is called: the worker role (`start --role worker|all`). The API role only sends.
 */
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { SyncJob, SyncJobSink } from './sync.service.ts';

export const SYNC_QUEUE = 'shopsight-sync';
export const RECONCILE_QUEUE = 'shopsight-sync-reconcile';

export type SyncQueueOptions = {
  /** Retries of a failed job; default 8. */
  retryLimit?: number;
  /** First retry delay, seconds, doubled each retry (`retryBackoff`); default 30. */
  retryDelaySeconds?: number;
  /** How often due reconciliations are looked for (cron, UTC); default every 5 minutes. */
  reconcileCron?: string;
  /** Jobs run at once by this process; default 2 on PostgreSQL, 1 on PGlite (one connection). */
  concurrency?: number;
  /** How often an idle worker polls, seconds (pg-boss's minimum is 0.5); default 2. */
  pollingIntervalSeconds?: number;
};

/** A job as the API shows it. Times UTC ISO-8601. */
export type SyncJobView = {
  id: string;
  resource: string;
  mode: string;
  state: string;
  retryCount: number;
  createdAt: string;
  startedAt: string | null;
  error: string | null;
};

export class SyncQueue implements SyncJobSink {
  private readonly boss: PgBoss;
  private readonly db: Database;
  private readonly log: Logger;
  private readonly options: Required<SyncQueueOptions>;
  private started = false;

  constructor(db: Database, log: Logger, options: SyncQueueOptions = {}) {
    this.db = db;
    this.log = log;
    this.options = {
      retryLimit: 8,
      retryDelaySeconds: 30,
      reconcileCron: '*/5 * * * *',
      concurrency: db.kind === 'pglite' ? 1 : 2,
      pollingIntervalSeconds: 2,
      ...options,
    };
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => db.ownerSql(text, values) },
      schema: 'pgboss',
    });
    this.boss.on('error', (error) => log.warn({ err: error }, 'job queue error'));
  }

  /** Creates pg-boss's schema (first time) and the queues. */
  async start(): Promise<void> {
    await this.boss.start();
    this.started = true;
    const { retryLimit, retryDelaySeconds } = this.options;
    await this.boss.createQueue(SYNC_QUEUE, {
      name: SYNC_QUEUE,
      policy: 'stately',
      retryLimit,
      retryDelay: retryDelaySeconds,
      retryBackoff: true,
      // A million-order backfill takes minutes; a job is only presumed dead after this long.
      expireInSeconds: 6 * 3600,
    });
    await this.boss.createQueue(RECONCILE_QUEUE, { name: RECONCILE_QUEUE, policy: 'singleton' });
  }

  /** Queues `job` under the key `tenant:resource`; null when one is already queued for that key. */
  async enqueue(job: SyncJob): Promise<string | null> {
    return this.boss.send(SYNC_QUEUE, job, { singletonKey: `${job.tenantId}:${job.resource}` });
  }

  /**
   * Fails the `active` job of `tenant:resource` whose worker died (its run's lease expired): the stately
   * policy lets no other job of that key start while it is active. Returns whether there was one.
   */
  async releaseOrphan(tenantId: string, resource: string): Promise<boolean> {
    const { rows } = await this.db.ownerSql(
      `SELECT id::text FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND state = 'active'`,
      [SYNC_QUEUE, `${tenantId}:${resource}`],
    );
    const ids = (rows as { id: string }[]).map((row) => row.id);
    if (ids.length === 0) return false;
    for (const id of ids) {
      await this.boss.fail(SYNC_QUEUE, id, { message: 'the worker running this job stopped' });
    }
    return true;
  }

  /**
   * Runs jobs in this process: sync jobs with `run`, and every `reconcileCron` tick `tick` (which queues
   * the reconciliations that are due).
   */
  async work(run: (job: SyncJob) => Promise<void>, tick: () => Promise<void>): Promise<void> {
    const { concurrency, pollingIntervalSeconds, reconcileCron } = this.options;
    for (let index = 0; index < concurrency; index++) {
      await this.boss.work<SyncJob>(SYNC_QUEUE, { pollingIntervalSeconds }, async ([job]) => {
        if (job) await run(job.data);
      });
    }
    await this.boss.schedule(RECONCILE_QUEUE, reconcileCron, {}, { tz: 'UTC' });
    await this.boss.work(RECONCILE_QUEUE, { pollingIntervalSeconds }, async () => {
      await tick();
    });
  }

  /** The tenant's queued, running, retrying and failed sync jobs, newest first (at most 50). */
  async jobs(tenantId: string): Promise<SyncJobView[]> {
    const { rows } = await this.db.ownerSql(
      `SELECT id::text, data->>'resource' AS resource, data->>'mode' AS mode, state::text, retry_count,
              created_on, started_on, output
         FROM pgboss.job
        WHERE name = $1 AND data->>'tenantId' = $2 AND state IN ('created', 'retry', 'active', 'failed')
        ORDER BY created_on DESC LIMIT 50`,
      [SYNC_QUEUE, tenantId],
    );
    return (rows as JobRow[]).map((row) => ({
      id: row.id,
      resource: row.resource,
      mode: row.mode,
      state: row.state,
      retryCount: row.retry_count,
      createdAt: new Date(row.created_on).toISOString(),
      startedAt: row.started_on ? new Date(row.started_on).toISOString() : null,
      error: row.state === 'failed' || row.state === 'retry' ? errorOf(row.output) : null,
    }));
  }

  /** Stops polling and waits for running jobs (up to `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false }).catch((error) => {
      this.log.warn({ err: error }, 'job queue stop');
    });
  }
}

type JobRow = {
  id: string;
  resource: string;
  mode: string;
  state: string;
  retry_count: number;
  created_on: string | Date;
  started_on: string | Date | null;
  output: unknown;
};

/** pg-boss stores a failed job's error as `{ message, stack }` in `output`. */
function errorOf(output: unknown): string | null {
  if (!output || typeof output !== 'object') return null;
  const message = (output as { message?: unknown }).message;
  return typeof message === 'string' ? message : null;
}
