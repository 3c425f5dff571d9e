/**
 * SQL of the sync: `sync_states` (one row per tenant and resource: mode, state, the bulk operation and how
 * many of its JSONL lines are committed, the incremental cursor, progress) and `sync_runs` (one row per run
 * with its created/updated/deleted counts). Every statement filters on `tenant_id`. The worker's writes run
 * as `shopsight_system` (`db.system`), the API's reads under the tenant's row-level security.
 */
import type { Queryable } from '../db/client.ts';
import type { SyncedResource } from './graphql-shapes.ts';

export type SyncMode = 'backfill' | 'incremental' | 'reconcile';
export type SyncStateName = 'idle' | 'queued' | 'running' | 'completed' | 'failed';

/** A `sync_states` row; times UTC ISO-8601. */
export type SyncStateRow = {
  resource: string;
  mode: string | null;
  state: SyncStateName;
  cursor: string | null;
  bulk_operation_id: string | null;
  bulk_url: string | null;
  lines_committed: string;
  rows_done: string;
  rows_total: string | null;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  last_error: string | null;
  last_reconciled_at: string | null;
};

/** The last run of a resource, with what it changed. */
export type SyncRunRow = {
  resource: string;
  mode: string;
  status: string;
  created: number;
  updated: number;
  deleted: number;
  rows: number;
  started_at: string;
  finished_at: string | null;
  error: string | null;
};

const STATE_COLUMNS = `resource, mode, state, cursor, bulk_operation_id, bulk_url, lines_committed::text,
  rows_done::text, rows_total::text, started_at, finished_at, updated_at, last_error, last_reconciled_at`;

/** The state of one resource, or undefined before its first sync. */
export async function getState(
  q: Queryable,
  tenantId: string,
  resource: SyncedResource,
): Promise<SyncStateRow | undefined> {
  const rows = await q.query<SyncStateRow>(
    `SELECT ${STATE_COLUMNS} FROM sync_states WHERE tenant_id = $1 AND resource = $2`,
    [tenantId, resource],
  );
  return rows[0];
}

/** Every resource's state of a tenant. */
export async function listStates(q: Queryable, tenantId: string): Promise<SyncStateRow[]> {
  return q.query<SyncStateRow>(
    `SELECT ${STATE_COLUMNS} FROM sync_states WHERE tenant_id = $1 ORDER BY resource`,
    [tenantId],
  );
}

/** The latest run of each resource of a tenant. */
export async function lastRuns(q: Queryable, tenantId: string): Promise<SyncRunRow[]> {
  return q.query<SyncRunRow>(
    `SELECT DISTINCT ON (resource) resource, mode, status, created, updated, deleted, rows, started_at,
            finished_at, error
       FROM sync_runs WHERE tenant_id = $1 ORDER BY resource, id DESC`,
    [tenantId],
  );
}

/** Marks a resource queued for `mode` (creating its row); a running sync keeps its state. */
export async function markQueued(q: Queryable, tenantId: string, resource: string, mode: SyncMode) {
  await q.query(
    `INSERT INTO sync_states (tenant_id, resource, mode, state, updated_at)
     VALUES ($1, $2, $3, 'queued', now())
     ON CONFLICT (tenant_id, resource) DO UPDATE
       SET mode = CASE WHEN sync_states.state = 'running' THEN sync_states.mode ELSE EXCLUDED.mode END,
           state = CASE WHEN sync_states.state = 'running' THEN 'running' ELSE 'queued' END,
           updated_at = now()`,
    [tenantId, resource, mode],
  );
}

/**
 * How long a running sync may go without touching its state before another run may take over: a worker
 * killed mid-run (kill -9, power loss) leaves its state `running`; every committed batch and every poll of
 * a bulk operation touches `updated_at`, so a live run never goes this long without it.
 */
export const RUN_LEASE_SECONDS = 300;

/** Thrown when another run of the same tenant and resource is alive; the queue retries the job later. */
export class SyncBusyError extends Error {
  override name = 'SyncBusyError';
}

/**
 * Starts a run: the state becomes `running` in `mode`, progress restarts unless the run resumes the same
 * bulk operation (`resume`), and a `sync_runs` row is opened. Returns the run id.
 *
 * @throws SyncBusyError while another run of the resource holds the lease (running, touched within
 *   `RUN_LEASE_SECONDS`).
 */
export async function startRun(
  q: Queryable,
  tenantId: string,
  resource: SyncedResource,
  mode: SyncMode,
  resume: boolean,
): Promise<string> {
  const claimed = await q.query(
    `INSERT INTO sync_states AS s (tenant_id, resource, mode, state, started_at, updated_at)
     VALUES ($1, $2, $3, 'running', now(), now())
     ON CONFLICT (tenant_id, resource) DO UPDATE
       SET mode = $3, state = 'running', last_error = NULL, finished_at = NULL, updated_at = now(),
           started_at = CASE WHEN $4 THEN coalesce(s.started_at, now()) ELSE now() END,
           rows_done = CASE WHEN $4 THEN s.rows_done ELSE 0 END,
           rows_total = CASE WHEN $4 THEN s.rows_total ELSE NULL END
       WHERE s.state <> 'running' OR s.updated_at < now() - make_interval(secs => $5)
     RETURNING 1`,
    [tenantId, resource, mode, resume, RUN_LEASE_SECONDS],
  );
  if (claimed.length === 0) throw new SyncBusyError(`a ${resource} sync is already running`);
  const rows = await q.query<{ id: string }>(
    `INSERT INTO sync_runs (tenant_id, resource, mode, status) VALUES ($1, $2, $3, 'running')
     RETURNING id::text`,
    [tenantId, resource, mode],
  );
  return rows[0]!.id;
}

/** Keeps a run's lease while it waits (a bulk operation running at Shopify). */
export async function touchState(q: Queryable, tenantId: string, resource: SyncedResource) {
  await q.query('UPDATE sync_states SET updated_at = now() WHERE tenant_id = $1 AND resource = $2', [
    tenantId,
    resource,
  ]);
}

/**
 * Resources whose sync should be running but has no live run: queued, or running with an expired lease
 * (its worker died). The job queue is asked for them again.
 */
export async function orphanedStates(
  q: Queryable,
): Promise<{ tenant_id: string; resource: string; mode: SyncMode }[]> {
  return q.query(
    `SELECT tenant_id::text, resource, coalesce(mode, 'incremental') AS mode FROM sync_states
      WHERE state = 'queued'
         OR (state = 'running' AND updated_at < now() - make_interval(secs => $1))`,
    [RUN_LEASE_SECONDS],
  );
}

/** Records the bulk operation a backfill waits for: a new one starts from line 0 and from no rows done. */
export async function setBulkOperation(
  q: Queryable,
  tenantId: string,
  resource: SyncedResource,
  operationId: string | null,
) {
  await q.query(
    `UPDATE sync_states
        SET bulk_operation_id = $3, bulk_url = NULL, lines_committed = 0, rows_done = 0, rows_total = NULL,
            updated_at = now()
      WHERE tenant_id = $1 AND resource = $2`,
    [tenantId, resource, operationId],
  );
}

/** Records the completed operation's result URL and its root count (the total to show). */
export async function setBulkResult(
  q: Queryable,
  tenantId: string,
  resource: SyncedResource,
  url: string | null,
  rowsTotal: number,
) {
  await q.query(
    `UPDATE sync_states SET bulk_url = $3, rows_total = $4, updated_at = now()
     WHERE tenant_id = $1 AND resource = $2`,
    [tenantId, resource, url, rowsTotal],
  );
}

/** Counts of one committed batch. */
export type BatchCounts = { rows: number; created: number; updated: number };

/**
 * The resume point of a batch, written in the batch's own transaction: JSONL lines committed (backfill),
 * rows done, the cursor moved up to the newest `updated_at` written, and the run's counts.
 */
export async function commitProgress(
  tx: Queryable,
  tenantId: string,
  resource: SyncedResource,
  runId: string,
  progress: BatchCounts & { linesCommitted: number | null; newestUpdatedAt: string | null },
) {
  await tx.query(
    `UPDATE sync_states
        SET lines_committed = coalesce($3, lines_committed), rows_done = rows_done + $4,
            cursor = CASE WHEN $5::timestamptz IS NULL THEN cursor
                          ELSE greatest(coalesce(cursor, $5::timestamptz), $5::timestamptz) END,
            updated_at = now()
      WHERE tenant_id = $1 AND resource = $2`,
    [tenantId, resource, progress.linesCommitted, progress.rows, progress.newestUpdatedAt],
  );
  await tx.query(
    `UPDATE sync_runs SET rows = rows + $4, created = created + $5, updated = updated + $6
      WHERE tenant_id = $1 AND id = $2 AND resource = $3`,
    [tenantId, runId, resource, progress.rows, progress.created, progress.updated],
  );
}

/** Adds soft deletions to the run's counts. */
export async function addDeleted(tx: Queryable, tenantId: string, runId: string, deleted: number) {
  await tx.query(`UPDATE sync_runs SET deleted = deleted + $3 WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    runId,
    deleted,
  ]);
}

/** Ends a run: the state `completed` (bulk bookkeeping cleared) or `failed` with its error. */
export async function finishRun(
  q: Queryable,
  tenantId: string,
  resource: SyncedResource,
  runId: string,
  outcome: { error: string | null; reconciled: boolean },
) {
  const failed = outcome.error !== null;
  await q.query(
    `UPDATE sync_states
        SET state = $3, last_error = $4, finished_at = now(), updated_at = now(),
            bulk_operation_id = CASE WHEN $5 THEN bulk_operation_id ELSE NULL END,
            bulk_url = CASE WHEN $5 THEN bulk_url ELSE NULL END,
            lines_committed = CASE WHEN $5 THEN lines_committed ELSE 0 END,
            last_reconciled_at = CASE WHEN $6 THEN now() ELSE last_reconciled_at END
      WHERE tenant_id = $1 AND resource = $2`,
    [
      tenantId,
      resource,
      failed ? 'failed' : 'completed',
      outcome.error,
      failed,
      outcome.reconciled && !failed,
    ],
  );
  await q.query(
    `UPDATE sync_runs SET status = $3, error = $4, finished_at = now() WHERE tenant_id = $1 AND id = $2`,
    [tenantId, runId, failed ? 'failed' : 'completed', outcome.error],
  );
}

const TABLES: Record<SyncedResource, string> = {
  orders: 'orders',
  customers: 'customers',
  products: 'products',
  inventory: 'inventory_items',
};

/** The stored `updated_at` of those of `ids` that exist (deleted ones included), by id. */
export async function storedVersions(
  tx: Queryable,
  tenantId: string,
  resource: SyncedResource,
  ids: string[],
): Promise<Map<string, string | null>> {
  const rows = await tx.query<{ id: string; updated_at: string | null }>(
    `SELECT id::text, updated_at FROM ${TABLES[resource]} WHERE tenant_id = $1 AND id = ANY($2::bigint[])`,
    [tenantId, ids],
  );
  return new Map(rows.map((row) => [row.id, row.updated_at]));
}

/** Up to `limit` ids of live (not deleted) rows above `afterId`, in id order. */
export async function liveIds(
  q: Queryable,
  tenantId: string,
  resource: SyncedResource,
  afterId: string,
  limit: number,
): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id::text FROM ${TABLES[resource]}
      WHERE tenant_id = $1 AND id > $2::bigint AND deleted_at IS NULL ORDER BY id LIMIT $3`,
    [tenantId, afterId, limit],
  );
  return rows.map((row) => row.id);
}

/** Tenants due for reconciliation: connected, an interval set, and not reconciled within it. */
export async function dueForReconciliation(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT t.id::text FROM tenants t
      WHERE t.connection_status = 'connected' AND t.reconcile_interval_minutes > 0
        AND NOT EXISTS (
          SELECT 1 FROM sync_states s
           WHERE s.tenant_id = t.id AND s.resource = 'orders'
             AND (s.state IN ('queued', 'running')
                  OR s.last_reconciled_at > now() - make_interval(mins => t.reconcile_interval_minutes)))`,
  );
  return rows.map((row) => row.id);
}

/** The ids of a tenant's live (not deleted) locations. */
export async function liveLocationIds(q: Queryable, tenantId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    'SELECT id::text FROM locations WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id',
    [tenantId],
  );
  return rows.map((row) => row.id);
}

/** The connected (not disconnected) inventory levels of `itemIds`. */
export async function connectedLevels(
  q: Queryable,
  tenantId: string,
  itemIds: string[],
): Promise<{ inventory_item_id: string; location_id: string }[]> {
  if (itemIds.length === 0) return [];
  return q.query<{ inventory_item_id: string; location_id: string }>(
    `SELECT inventory_item_id::text, location_id::text FROM inventory_levels
      WHERE tenant_id = $1 AND inventory_item_id = ANY($2::bigint[]) AND disconnected_at IS NULL`,
    [tenantId, itemIds],
  );
}
