/**
 * Monthly acquisition cohorts (the customer-cohort analysis of Shopify's customer reports,
 * help.shopify.com/en/manual/reports-and-analytics/shopify-reports/report-types/default-reports/customers-reports).
 *
 * - A customer's cohort is the month (store time zone) of its first order ever; test and deleted orders
 *   aside, orders without a customer id left out. The report holds the cohorts whose first order falls in
 *   the range.
 * - Cohort size: the cohort's customers.
 * - Month N (0 = the cohort's own month): the customers of the cohort who ordered again (an order other
 *   than their first) in that calendar month, and their share of the cohort (percent, 2 decimals).
 * - Net sales of month N: the cohort's net sales in that month (gross sales - discounts - returns, each on
 *   its own date, Shopify's definitions in src/analytics/sales.ts), first orders included.
 * Activity is counted up to the end of the range (`to`): a month after the month of `to` is not observed
 * yet and comes back with nulls. Money: decimal strings in shop currency, rounded to cents.
 */
import type { Queryable } from '../db/client.ts';
import { percent } from './compare.ts';
import type { DateRange } from './range.ts';
import { SALES_EVENTS_SQL } from './sales.ts';

export type CohortMonth = {
  /** Months since the cohort's month (0 = the same month). */
  month: number;
  /** Customers of the cohort who ordered again in that month; null when the month is after `to`. */
  returningCustomers: number | null;
  /** `returningCustomers` / cohort size, percent; null when the month is after `to`. */
  retention: string | null;
  netSales: string | null;
};

export type Cohort = {
  /** The acquisition month, YYYY-MM. */
  cohort: string;
  customers: number;
  months: CohortMonth[];
};

/** Month difference between two YYYY-MM strings. */
const monthsBetween = (from: string, to: string) =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
  Number(to.slice(5, 7)) -
  Number(from.slice(5, 7));

/** The cohorts acquired in the range, oldest first, each followed for `months` months (1..24). */
export async function cohorts(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  months: number,
): Promise<Cohort[]> {
  const rows = await db.query<{
    cohort: string;
    month: string | null;
    size: string;
    returning: string;
    net_sales: string;
  }>(
    `WITH ${SALES_EVENTS_SQL},
     firsts AS (
       SELECT DISTINCT ON (o.customer_id) o.customer_id, o.id AS first_order_id, o.processed_at AS first_at
       FROM orders o
       WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL AND o.customer_id IS NOT NULL
       ORDER BY o.customer_id, o.processed_at, o.id
     ),
     members AS (
       SELECT f.customer_id, f.first_order_id, to_char(f.first_at AT TIME ZONE $4, 'YYYY-MM') AS cohort
       FROM firsts f, bounds b
       WHERE f.first_at >= b.start_at AND f.first_at < b.end_at
     ),
     sizes AS (SELECT cohort, count(*) AS size FROM members GROUP BY cohort),
     activity AS (
       SELECT m.cohort, to_char(e.occurred_at AT TIME ZONE $4, 'YYYY-MM') AS month,
              count(DISTINCT m.customer_id) FILTER (WHERE e.orders = 1 AND e.order_id <> m.first_order_id)
                AS returning,
              sum(e.gross_sales - e.discounts - e.returns) AS net_sales
       FROM sales_events e JOIN members m ON m.customer_id = e.customer_id
       GROUP BY 1, 2
     )
     SELECT s.cohort, a.month, s.size::text AS size, coalesce(a.returning, 0)::text AS returning,
            round(coalesce(a.net_sales, 0), 2)::text AS net_sales
     FROM sizes s LEFT JOIN activity a ON a.cohort = s.cohort
     ORDER BY s.cohort, a.month`,
    [tenantId, range.from, range.to, range.timezone],
  );
  const lastMonth = range.to.slice(0, 7);
  const byCohort = new Map<
    string,
    { size: number; months: Map<number, { returning: number; netSales: string }> }
  >();
  for (const row of rows) {
    let cohort = byCohort.get(row.cohort);
    if (!cohort) {
      cohort = { size: Number(row.size), months: new Map() };
      byCohort.set(row.cohort, cohort);
    }
    if (row.month !== null) {
      cohort.months.set(monthsBetween(row.cohort, row.month), {
        returning: Number(row.returning),
        netSales: row.net_sales,
      });
    }
  }
  return [...byCohort].map(([cohort, { size, months: activity }]) => {
    const observed = monthsBetween(cohort, lastMonth);
    return {
      cohort,
      customers: size,
      months: Array.from({ length: months }, (_, month) => {
        if (month > observed) return { month, returningCustomers: null, retention: null, netSales: null };
        const seen = activity.get(month) ?? { returning: 0, netSales: '0.00' };
        return {
          month,
          returningCustomers: seen.returning,
          retention: percent(seen.returning, size),
          netSales: seen.netSales,
        };
      }),
    };
  });
}
