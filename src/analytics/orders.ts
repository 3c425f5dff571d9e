/**
 * Order metrics, as Shopify's sales reports count them
 * (help.shopify.com/en/manual/reports-and-analytics/shopify-reports/report-types/default-reports/sales-reports,
 * definitions in src/analytics/sales.ts):
 *
 * - Orders: orders placed in the bucket (processed date, store time zone); test and deleted orders never
 *   count; a cancelled order still counts on its processed date.
 * - Units ordered: the quantity of the line items of those orders, gift cards left out (they are not sales),
 *   as ordered (later refunds do not lower it).
 * - Average order value = (gross sales - discounts) / orders, Shopify's definition; "0.00" without orders.
 * - Recent orders: the newest orders by processed date, each with its net sales to date: gross sales -
 *   discounts - returns of all its refunds, or zero for an order cancelled without a refund (its whole sale
 *   is returned on cancellation).
 * Money: decimal strings in shop currency, rounded to cents. Times: UTC ISO-8601.
 */
import Big from 'big.js';
import type { Queryable } from '../db/client.ts';
import { boundsSql } from './buckets.ts';
import { average } from './compare.ts';
import type { DateRange, Interval } from './range.ts';
import { salesOverTime } from './sales.ts';

export type OrdersBucket = { date: string; orders: number; unitsOrdered: number };
export type OrdersTotals = { orders: number; unitsOrdered: number; averageUnitsPerOrder: string };

/** Line item units of the orders placed in the range, by bucket start (YYYY-MM-DD). */
async function unitsByBucket(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
): Promise<Map<string, number>> {
  const rows = await db.query<{ date: string; units: string }>(
    `WITH ${boundsSql('$2', '$3', '$4')}
     SELECT to_char(date_trunc($5, o.processed_at AT TIME ZONE $4), 'YYYY-MM-DD') AS date,
            sum(li.quantity)::text AS units
     FROM orders o
     JOIN order_line_items li ON li.tenant_id = o.tenant_id AND li.order_id = o.id
     CROSS JOIN bounds b
     WHERE o.tenant_id = $1 AND li.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL AND NOT li.gift_card
       AND o.processed_at >= b.start_at AND o.processed_at < b.end_at
     GROUP BY 1`,
    [tenantId, range.from, range.to, range.timezone, interval],
  );
  return new Map(rows.map((row) => [row.date, Number(row.units)]));
}

/**
 * Orders and units ordered per bucket (day, ISO week, month, quarter or year in the store's time zone;
 * `date` is the bucket's first day, every bucket of the range included) and their totals over the range.
 */
export async function ordersOverTime(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
): Promise<{ rows: OrdersBucket[]; totals: OrdersTotals }> {
  const sales = await salesOverTime(db, tenantId, range, interval);
  const units = await unitsByBucket(db, tenantId, range, interval);
  const rows = sales.map((bucket) => ({
    date: bucket.date,
    orders: bucket.orders,
    unitsOrdered: units.get(bucket.date) ?? 0,
  }));
  const orders = rows.reduce((total, row) => total + row.orders, 0);
  const unitsOrdered = rows.reduce((total, row) => total + row.unitsOrdered, 0);
  return { rows, totals: { orders, unitsOrdered, averageUnitsPerOrder: average(unitsOrdered, orders) } };
}

export type AverageOrderValueBucket = {
  date: string;
  orders: number;
  grossSales: string;
  discounts: string;
  averageOrderValue: string;
};
export type AverageOrderValueTotals = Omit<AverageOrderValueBucket, 'date'>;

/**
 * Average order value per bucket (as `ordersOverTime`) and over the whole range, from the orders, gross
 * sales and discounts of `salesOverTime`.
 */
export async function averageOrderValueOverTime(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  interval: Interval,
): Promise<{ rows: AverageOrderValueBucket[]; totals: AverageOrderValueTotals }> {
  const sales = await salesOverTime(db, tenantId, range, interval);
  const rows = sales.map((bucket) => ({
    date: bucket.date,
    orders: bucket.orders,
    grossSales: bucket.grossSales,
    discounts: bucket.discounts,
    averageOrderValue: average(new Big(bucket.grossSales).minus(bucket.discounts), bucket.orders),
  }));
  const orders = rows.reduce((total, row) => total + row.orders, 0);
  const grossSales = rows.reduce((total, row) => total.plus(row.grossSales), new Big(0));
  const discounts = rows.reduce((total, row) => total.plus(row.discounts), new Big(0));
  return {
    rows,
    totals: {
      orders,
      grossSales: grossSales.toFixed(2),
      discounts: discounts.toFixed(2),
      averageOrderValue: average(grossSales.minus(discounts), orders),
    },
  };
}

export type RecentOrder = {
  id: string;
  name: string | null;
  processedAt: string;
  customer: { id: string; email: string | null; firstName: string | null; lastName: string | null } | null;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  cancelledAt: string | null;
  totalPrice: string | null;
  netSales: string;
  currency: string | null;
  presentmentCurrency: string | null;
  presentmentTotalPrice: string | null;
};

/** The `limit` newest orders processed in the range, newest first (ties: higher id first). */
export async function recentOrders(
  db: Queryable,
  tenantId: string,
  range: DateRange,
  limit: number,
): Promise<RecentOrder[]> {
  const rows = await db.query<{
    id: string;
    name: string | null;
    processed_at: string;
    customer_id: string | null;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    financial_status: string | null;
    fulfillment_status: string | null;
    cancelled_at: string | null;
    total_price: string | null;
    net_sales: string;
    currency: string | null;
    presentment_currency: string | null;
    presentment_total_price: string | null;
  }>(
    `WITH ${boundsSql('$2', '$3', '$4')}
     SELECT o.id::text AS id, o.name, o.processed_at, o.customer_id::text AS customer_id,
            c.email, c.first_name, c.last_name, o.financial_status, o.fulfillment_status, o.cancelled_at,
            o.total_price::text AS total_price,
            round(CASE WHEN o.cancelled_at IS NOT NULL AND r.returns IS NULL THEN 0
                       ELSE o.gross_sales - o.discounts - coalesce(r.returns, 0) END, 2)::text AS net_sales,
            o.currency, o.presentment_currency,
            o.raw #>> '{total_price_set,presentment_money,amount}' AS presentment_total_price
     FROM orders o
     CROSS JOIN bounds b
     LEFT JOIN customers c ON c.tenant_id = $1 AND c.id = o.customer_id
     LEFT JOIN LATERAL (
       SELECT sum(rf.returns) AS returns FROM refunds rf WHERE rf.tenant_id = $1 AND rf.order_id = o.id
     ) r ON true
     WHERE o.tenant_id = $1 AND NOT o.test AND o.deleted_at IS NULL
       AND o.processed_at >= b.start_at AND o.processed_at < b.end_at
     ORDER BY o.processed_at DESC, o.id DESC
     LIMIT $5`,
    [tenantId, range.from, range.to, range.timezone, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    processedAt: row.processed_at,
    customer:
      row.customer_id === null
        ? null
        : { id: row.customer_id, email: row.email, firstName: row.first_name, lastName: row.last_name },
    financialStatus: row.financial_status,
    fulfillmentStatus: row.fulfillment_status,
    cancelledAt: row.cancelled_at,
    totalPrice: row.total_price,
    netSales: row.net_sales,
    currency: row.currency,
    presentmentCurrency: row.presentment_currency,
    presentmentTotalPrice: row.presentment_total_price,
  }));
}
