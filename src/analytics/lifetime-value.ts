/**
 * Historic customer lifetime value: what customers have been worth so far, not a forecast.
 *
 * - A customer's lifetime value is its net sales from its first order to the end of `to` (gross sales -
 *   discounts - returns, each on its own date; Shopify's definitions in src/analytics/sales.ts), and its
 *   order count the orders it placed up to then. Test and deleted orders never count; orders without a
 *   customer id are left out.
 * - The report covers the customers acquired in the range (first order ever in [from, to], store time
 *   zone): their number, total net sales, average lifetime value (net sales / customers) and average orders
 *   per customer; and the same per acquisition month (cohort, YYYY-MM).
 * Money: decimal strings in shop currency, rounded to cents; averages of money and orders to 2 decimals.
 */
import type { Queryable } from '../db/client.ts';
import { average } from './compare.ts';
import type { DateRange } from './range.ts';
import { SALES_EVENTS_SQL } from './sales.ts';

export type LifetimeValueFigures = {
  customers: number;
  orders: number;
  netSales: string;
  averageOrders: string;
  averageLifetimeValue: string;
};
export type LifetimeValueCohort = LifetimeValueFigures & { cohort: string };

const figures = (row: { customers: string; orders: string; net_sales: string }): LifetimeValueFigures => ({
  customers: Number(row.customers),
  orders: Number(row.orders),
  netSales: row.net_sales,
  averageOrders: average(row.orders, row.customers),
  averageLifetimeValue: average(row.net_sales, row.customers),
});

/** Lifetime value of the customers acquired in the range, overall and per acquisition month (oldest first). */
export async function lifetimeValue(
  db: Queryable,
  tenantId: string,
  range: DateRange,
): Promise<{ totals: LifetimeValueFigures; cohorts: LifetimeValueCohort[] }> {
  // Customers acquired from `from` on have no sales before it: the sales events of [from, to] are their
  // whole history up to `to`.
  const rows = await db.query<{
    cohort: string | null;
    customers: string;
    orders: string;
    net_sales: string;
  }>(
    `WITH ${SALES_EVENTS_SQL},
     firsts AS (
       SELECT o.customer_id, min(o.processed_at) AS first_at
       FROM orders o
       WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL AND o.customer_id IS NOT NULL
       GROUP BY o.customer_id
     ),
     members AS (
       SELECT f.customer_id, to_char(f.first_at AT TIME ZONE $4, 'YYYY-MM') AS cohort
       FROM firsts f, bounds b
       WHERE f.first_at >= b.start_at AND f.first_at < b.end_at
     ),
     per_customer AS (
       SELECT m.customer_id, m.cohort, sum(e.orders) AS orders, sum(e.gross_sales - e.discounts - e.returns) AS net_sales
       FROM members m JOIN sales_events e ON e.customer_id = m.customer_id
       GROUP BY m.customer_id, m.cohort
     )
     SELECT cohort, count(*)::text AS customers, coalesce(sum(orders), 0)::text AS orders,
            round(coalesce(sum(net_sales), 0), 2)::text AS net_sales
     FROM per_customer
     GROUP BY GROUPING SETS ((cohort), ())
     ORDER BY cohort NULLS FIRST`,
    [tenantId, range.from, range.to, range.timezone],
  );
  const [total, ...cohorts] = rows;
  return {
    totals: figures(total!),
    cohorts: cohorts.map((row) => ({ cohort: row.cohort!, ...figures(row) })),
  };
}
