/**
 * The webhook inbox (`webhook_events`): durable appends at intake, and the claim / outcome / retry cycle of
 * the worker.
 *
 * Appends use group commit: deliveries that arrive while a write is in flight are gathered and inserted by
 * the next single statement, and each request is answered only after the statement holding its row has
 * committed. A duplicate (same tenant and dedupe key) is absorbed by `ON CONFLICT DO NOTHING`.
 */
import type { Database, Queryable } from '../db/client.ts';
import type { InboxEvent, Outcome } from './pipeline.ts';

/** One verified delivery to store. Times are UTC ISO-8601; `payload` is the body as received. */
export type InboxAppend = {
  tenantId: string;
  dedupeKey: string;
  topic: string;
  eventId: string | null;
  webhookId: string | null;
  apiVersion: string | null;
  triggeredAt: string | null;
  payload: string;
};

type Waiter = {
  row: InboxAppend;
  resolve: (result: { duplicate: boolean }) => void;
  reject: (e: unknown) => void;
};

const APPEND_COLUMNS = 8;
const appendStatements = new Map<number, string>();

/**
 * `INSERT ... VALUES` with one parameter per value: a 4 KB body travels as it is, where an array parameter
 * would be escaped by the driver and parsed again by PostgreSQL. The text is cached per batch size.
 */
function appendSql(rows: number): string {
  let statement = appendStatements.get(rows);
  if (!statement) {
    const tuples = Array.from({ length: rows }, (_, row) => {
      const p = (column: number) => `$${row * APPEND_COLUMNS + column}`;
      return `(${p(1)}::uuid, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}::timestamptz, ${p(8)})`;
    });
    statement = `INSERT INTO webhook_events
  (tenant_id, dedupe_key, topic, event_id, webhook_id, api_version, triggered_at, payload)
VALUES ${tuples.join(', ')}
ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
RETURNING tenant_id::text AS tenant_id, dedupe_key`;
    appendStatements.set(rows, statement);
  }
  return statement;
}

/** Batches inbox appends into few statements (group commit). */
export class InboxWriter {
  private queue: Waiter[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly db: Database;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(db: Database, options: { maxBatch?: number; maxInFlight?: number } = {}) {
    this.db = db;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? (db.kind === 'pglite' ? 1 : 3);
  }

  /** Deliveries waiting for a write, for backpressure decisions. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Stores one delivery durably. Resolves after commit; `duplicate` is true when the dedupe key was
   * already stored.
   *
   * @throws the database error when the write failed (the caller answers 503 so that Shopify retries).
   */
  append(row: InboxAppend): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Deferring to the next turn lets every request parsed in this turn share one statement.
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush() {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  private async write(batch: Waiter[]) {
    const rows = batch.map((w) => w.row);
    try {
      const params = rows.flatMap((r) => [
        r.tenantId,
        r.dedupeKey,
        r.topic,
        r.eventId,
        r.webhookId,
        r.apiVersion,
        r.triggeredAt,
        r.payload,
      ]);
      const inserted = await this.db.system.query<{ tenant_id: string; dedupe_key: string }>(
        appendSql(rows.length),
        params,
      );
      const fresh = new Set(inserted.map((r) => `${r.tenant_id}:${r.dedupe_key}`));
      for (const waiter of batch) {
        const key = `${waiter.row.tenantId}:${waiter.row.dedupeKey}`;
        // The first waiter of a key in this batch took the row; any other one is a duplicate.
        waiter.resolve({ duplicate: !fresh.delete(key) });
      }
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}

/** Claims up to `limit` due pending events, locking them until the transaction ends (other workers skip). */
export function claimEvents(tx: Queryable, limit: number, ids?: { tenantId: string; id: string }) {
  if (ids) {
    return tx.query<InboxEvent>(
      `SELECT tenant_id::text, id::text, topic, payload, triggered_at, received_at FROM webhook_events
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending' FOR UPDATE SKIP LOCKED`,
      [ids.tenantId, ids.id],
    );
  }
  return tx.query<InboxEvent>(
    `SELECT tenant_id::text, id::text, topic, payload, triggered_at, received_at FROM webhook_events
     WHERE status = 'pending' AND available_at <= now()
     ORDER BY webhook_events.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
}

/** Records each event's outcome. */
export async function recordOutcomes(tx: Queryable, outcomes: { event: InboxEvent; outcome: Outcome }[]) {
  if (outcomes.length === 0) return;
  await tx.query(
    `UPDATE webhook_events e SET status = o.status, skip_cause = o.skip_cause, last_error = o.last_error,
       attempts = e.attempts + 1, processed_at = now()
     FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[])
       AS o(tenant_id, id, status, skip_cause, last_error)
     WHERE e.tenant_id = o.tenant_id AND e.id = o.id`,
    [
      outcomes.map((o) => o.event.tenant_id),
      outcomes.map((o) => o.event.id),
      outcomes.map((o) => o.outcome.status),
      outcomes.map((o) => (o.outcome.status === 'skipped' ? o.outcome.cause : null)),
      outcomes.map((o) => (o.outcome.status === 'dead' ? o.outcome.error : null)),
    ],
  );
}

/**
 * Records a failed attempt: the event waits `delayMs` before its next try, or becomes a dead letter when it
 * has used `maxAttempts`. Returns the new status.
 */
export async function recordFailure(
  db: Queryable,
  event: { tenantId: string; id: string },
  error: string,
  delayMs: (attempts: number) => number,
  maxAttempts: number,
): Promise<'pending' | 'dead'> {
  const [row] = await db.query<{ attempts: number }>(
    'SELECT attempts FROM webhook_events WHERE tenant_id = $1 AND id = $2',
    [event.tenantId, event.id],
  );
  const attempts = (row?.attempts ?? 0) + 1;
  const status = attempts >= maxAttempts ? 'dead' : 'pending';
  await db.query(
    `UPDATE webhook_events SET attempts = $3, last_error = $4, status = $5,
       available_at = now() + make_interval(secs => $6::double precision / 1000)
     WHERE tenant_id = $1 AND id = $2`,
    [event.tenantId, event.id, attempts, error.slice(0, 2000), status, delayMs(attempts)],
  );
  return status;
}

/**
 * Puts dead letters back in the queue (all tenants, one tenant, or one event of a tenant). Returns how many.
 */
export async function requeueDeadLetters(
  db: Queryable,
  tenantId?: string,
  eventId?: string,
): Promise<number> {
  const rows = await db.query(
    `UPDATE webhook_events SET status = 'pending', attempts = 0, available_at = now()
     WHERE status = 'dead' AND ($1::uuid IS NULL OR tenant_id = $1) AND ($2::bigint IS NULL OR id = $2::bigint)
     RETURNING id`,
    [tenantId ?? null, eventId ?? null],
  );
  return rows.length;
}

/** Counts of inbox events by status (and skips by cause), for one tenant or all. */
export async function inboxStats(db: Queryable, tenantId?: string) {
  const rows = await db.query<{ status: string; skip_cause: string | null; count: string }>(
    `SELECT status, skip_cause, count(*) AS count FROM webhook_events
     WHERE ($1::uuid IS NULL OR tenant_id = $1) GROUP BY status, skip_cause`,
    [tenantId ?? null],
  );
  const byStatus: Record<string, number> = { pending: 0, processed: 0, skipped: 0, dead: 0 };
  const skippedByCause: Record<string, number> = {};
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + Number(row.count);
    if (row.skip_cause) skippedByCause[row.skip_cause] = Number(row.count);
  }
  return { byStatus, skippedByCause };
}
