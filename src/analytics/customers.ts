/**
 * Customer metrics. Top customers rank customers by net sales in the range (Shopify's net sales: gross sales
 * - discounts - returns, each on its own date; see src/analytics/sales.ts), with the number of orders they
 * placed in the range.
 */
import type { Queryable } from '../db/client.ts';
import type { DateRange } from './range.ts';
import { SALES_EVENTS_SQL } from './sales.ts';

export type TopCustomer = {
  customerId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  orders: number;
  netSales: string;
};

/** The `limit` customers with the highest net sales in the range (ties by customer id). */
export async function topCustomers(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  limit: number,
): Promise<TopCustomer[]> {
  const rows = await db.query<{
    customer_id: string;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    orders: string;
    net_sales: string;
  }>(
    `WITH ${SALES_EVENTS_SQL}
     SELECT e.customer_id::text AS customer_id, c.email, c.first_name, c.last_name,
            sum(e.orders)::text AS orders,
            round(sum(e.gross_sales - e.discounts - e.returns), 2)::text AS net_sales
     FROM sales_events e
     LEFT JOIN customers c ON c.tenant_id = $1 AND c.id = e.customer_id
     WHERE e.customer_id IS NOT NULL
     GROUP BY e.customer_id, c.email, c.first_name, c.last_name
     ORDER BY sum(e.gross_sales - e.discounts - e.returns) DESC, e.customer_id
     LIMIT $5`,
    [tenantId, range.from, range.to, range.timezone, limit],
  );
  return rows.map((row) => ({
    customerId: row.customer_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    orders: Number(row.orders),
    netSales: row.net_sales,
  }));
}
