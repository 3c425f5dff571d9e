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
import { RANGE_SCOPE, type EventScope } from './sales.ts';

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
 * The product lines of tenant `$1` in a scope (src/analytics/sales.ts `EventScope`), as a CTE
 * `product_events`: sales (order date, positive units), returns (refund date) and cancellations without
 * refunds (cancellation date), both with negative units. The one definition of the product figures, read
 * by the straight report and by the rollups (src/analytics/rollups.ts). Columns: occurred_at, product_id,
 * variant_id (null for custom items), title, units, gross_sales, discounts, returns.
 */
export function productEventsSql({ start, end, orders = 'true', refunds = 'true' }: EventScope): string {
  return `
product_events AS (
  SELECT o.processed_at AS occurred_at, li.product_id, li.variant_id, li.title, li.quantity AS units,
         li.gross_sales, li.discounts, 0::numeric AS returns
  FROM orders o
  JOIN order_line_items li ON li.tenant_id = o.tenant_id AND li.order_id = o.id
  WHERE o.tenant_id = $1 AND o.processed_at >= ${start} AND o.processed_at < ${end}
    AND NOT li.gift_card AND NOT o.test AND o.deleted_at IS NULL AND ${orders}
  UNION ALL
  SELECT r.processed_at, li.product_id, li.variant_id, li.title, -rli.quantity, 0, 0, rli.subtotal
  FROM refunds r
  JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  JOIN refund_line_items rli ON rli.tenant_id = r.tenant_id AND rli.refund_id = r.id
  JOIN order_line_items li ON li.tenant_id = rli.tenant_id AND li.id = rli.line_item_id
  WHERE r.tenant_id = $1 AND r.processed_at >= ${start} AND r.processed_at < ${end} AND ${refunds}
    AND NOT li.gift_card AND NOT o.test AND o.deleted_at IS NULL AND ${orders}
  UNION ALL
  SELECT o.cancelled_at, li.product_id, li.variant_id, li.title, -li.quantity, 0, 0, li.gross_sales - li.discounts
  FROM orders o
  JOIN order_line_items li ON li.tenant_id = o.tenant_id AND li.order_id = o.id
  WHERE o.tenant_id = $1 AND o.cancelled_at >= ${start} AND o.cancelled_at < ${end}
    AND NOT li.gift_card AND NOT o.test AND o.deleted_at IS NULL AND ${orders}
    AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.tenant_id = o.tenant_id AND r.order_id = o.id)
)`;
}

type ProductRow = {
  product_id: string | null;
  title: string | null;
  units: string;
  gross_sales: string;
  discounts: string;
  returns: string;
  net_sales: string;
};

const toTopProduct = (row: ProductRow): TopProduct => ({
  productId: row.product_id,
  title: row.title,
  unitsSold: Number(row.units),
  grossSales: row.gross_sales,
  discounts: row.discounts,
  returns: row.returns,
  netSales: row.net_sales,
});

/**
 * The `limit` products with the most net sales (or units) in the range, ties by product id, read from the
 * `daily_product_sales` rollup. `unitsSold` is units sold less units returned. Title: the product's, else
 * (a product Shopsight has not stored, or custom items) the line-item title of its last sale in the range.
 */
export async function topProducts(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  sort: ProductSort,
  limit: number,
): Promise<TopProduct[]> {
  const key = sort === 'units' ? 'units' : 'net';
  const rows = await db.query<ProductRow>(
    `WITH ranked AS (
       SELECT d.product_id, sum(d.units_sold - d.units_returned) AS units, sum(d.gross_sales) AS gross_sales,
              sum(d.discounts) AS discounts, sum(d.returns) AS returns,
              sum(d.gross_sales - d.discounts - d.returns) AS net,
              max(d.date) FILTER (WHERE d.units_sold > 0) AS last_sale
       FROM daily_product_sales d
       WHERE d.tenant_id = $1 AND d.date BETWEEN $2::date AND $3::date
       GROUP BY d.product_id
       ORDER BY ${key} DESC, nullif(d.product_id, 0) NULLS LAST
       LIMIT $5
     )
     SELECT nullif(k.product_id, 0)::text AS product_id,
            coalesce(p.title, (
              SELECT min(li.title) FROM orders o
              JOIN order_line_items li ON li.tenant_id = o.tenant_id AND li.order_id = o.id
              WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL AND NOT li.gift_card
                AND coalesce(li.product_id, 0) = k.product_id
                AND o.processed_at >= (k.last_sale::timestamp AT TIME ZONE $4)
                AND o.processed_at < ((k.last_sale + 1)::timestamp AT TIME ZONE $4))) AS title,
            k.units::text AS units, round(k.gross_sales, 2)::text AS gross_sales,
            round(k.discounts, 2)::text AS discounts, round(k.returns, 2)::text AS returns,
            round(k.net, 2)::text AS net_sales
     FROM ranked k
     LEFT JOIN products p ON p.tenant_id = $1 AND p.id = k.product_id
     ORDER BY k.${key} DESC, nullif(k.product_id, 0) NULLS LAST`,
    [tenantId, range.from, range.to, range.timezone, limit],
  );
  return rows.map(toTopProduct);
}

/**
 * topProducts straight from the entity tables (productEventsSql over the range), without the
 * rollup: the benchmark's baseline and the rollup tests' reference. Title: the product's, else the
 * line-item title of its last sale in the range.
 */
export async function topProductsStraight(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  sort: ProductSort,
  limit: number,
): Promise<TopProduct[]> {
  const order = sort === 'units' ? 'sum(e.units) DESC' : 'sum(e.gross_sales - e.discounts - e.returns) DESC';
  const rows = await db.query<ProductRow>(
    `WITH ${productEventsSql(RANGE_SCOPE)}
     SELECT e.product_id::text AS product_id,
            coalesce(p.title, (array_agg(e.title ORDER BY (e.occurred_at AT TIME ZONE $4)::date DESC, e.title)
                               FILTER (WHERE e.units > 0))[1]) AS title,
            sum(e.units)::text AS units,
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
  return rows.map(toTopProduct);
}
