/**
 * Product metrics: top products by net sales or by units, as Shopify's "Sales by product" report counts
 * them (help.shopify.com/en/manual/reports-and-analytics/shopify-reports/report-types/default-reports/sales-reports):
 * a line's units and sales count on its order's processed date, refunded lines take their units and their
 * value after discounts off on the refund's date, and a cancelled order without refunds returns all its
 * lines on the cancellation date. Test and deleted orders and gift cards are left out. Net sales = gross
 * sales - discounts - returns (definitions in src/analytics/sales.ts).
 */
import type { Queryable } from '../db/client.ts';
import type { DateRange } from './range.ts';

export const PRODUCT_SORTS = ['net_sales', 'units'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export type TopProduct = {
  productId: string | null;
  title: string | null;
  unitsSold: number;
  grossSales: string;
  discounts: string;
  returns: string;
  netSales: string;
};

/**
 * Product lines of one tenant in a range: sales (order date), returns (refund date) and cancellations
 * without refunds (cancellation date). Parameters: $1 tenant id, $2 from, $3 to, $4 time zone.
 */
export const PRODUCT_EVENTS_SQL = `
bounds AS (
  SELECT ($2::date::timestamp AT TIME ZONE $4) AS start_at, (($3::date + 1)::timestamp AT TIME ZONE $4) AS end_at
),
product_events AS (
  SELECT li.product_id, li.title, li.quantity AS units, li.gross_sales, li.discounts, 0::numeric AS returns
  FROM order_line_items li
  JOIN orders o ON o.tenant_id = li.tenant_id AND o.id = li.order_id
  CROSS JOIN bounds b
  WHERE li.tenant_id = $1 AND NOT li.gift_card AND NOT o.test AND o.deleted_at IS NULL
    AND o.processed_at >= b.start_at AND o.processed_at < b.end_at
  UNION ALL
  SELECT li.product_id, li.title, -rli.quantity, 0, 0, rli.subtotal
  FROM refund_line_items rli
  JOIN refunds r ON r.tenant_id = rli.tenant_id AND r.id = rli.refund_id
  JOIN order_line_items li ON li.tenant_id = rli.tenant_id AND li.id = rli.line_item_id
  JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  CROSS JOIN bounds b
  WHERE rli.tenant_id = $1 AND NOT li.gift_card AND NOT o.test AND o.deleted_at IS NULL
    AND r.processed_at >= b.start_at AND r.processed_at < b.end_at
  UNION ALL
  SELECT li.product_id, li.title, -li.quantity, 0, 0, li.gross_sales - li.discounts
  FROM order_line_items li
  JOIN orders o ON o.tenant_id = li.tenant_id AND o.id = li.order_id
  CROSS JOIN bounds b
  WHERE li.tenant_id = $1 AND NOT li.gift_card AND NOT o.test AND o.deleted_at IS NULL
    AND o.cancelled_at >= b.start_at AND o.cancelled_at < b.end_at
    AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.tenant_id = o.tenant_id AND r.order_id = o.id)
)`;

/** The `limit` products with the most net sales (or units) in the range; ties by product id. */
export async function topProducts(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  sort: ProductSort,
  limit: number,
): Promise<TopProduct[]> {
  const order = sort === 'units' ? 'sum(e.units) DESC' : 'sum(e.gross_sales - e.discounts - e.returns) DESC';
  const rows = await db.query<{
    product_id: string | null;
    title: string | null;
    units: string;
    gross_sales: string;
    discounts: string;
    returns: string;
    net_sales: string;
  }>(
    `WITH ${PRODUCT_EVENTS_SQL}
     SELECT e.product_id::text AS product_id, coalesce(p.title, min(e.title)) AS title, sum(e.units)::text AS units,
            round(sum(e.gross_sales), 2)::text AS gross_sales, round(sum(e.discounts), 2)::text AS discounts,
            round(sum(e.returns), 2)::text AS returns,
            round(sum(e.gross_sales - e.discounts - e.returns), 2)::text AS net_sales
     FROM product_events e
     LEFT JOIN products p ON p.tenant_id = $1 AND p.id = e.product_id
     GROUP BY e.product_id, p.title
     ORDER BY ${order}, e.product_id NULLS LAST
     LIMIT $5`,
    [tenantId, range.from, range.to, range.timezone, limit],
  );
  return rows.map((row) => ({
    productId: row.product_id,
    title: row.title,
    unitsSold: Number(row.units),
    grossSales: row.gross_sales,
    discounts: row.discounts,
    returns: row.returns,
    netSales: row.net_sales,
  }));
}
