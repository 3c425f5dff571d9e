/**
 * New and returning customers over time. Only orders with a customer id count (guest checkouts have no
 * history to return to); test and deleted orders never count; days are the store's (tenant time zone).
 *
 * - Customers of a bucket: distinct customers with an order processed in the bucket.
 * - First-time customers of a bucket: those whose first order ever (test and deleted orders aside) is one
 *   of the bucket's orders; the others are returning customers of that bucket.
 * - Returning customer rate of the range, Shopify's definition (help.shopify.com, Shopify Analytics,
 *   "Returning customer rate": "the percentage of customers that have placed more than one order from your
 *   store, out of customers that placed an order within the selected date range"):
 *   returning / (returning + first-time), where a customer with an order in the range is returning when it
 *   has placed more than one order by the end of the range (an order before the range, or two in it), and
 *   first-time otherwise. So a customer first-time in one bucket and back in a later one is returning for
 *   the whole range. Percent with 2 decimals; null without customers.
 */
import type { Queryable } from '../db/client.ts';
import { boundsSql, bucketsSql } from './buckets.ts';
import { percent } from './compare.ts';
import type { DateRange, Interval } from './range.ts';

export type CustomersBucket = {
  date: string;
  customers: number;
  firstTimeCustomers: number;
  returningCustomers: number;
};

export type CustomersTotals = {
  customers: number;
  firstTimeCustomers: number;
  returningCustomers: number;
  returningCustomerRate: string | null;
};

/**
 * The range's orders with a customer, each with its customer's first order time (`customer_stats`, the
 * rollup the worker keeps: `first_order_at` is the processed time of the customer's first order, test and
 * deleted orders aside, as here). An order is its customer's first order exactly when its processed time
 * is `first_at`: another order at the same instant would fall in the same bucket and in the range too, so
 * the per-bucket and per-range answers are those of "the order is the first one". Reading the rollup
 * spares a scan of every order ever placed by the range's customers (src/analytics/rollups.ts).
 */
const ACTIVITY_SQL = `
${boundsSql('$2', '$3', '$4')},
ranged AS (
  SELECT o.customer_id, o.processed_at, s.first_order_at AS first_at
  FROM orders o
  CROSS JOIN bounds b
  JOIN customer_stats s ON s.tenant_id = $1 AND s.customer_id = o.customer_id
  WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL AND o.customer_id IS NOT NULL
    AND o.processed_at >= b.start_at AND o.processed_at < b.end_at
)`;

/**
 * Customers, first-time and returning customers per bucket (day, ISO week, month, quarter or year in the
 * store's time zone; `date` is the bucket's first day, every bucket included) and over the whole range.
 */
export async function customersOverTime(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
): Promise<{ rows: CustomersBucket[]; totals: CustomersTotals }> {
  const params = [tenantId, range.from, range.to, range.timezone, interval];
  const rows = await db.query<{ date: string; customers: string; first_time: string }>(
    `WITH ${ACTIVITY_SQL},
     ${bucketsSql('$2', '$3', '$5')},
     bucketed AS (
       SELECT date_trunc($5, r.processed_at AT TIME ZONE $4) AS bucket, r.customer_id,
              bool_or(r.processed_at = r.first_at) AS first_time
       FROM ranged r
       GROUP BY 1, 2
     )
     SELECT to_char(k.bucket, 'YYYY-MM-DD') AS date, count(e.customer_id)::text AS customers,
            count(e.customer_id) FILTER (WHERE e.first_time)::text AS first_time
     FROM buckets k LEFT JOIN bucketed e ON e.bucket = k.bucket
     GROUP BY k.bucket ORDER BY k.bucket`,
    params,
  );
  const [total] = await db.query<{ customers: string; returning: string }>(
    `WITH ${ACTIVITY_SQL},
     per_customer AS (
       SELECT r.customer_id, count(*) = 1 AND bool_and(r.processed_at = r.first_at) AS only_first
       FROM ranged r
       GROUP BY r.customer_id
     )
     SELECT count(*)::text AS customers, count(*) FILTER (WHERE NOT only_first)::text AS returning
     FROM per_customer`,
    params.slice(0, 4),
  );
  const customers = Number(total!.customers);
  const returningCustomers = Number(total!.returning);
  return {
    rows: rows.map((row) => ({
      date: row.date,
      customers: Number(row.customers),
      firstTimeCustomers: Number(row.first_time),
      returningCustomers: Number(row.customers) - Number(row.first_time),
    })),
    totals: {
      customers,
      firstTimeCustomers: customers - returningCustomers,
      returningCustomerRate: percent(returningCustomers, customers),
      returningCustomers,
    },
  };
}
