/**
 * Sales metrics, as Shopify's sales reports define them
 * (help.shopify.com/en/manual/reports-and-analytics/shopify-reports/report-types/default-reports/sales-reports,
 * and the ShopifyQL `sales` schema, shopify.dev/docs/api/shopifyql/latest/schemas/sales_revenue/sales):
 *
 * - Orders: orders placed in the range (by processed date). Test and deleted orders never count.
 * - Gross sales: product price x quantity, before discounts, returns, shipping and taxes, on the order's
 *   date. Cancelled, pending and unpaid orders count. Gift cards are not sales.
 * - Discounts: line item discounts plus each line's share of order-level discounts, on the order's date.
 * - Returns: the refunded line items' value after discounts and before tax, on the refund's date. A
 *   cancelled order without refunds returns its whole sale on the cancellation date.
 * - Net sales = gross sales - discounts - returns.
 * - Shipping: shipping charges less shipping discounts on the order's date, less refunded shipping on the
 *   refund's date.
 * - Taxes: order taxes on the order's date, less refunded taxes on the refund's date.
 * - Duties: duties charged on the order's date, less refunded duties on the refund's date.
 * - Total sales = net sales + shipping + taxes + duties (Shopify's Finances summary adds duties and
 *   additional fees to total sales; Shopsight has no additional fees).
 * - Average order value = (gross sales - discounts) / orders.
 * Discounts and returns are reported as positive amounts that net sales subtracts. Days are the store's
 * (tenant time zone). Money: decimal strings in shop currency, rounded to cents.
 *

 * The per-order and per-refund parts are computed when an order or refund is normalized
 * (src/ingest/normalize.ts); this module defines the events they make (`salesEventsSql`). The reports read
 * the daily rollups built from those events (src/analytics/rollups.ts); the `*Straight` functions add the
 * events up directly, as the rollups' reference and the benchmark's baseline.
 */
import type { Queryable } from '../db/client.ts';
import type { DateRange, Interval } from './range.ts';

/**
 * Where events are taken: from `start` (included) to `end` (excluded), SQL expressions of timestamptz
 * (parameters or constants, so that the planner sees the bounds and scans the time indexes), and
 * optionally conditions that narrow them to some orders (such as a customer's, or a batch's).
 */
export type EventScope = {
  start: string;
  end: string;
  /** A condition on the order `o` of every event (default: none). */
  orders?: string;
  /** A condition on the refund `r` of refund events, to let the planner start from refunds (default: none). */
  refunds?: string;
};

/**
 * The sales events of tenant `$1` in a scope, as a CTE `sales_events`: one row per sale (order date),
 * return (refund date) and cancellation without refunds (cancellation date). This is the one definition of
 * the sales figures: the straight reports, the rollup maintenance and the rollup rebuild
 * (src/analytics/rollups.ts) all read it.
 *
 * Columns: occurred_at, order_id, customer_id, orders (1 on a sale), gross_sales, discounts, returns,
 * shipping, taxes, duties (signed: refunds and cancellations lower them), refunds (1 on a refund) and
 * refunded_amount (returns + refunded shipping, taxes and duties).
 */
export function salesEventsSql({ start, end, orders = 'true', refunds = 'true' }: EventScope): string {
  return `
sales_events AS (
  SELECT o.processed_at AS occurred_at, o.id AS order_id, o.customer_id, 1 AS orders,
         o.gross_sales AS gross_sales, o.discounts, 0::numeric AS returns, o.shipping, o.taxes, o.duties,
         0 AS refunds, 0::numeric AS refunded_amount
  FROM orders o
  WHERE o.tenant_id = $1 AND o.processed_at >= ${start} AND o.processed_at < ${end}
    AND NOT o.test AND o.deleted_at IS NULL AND ${orders}
  UNION ALL
  SELECT r.processed_at, o.id, o.customer_id, 0, 0, 0, r.returns, -r.refunded_shipping, -r.refunded_taxes,
         -r.refunded_duties, 1, r.returns + r.refunded_shipping + r.refunded_taxes + r.refunded_duties
  FROM refunds r
  JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  WHERE r.tenant_id = $1 AND r.processed_at >= ${start} AND r.processed_at < ${end} AND ${refunds}
    AND NOT o.test AND o.deleted_at IS NULL AND ${orders}
  UNION ALL
  SELECT o.cancelled_at, o.id, o.customer_id, 0, 0, 0, o.gross_sales - o.discounts, -o.shipping, -o.taxes,
         -o.duties, 0, 0
  FROM orders o
  WHERE o.tenant_id = $1 AND o.cancelled_at >= ${start} AND o.cancelled_at < ${end}
    AND NOT o.test AND o.deleted_at IS NULL AND ${orders}
    AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.tenant_id = o.tenant_id AND r.order_id = o.id)
)`;
}

/** The bounds of a report range: from `$2` to `$3` (dates, inclusive) in time zone `$4`, cut at the store's midnights (DST included). */
export const RANGE_SCOPE: EventScope = {
  start: '($2::date::timestamp AT TIME ZONE $4)',
  end: '(($3::date + 1)::timestamp AT TIME ZONE $4)',
};

/**
 * The sales events of one tenant in a range, straight from the entity tables, after a CTE `bounds`
 * (`start_at`, `end_at`). Parameters: $1 tenant id, $2 from, $3 to, $4 time zone.
 */
export const SALES_EVENTS_SQL = `
bounds AS (SELECT ${RANGE_SCOPE.start} AS start_at, ${RANGE_SCOPE.end} AS end_at),
${salesEventsSql(RANGE_SCOPE)}`;

/** Money columns of a sales aggregate, rounded to cents. */
const MONEY_AGGREGATES = `
  round(coalesce(sum(gross_sales), 0), 2)::text AS gross_sales,
  round(coalesce(sum(discounts), 0), 2)::text AS discounts,
  round(coalesce(sum(returns), 0), 2)::text AS returns,
  round(coalesce(sum(gross_sales - discounts - returns), 0), 2)::text AS net_sales,
  round(coalesce(sum(shipping), 0), 2)::text AS shipping,
  round(coalesce(sum(taxes), 0), 2)::text AS taxes,
  round(coalesce(sum(duties), 0), 2)::text AS duties,
  round(coalesce(sum(gross_sales - discounts - returns + shipping + taxes + duties), 0), 2)::text AS total_sales`;

type MoneyRow = {
  gross_sales: string;
  discounts: string;
  returns: string;
  net_sales: string;
  shipping: string;
  taxes: string;
  duties: string;
  total_sales: string;
};

export type SalesFigures = {
  grossSales: string;
  discounts: string;
  returns: string;
  netSales: string;
  shipping: string;
  taxes: string;
  duties: string;
  totalSales: string;
};

export type SalesSummary = SalesFigures & {
  currency: string;
  orders: number;
  customers: number;
  newCustomers: number;
  averageOrderValue: string;
};

const figures = (row: MoneyRow): SalesFigures => ({
  grossSales: row.gross_sales,
  discounts: row.discounts,
  returns: row.returns,
  netSales: row.net_sales,
  shipping: row.shipping,
  taxes: row.taxes,
  duties: row.duties,
  totalSales: row.total_sales,
});

type SummaryRow = MoneyRow & {
  orders: string;
  customers: string;
  new_customers: string;
  average_order_value: string;
};

const toSummary = (row: SummaryRow, currency: string): SalesSummary => ({
  currency,
  orders: Number(row.orders),
  customers: Number(row.customers),
  newCustomers: Number(row.new_customers),
  ...figures(row),
  averageOrderValue: row.average_order_value,
});

const AVERAGE_ORDER_VALUE = `CASE WHEN coalesce(sum(orders), 0) = 0 THEN '0.00'
  ELSE round(sum(gross_sales - discounts) / sum(orders), 2)::text END AS average_order_value`;

/**
 * The sales summary of a tenant over a range, from the `daily_sales` rollup (src/analytics/rollups.ts).
 * `customers`: distinct customers with an order in the range (from `orders`: distinct counts do not add up
 * over days); `newCustomers`: those of them whose first order (ever, test and deleted orders aside) is in
 * the range, from `customer_stats`.
 */
export async function salesSummary(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  currency: string,
): Promise<SalesSummary> {
  const [row] = await db.query<SummaryRow>(
    `SELECT ${MONEY_AGGREGATES}, coalesce(sum(orders), 0)::text AS orders,
       (SELECT count(DISTINCT o.customer_id) FROM orders o
         WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL AND o.customer_id IS NOT NULL
           AND o.processed_at >= ${RANGE_SCOPE.start} AND o.processed_at < ${RANGE_SCOPE.end})::text AS customers,
       (SELECT count(*) FROM customer_stats c
         WHERE c.tenant_id = $1 AND c.first_order_at >= ${RANGE_SCOPE.start}
           AND c.first_order_at < ${RANGE_SCOPE.end})::text AS new_customers,
       ${AVERAGE_ORDER_VALUE}
     FROM daily_sales WHERE tenant_id = $1 AND date BETWEEN $2::date AND $3::date`,
    [tenantId, range.from, range.to, range.timezone],
  );
  return toSummary(row!, currency);
}

/**
 * salesSummary straight from the entity tables (SALES_EVENTS_SQL), without the rollups: the benchmark's
 * baseline and the rollup tests' reference. Same answer.
 */
export async function salesSummaryStraight(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  currency: string,
): Promise<SalesSummary> {
  const [row] = await db.query<SummaryRow>(
    `WITH ${SALES_EVENTS_SQL},
     buyers AS (SELECT DISTINCT customer_id FROM sales_events WHERE orders = 1 AND customer_id IS NOT NULL)
     SELECT ${MONEY_AGGREGATES},
       coalesce(sum(orders), 0)::text AS orders,
       (SELECT count(*) FROM buyers)::text AS customers,
       (SELECT count(*) FROM buyers
         WHERE (SELECT min(o.processed_at) FROM orders o
                WHERE o.tenant_id = $1 AND o.customer_id = buyers.customer_id
                  AND NOT o.test AND o.deleted_at IS NULL) >= (SELECT start_at FROM bounds))::text AS new_customers,
       ${AVERAGE_ORDER_VALUE}
     FROM sales_events`,
    [tenantId, range.from, range.to, range.timezone],
  );
  return toSummary(row!, currency);
}

export type SalesBucket = SalesFigures & { date: string; orders: number };

/** Every bucket of the range ($2 to $3) by interval `$N`: the first day of each, as a timestamp. */
const bucketsSql = (interval: string) => `
buckets AS (
  SELECT generate_series(date_trunc(${interval}, $2::date::timestamp), $3::date::timestamp,
    (CASE ${interval} WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || ${interval})::interval END)) AS bucket
)`;

const toBucket = (row: MoneyRow & { date: string; orders: string }): SalesBucket => ({
  date: row.date,
  orders: Number(row.orders),
  ...figures(row),
});

/**
 * Sales figures per day, week (ISO, from Monday), month, quarter or year in the tenant's time zone, every
 * bucket of the range included (empty ones as zeros), from the `daily_sales` rollup. `date` is the bucket's
 * first day (YYYY-MM-DD).
 */
export async function salesOverTime(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
): Promise<SalesBucket[]> {
  const rows = await db.query<MoneyRow & { date: string; orders: string }>(
    `WITH ${bucketsSql('$4')},
     bucketed AS (
       SELECT date_trunc($4, d.date::timestamp) AS bucket, d.* FROM daily_sales d
       WHERE d.tenant_id = $1 AND d.date BETWEEN $2::date AND $3::date
     )
     SELECT to_char(k.bucket, 'YYYY-MM-DD') AS date, coalesce(sum(e.orders), 0)::text AS orders, ${MONEY_AGGREGATES}
     FROM buckets k LEFT JOIN bucketed e ON e.bucket = k.bucket
     GROUP BY k.bucket ORDER BY k.bucket`,
    [tenantId, range.from, range.to, interval],
  );
  return rows.map(toBucket);
}

/** salesOverTime straight from the entity tables (SALES_EVENTS_SQL): the baseline and reference. */
export async function salesOverTimeStraight(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
): Promise<SalesBucket[]> {
  const rows = await db.query<MoneyRow & { date: string; orders: string }>(
    `WITH ${SALES_EVENTS_SQL}, ${bucketsSql('$5')},
     bucketed AS (
       SELECT date_trunc($5, occurred_at AT TIME ZONE $4) AS bucket, * FROM sales_events
     )
     SELECT to_char(k.bucket, 'YYYY-MM-DD') AS date, coalesce(sum(e.orders), 0)::text AS orders, ${MONEY_AGGREGATES}
     FROM buckets k LEFT JOIN bucketed e ON e.bucket = k.bucket
     GROUP BY k.bucket ORDER BY k.bucket`,
    [tenantId, range.from, range.to, range.timezone, interval],
  );
  return rows.map(toBucket);
}
