/**
 * Webhook health of one tenant, read from the inbox (`webhook_events`) for the Operations screen: deliveries
 * received per minute over the last hour by status, skips by cause, dead letters, and the backlog of
 * pending events. Every query filters on `tenant_id` and runs in the caller's tenant transaction (RLS).
 */
import type { Queryable } from '../db/client.ts';

/** Length of the per-minute window, in minutes. */
export const HEALTH_WINDOW_MINUTES = 60;

export type WebhookHealth = {
  /** Start of the window (UTC ISO-8601, on a whole minute) and its length in minutes. */
  window: { from: string; minutes: number };
  /** One row per minute of the window that received events: the minute (UTC ISO-8601) and counts by status. */
  perMinute: { minute: string; pending: number; processed: number; skipped: number; dead: number }[];
  /** Events received in the window that the worker skipped, by cause (e.g. `stale`, `unsupported_topic`). */
  skippedByCause: Record<string, number>;
  /** Dead letters held now (any age). */
  deadLetters: number;
  /** Events waiting for the worker now, and the age in seconds of the oldest (null when none wait). */
  pending: { count: number; oldestAgeSeconds: number | null };
};

/** Reads the webhook health of `tenantId` as of the database's `now()`. */
export async function webhookHealth(tx: Queryable, tenantId: string): Promise<WebhookHealth> {
  const [window] = await tx.query<{ from: string }>(
    `SELECT to_char(date_trunc('minute', now() - make_interval(mins => $1)) AT TIME ZONE 'UTC',
       'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS from`,
    [HEALTH_WINDOW_MINUTES - 1],
  );
  const from = window!.from;
  const minutes = await tx.query<{ minute: string; status: string; count: number }>(
    `SELECT to_char(date_trunc('minute', received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
       AS minute, status, count(*)::int AS count
     FROM webhook_events WHERE tenant_id = $1 AND received_at >= $2::timestamptz
     GROUP BY 1, 2 ORDER BY 1`,
    [tenantId, from],
  );
  const perMinute = new Map<string, WebhookHealth['perMinute'][number]>();
  for (const row of minutes) {
    const entry = perMinute.get(row.minute) ?? {
      minute: row.minute,
      pending: 0,
      processed: 0,
      skipped: 0,
      dead: 0,
    };
    if (row.status in entry) entry[row.status as 'pending' | 'processed' | 'skipped' | 'dead'] = row.count;
    perMinute.set(row.minute, entry);
  }
  const skips = await tx.query<{ cause: string; count: number }>(
    `SELECT coalesce(skip_cause, 'unknown') AS cause, count(*)::int AS count FROM webhook_events
     WHERE tenant_id = $1 AND status = 'skipped' AND received_at >= $2::timestamptz GROUP BY 1 ORDER BY 1`,
    [tenantId, from],
  );
  const [backlog] = await tx.query<{ dead: number; pending: number; oldest: number | null }>(
    `SELECT count(*) FILTER (WHERE status = 'dead')::int AS dead,
       count(*) FILTER (WHERE status = 'pending')::int AS pending,
       floor(extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'pending')))::int AS oldest
     FROM webhook_events WHERE tenant_id = $1 AND status IN ('dead', 'pending')`,
    [tenantId],
  );
  return {
    window: { from, minutes: HEALTH_WINDOW_MINUTES },
    perMinute: [...perMinute.values()],
    skippedByCause: Object.fromEntries(skips.map((row) => [row.cause, row.count])),
    deadLetters: backlog?.dead ?? 0,
    pending: { count: backlog?.pending ?? 0, oldestAgeSeconds: backlog?.oldest ?? null },
  };
}

export type DeadLetter = {
  /** Inbox event id (a bigint, as a string). */
  id: string;
  topic: string;
  /** The last error the worker recorded. */
  error: string | null;
  attempts: number;
  /** When the delivery arrived (UTC ISO-8601). */
  receivedAt: string;
};

/**
 * One page of the tenant's dead letters, newest first: up to `limit` events with an id below `before`
 * (the previous page's `nextCursor`). `nextCursor` is null on the last page.
 */
export async function deadLetterPage(
  tx: Queryable,
  tenantId: string,
  page: { limit: number; before?: string | undefined },
): Promise<{ rows: DeadLetter[]; nextCursor: string | null }> {
  const rows = await tx.query<DeadLetter>(
    `SELECT id::text AS id, topic, last_error AS error, attempts,
       to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt"
     FROM webhook_events
     WHERE tenant_id = $1 AND status = 'dead' AND ($2::bigint IS NULL OR id < $2::bigint)
     ORDER BY id DESC LIMIT $3`,
    [tenantId, page.before ?? null, page.limit + 1],
  );
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  return { rows: shown, nextCursor: more ? shown.at(-1)!.id : null };
}
