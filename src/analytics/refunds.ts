/**
 * Refund metrics, with Shopify's parts of a refund (help.shopify.com/en/manual/reports-and-analytics/
 * shopify-reports/report-types/default-reports/sales-reports: returns, refunded shipping, taxes and duties;
 * the Refund resource, shopify.dev/docs/api/admin-rest/latest/resources/refund). Every figure is on the
 * refund's processed date in the store's time zone; refunds of test and deleted orders never count.
 *
 * - Refunds: the number of refunds processed in the range.
 * - Returns: the refunded line items' value after discounts, before tax (as net sales subtracts it).
 * - Amount refunded = returns + refunded shipping + refunded taxes + refunded duties.
 * - Refund rate = orders placed in the range (processed date) that have at least one refund, whenever it
 *   was processed, / orders placed in the range; percent with 2 decimals, null without orders. An order
 *   cancelled without a refund is not refunded (nothing was paid back).
 * - Most refunded products: refunded line items of the range by product: units and returns value (after
 *   discounts, before tax), gift cards left out (they are not sales).
 * Money: decimal strings in shop currency, rounded to cents.
 */
import type { Queryable } from '../db/client.ts';
import { boundsSql, bucketsSql } from './buckets.ts';
import { percent } from './compare.ts';
import type { DateRange, Interval } from './range.ts';

export type RefundFigures = {
  refunds: number;
  returns: string;
  refundedShipping: string;
  refundedTaxes: string;
  refundedDuties: string;
  amountRefunded: string;
};
export type RefundsBucket = RefundFigures & { date: string };
export type RefundsTotals = RefundFigures & {
  orders: number;
  refundedOrders: number;
  refundRate: string | null;
};
export type RefundedProduct = {
  productId: string | null;
  title: string | null;
  unitsRefunded: number;
  amountRefunded: string;
};

type FiguresRow = {
  refunds: string;
  returns: string;
  refunded_shipping: string;
  refunded_taxes: string;
  refunded_duties: string;
  amount_refunded: string;
};

const REFUNDS_SQL = `
${boundsSql('$2', '$3', '$4')},
ranged_refunds AS (
  SELECT r.processed_at, r.returns, r.refunded_shipping, r.refunded_taxes, r.refunded_duties
  FROM refunds r
  JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  CROSS JOIN bounds b
  WHERE r.tenant_id = $1 AND o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL
    AND r.processed_at >= b.start_at AND r.processed_at < b.end_at
)`;

const FIGURES_SQL = `
  count(e.processed_at)::text AS refunds,
  round(coalesce(sum(e.returns), 0), 2)::text AS returns,
  round(coalesce(sum(e.refunded_shipping), 0), 2)::text AS refunded_shipping,
  round(coalesce(sum(e.refunded_taxes), 0), 2)::text AS refunded_taxes,
  round(coalesce(sum(e.refunded_duties), 0), 2)::text AS refunded_duties,
  round(coalesce(sum(e.returns + e.refunded_shipping + e.refunded_taxes + e.refunded_duties), 0), 2)::text
    AS amount_refunded`;

const figures = (row: FiguresRow): RefundFigures => ({
  refunds: Number(row.refunds),
  returns: row.returns,
  refundedShipping: row.refunded_shipping,
  refundedTaxes: row.refunded_taxes,
  refundedDuties: row.refunded_duties,
  amountRefunded: row.amount_refunded,
});

/**
 * Refunds per bucket (day, ISO week, month, quarter or year in the store's time zone; `date` is the
 * bucket's first day, every bucket included), totals and refund rate of the range, and the `limit` most
 * refunded products by returns value (ties: units, then product id).
 */
export async function refundsReport(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
  limit: number,
): Promise<{ rows: RefundsBucket[]; totals: RefundsTotals; products: RefundedProduct[] }> {
  const params = [tenantId, range.from, range.to, range.timezone];
  const rows = await db.query<FiguresRow & { date: string }>(
    `WITH ${REFUNDS_SQL},
     ${bucketsSql('$2', '$3', '$5')},
     bucketed AS (SELECT date_trunc($5, processed_at AT TIME ZONE $4) AS bucket, * FROM ranged_refunds)
     SELECT to_char(k.bucket, 'YYYY-MM-DD') AS date, ${FIGURES_SQL}
     FROM buckets k LEFT JOIN bucketed e ON e.bucket = k.bucket
     GROUP BY k.bucket ORDER BY k.bucket`,
    [...params, interval],
  );
  const [total] = await db.query<FiguresRow & { orders: string; refunded_orders: string }>(
    `WITH ${REFUNDS_SQL},
     placed AS (
       SELECT o.id,
              EXISTS (SELECT 1 FROM refunds r WHERE r.tenant_id = $1 AND r.order_id = o.id) AS refunded
       FROM orders o, bounds b
       WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL
         AND o.processed_at >= b.start_at AND o.processed_at < b.end_at
     )
     SELECT ${FIGURES_SQL},
            (SELECT count(*) FROM placed)::text AS orders,
            (SELECT count(*) FROM placed WHERE refunded)::text AS refunded_orders
     FROM ranged_refunds e`,
    params,
  );
  const products = await db.query<{
    product_id: string | null;
    title: string | null;
    units: string;
    amount: string;
  }>(
    `WITH ${boundsSql('$2', '$3', '$4')}
     SELECT li.product_id::text AS product_id, coalesce(p.title, min(li.title)) AS title,
            sum(rli.quantity)::text AS units, round(sum(rli.subtotal), 2)::text AS amount
     FROM refund_line_items rli
     JOIN refunds r ON r.tenant_id = rli.tenant_id AND r.id = rli.refund_id
     JOIN orders o ON o.tenant_id = rli.tenant_id AND o.id = r.order_id
     JOIN order_line_items li ON li.tenant_id = rli.tenant_id AND li.id = rli.line_item_id
     LEFT JOIN products p ON p.tenant_id = $1 AND p.id = li.product_id
     CROSS JOIN bounds b
     WHERE rli.tenant_id = $1 AND r.tenant_id = $1 AND o.tenant_id = $1 AND li.tenant_id = $1
       AND NOT o.test AND o.deleted_at IS NULL AND NOT li.gift_card
       AND r.processed_at >= b.start_at AND r.processed_at < b.end_at
     GROUP BY li.product_id, p.title
     ORDER BY sum(rli.subtotal) DESC, sum(rli.quantity) DESC, li.product_id NULLS LAST
     LIMIT $5`,
    [...params, limit],
  );
  const orders = Number(total!.orders);
  const refundedOrders = Number(total!.refunded_orders);
  return {
    rows: rows.map((row) => ({ date: row.date, ...figures(row) })),
    totals: { ...figures(total!), orders, refundedOrders, refundRate: percent(refundedOrders, orders) },
    products: products.map((row) => ({
      productId: row.product_id,
      title: row.title,
      unitsRefunded: Number(row.units),
      amountRefunded: row.amount,
    })),
  };
}
