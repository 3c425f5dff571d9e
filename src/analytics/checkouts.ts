/**
 * Checkout statuses and the checkouts report. The ONE place that says what `completed`, `abandoned` and
 * `recovered` mean; the checkout list (src/data/checkouts.ts) and the report both read them from here.
 *
 * Shopify calls a checkout abandoned when the buyer gave their contact information but did not complete the
 * purchase (help.shopify.com/en/manual/orders/abandoned-checkouts; shopify.dev/docs/api/admin-rest/latest/
 * resources/abandoned-checkouts), and marks it recovered when an order follows. Shopify sends no event when
 * a checkout becomes abandoned (it waits about ten minutes); Shopsight waits the tenant's
 * `abandonment_threshold_minutes` (default 60) after the buyer's last activity:
 *
 * - An order references a checkout when `orders.checkout_id = checkouts.id` or
 *   `orders.checkout_token = checkouts.token`; test and deleted orders never do. The first such order (by
 *   processed date) is the checkout's order.
 * - deadline = `activity_at` (else `updated_at`, else `created_at`) + threshold.
 * - `completed`: its order was placed (processed) at or before the deadline.
 * - `recovered`: its order was placed after the deadline (the checkout had been abandoned).
 * - `abandoned`: no order, and now is past the deadline.
 * - `open`: no order yet, deadline not reached.
 * Deleted checkouts are left out.
 *
 * Report (over checkouts started, i.e. created, in the range, each figure on the checkout's start date in the
 * store's time zone):
 * - started: checkouts created; completed, recovered, open: by status; abandoned: abandoned at some point,
 *   recovered ones included.
 * - conversion rate = completed / started; abandonment rate = abandoned (recovered included) / started;
 *   fractions with 4 decimals as strings ("0.2500"), null when nothing started.
 * - abandoned value: `total_price` of the abandoned checkouts (recovered ones included); recovered value:
 *   `total_price` of the orders that recovered an abandonment. Money: decimal strings in shop currency.
 */
import type { Queryable } from '../db/client.ts';
import type { DateRange, Interval } from './range.ts';

export const CHECKOUT_STATUSES = ['open', 'completed', 'abandoned', 'recovered'] as const;
export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

/**
 * The checkouts of one tenant with their status as of now: every column of `checkouts`, plus `status`,
 * `deadline` (when it counts as abandoned without an order) and its order (`order_id`,
 * `order_processed_at`, `order_total_price`; null without one). `tenant` and `thresholdMinutes` are
 * placeholders (`$n`) of the tenant id and of `tenants.abandonment_threshold_minutes`.
 */
export function checkoutsWithStatusSql(tenant: string, thresholdMinutes: string): string {
  return `
    SELECT c.*, d.deadline, co.order_id, co.order_processed_at, co.order_total_price,
      CASE WHEN co.order_id IS NOT NULL AND co.order_processed_at <= d.deadline THEN 'completed'
           WHEN co.order_id IS NOT NULL THEN 'recovered'
           WHEN now() > d.deadline THEN 'abandoned'
           ELSE 'open' END AS status
    FROM checkouts c
    CROSS JOIN LATERAL (
      SELECT coalesce(c.activity_at, c.updated_at, c.created_at) + make_interval(mins => ${thresholdMinutes}::int)
        AS deadline
    ) d
    LEFT JOIN LATERAL (
      SELECT o.id AS order_id, o.processed_at AS order_processed_at, o.total_price AS order_total_price
      FROM orders o
      WHERE o.tenant_id = c.tenant_id AND NOT o.test AND o.deleted_at IS NULL
        AND (o.checkout_id = c.id OR (c.token IS NOT NULL AND o.checkout_token = c.token))
      ORDER BY o.processed_at, o.id
      LIMIT 1
    ) co ON TRUE
    WHERE c.tenant_id = ${tenant} AND c.deleted_at IS NULL`;
}

export type CheckoutFigures = {
  started: number;
  open: number;
  completed: number;
  abandoned: number;
  recovered: number;
  conversionRate: string | null;
  abandonmentRate: string | null;
  abandonedValue: string;
  recoveredValue: string;
};

export type CheckoutBucket = CheckoutFigures & { date: string };

type FiguresRow = {
  started: string;
  open: string;
  completed: string;
  abandoned: string;
  recovered: string;
  conversion_rate: string | null;
  abandonment_rate: string | null;
  abandoned_value: string;
  recovered_value: string;
};

const FIGURES_SQL = `
  count(k.id)::text AS started,
  count(k.id) FILTER (WHERE k.status = 'open')::text AS open,
  count(k.id) FILTER (WHERE k.status = 'completed')::text AS completed,
  count(k.id) FILTER (WHERE k.status IN ('abandoned', 'recovered'))::text AS abandoned,
  count(k.id) FILTER (WHERE k.status = 'recovered')::text AS recovered,
  CASE WHEN count(k.id) = 0 THEN NULL
       ELSE round(count(k.id) FILTER (WHERE k.status = 'completed')::numeric / count(k.id), 4)::text
  END AS conversion_rate,
  CASE WHEN count(k.id) = 0 THEN NULL
       ELSE round(count(k.id) FILTER (WHERE k.status IN ('abandoned', 'recovered'))::numeric / count(k.id), 4)::text
  END AS abandonment_rate,
  round(coalesce(sum(k.total_price) FILTER (WHERE k.status IN ('abandoned', 'recovered')), 0), 2)::text
    AS abandoned_value,
  round(coalesce(sum(k.order_total_price) FILTER (WHERE k.status = 'recovered'), 0), 2)::text AS recovered_value`;

const figures = (row: FiguresRow): CheckoutFigures => ({
  started: Number(row.started),
  open: Number(row.open),
  completed: Number(row.completed),
  abandoned: Number(row.abandoned),
  recovered: Number(row.recovered),
  conversionRate: row.conversion_rate,
  abandonmentRate: row.abandonment_rate,
  abandonedValue: row.abandoned_value,
  recoveredValue: row.recovered_value,
});

/** Checkouts of tenant $1 (threshold $5) created in the store-local range $2..$3 (time zone $4). */
const IN_RANGE_SQL = `
  bounds AS (
    SELECT ($2::date::timestamp AT TIME ZONE $4) AS start_at, (($3::date + 1)::timestamp AT TIME ZONE $4) AS end_at
  ),
  k AS (
    SELECT s.* FROM (${checkoutsWithStatusSql('$1', '$5')}) s, bounds b
    WHERE s.created_at >= b.start_at AND s.created_at < b.end_at
  )`;

/**
 * The checkout figures of a tenant over a range (definitions above).
 *
 * @param thresholdMinutes the tenant's `abandonment_threshold_minutes`.
 */
export async function checkoutSummary(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  thresholdMinutes: number,
): Promise<CheckoutFigures> {
  const [row] = await db.query<FiguresRow>(`WITH ${IN_RANGE_SQL} SELECT ${FIGURES_SQL} FROM k`, [
    tenantId,
    range.from,
    range.to,
    range.timezone,
    thresholdMinutes,
  ]);
  return figures(row!);
}

/**
 * The checkout figures per day, week (ISO, from Monday), month, quarter or year of the checkouts' start, in
 * the tenant's time zone, and over the whole range (`totals`, equal to `checkoutSummary`'s: the buckets
 * cover the range); every bucket of the range is present (empty ones with zeros and null rates). `date` is
 * the bucket's first day (YYYY-MM-DD). One statement (grouping sets) reads the checkouts' statuses once for
 * both.
 */
export async function checkoutsOverTime(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
  thresholdMinutes: number,
): Promise<{ rows: CheckoutBucket[]; totals: CheckoutFigures }> {
  const rows = await db.query<FiguresRow & { date: string | null; total: boolean }>(
    `WITH ${IN_RANGE_SQL},
     buckets AS (
       SELECT generate_series(date_trunc($6, $2::date::timestamp), $3::date::timestamp,
         (CASE $6 WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || $6)::interval END)) AS bucket
     )
     SELECT to_char(g.bucket, 'YYYY-MM-DD') AS date, GROUPING(g.bucket) = 1 AS total, ${FIGURES_SQL}
     FROM buckets g
     LEFT JOIN k ON date_trunc($6, k.created_at AT TIME ZONE $4) = g.bucket
     GROUP BY GROUPING SETS ((g.bucket), ())
     ORDER BY g.bucket`,
    [tenantId, range.from, range.to, range.timezone, thresholdMinutes, interval],
  );
  const totals = rows.find((row) => row.total)!;
  return {
    rows: rows.filter((row) => !row.total).map((row) => ({ date: row.date!, ...figures(row) })),
    totals: figures(totals),
  };
}
