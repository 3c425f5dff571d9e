/**
 * The order list and order detail. Deleted orders are never shown; test orders only with `include_test`
 * (the list) and always flagged `test`. Money: decimal strings in the order's shop currency; ids: decimal
 * strings; times: UTC ISO-8601.
 */
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { checkoutsWithStatusSql, CHECKOUT_STATUSES, type CheckoutStatus } from '../analytics/checkouts.ts';
import { csvColumnsOf, type CsvColumn } from '../http/csv.ts';
import {
  containsPattern,
  dateConditions,
  fetchPage,
  Params,
  queryText,
  type Cursor,
  type RawPage,
  type Sort,
  type SortColumn,
  type Direction,
} from './cursor.ts';

const money = z.string().nullable();
const time = z.string().nullable();

export const orderRow = z.object({
  id: z.string(),
  name: z.string().nullable(),
  orderNumber: z.string().nullable(),
  email: z.string().nullable(),
  customerId: z.string().nullable(),
  customerFirstName: z.string().nullable(),
  customerLastName: z.string().nullable(),
  financialStatus: z.string().nullable(),
  fulfillmentStatus: z.string().nullable(),
  currency: z.string().nullable(),
  subtotalPrice: money,
  totalDiscounts: money,
  totalTax: money,
  totalPrice: money,
  sourceName: z.string().nullable(),
  test: z.boolean(),
  processedAt: time,
  createdAt: time,
  updatedAt: time,
  cancelledAt: time,
  cancelReason: z.string().nullable(),
});
export type OrderRow = z.infer<typeof orderRow>;

/** Sorts of the order list (default `processed_at:desc`). */
export const ORDER_SORTS: Record<string, SortColumn & { direction: Direction }> = {
  processed_at: { sql: 'o.processed_at', type: 'timestamptz', direction: 'desc' },
  created_at: { sql: 'o.created_at', type: 'timestamptz', direction: 'desc' },
  updated_at: { sql: 'o.updated_at', type: 'timestamptz', direction: 'desc' },
  total_price: { sql: 'o.total_price', type: 'numeric', direction: 'desc' },
  order_number: { sql: 'o.order_number', type: 'bigint', direction: 'desc' },
};
export const DEFAULT_ORDER_SORT = 'processed_at';

const yesNo = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * Filters of the order list: `q` (order name, email, a line item's title or SKU), `from`/`to` (processed
 * date in the store's time zone), `financial_status`, `fulfillment_status` (`unfulfilled` matches Shopify's
 * null), `cancelled`, `customer_id`, `include_test`.
 */
export const orderFilters = z.object({
  q: queryText.optional(),
  financial_status: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional(),
  fulfillment_status: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional(),
  cancelled: yesNo.optional(),
  customer_id: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  include_test: yesNo.optional(),
});
export type OrderFilters = z.infer<typeof orderFilters> & { from?: string | undefined; to?: string | undefined };

const ORDER_COLUMNS = `
  o.id::text AS id, o.name, o.order_number::text AS order_number, o.email, o.customer_id::text AS customer_id,
  cu.first_name AS customer_first_name, cu.last_name AS customer_last_name,
  o.financial_status, o.fulfillment_status, o.currency, o.subtotal_price, o.total_discounts, o.total_tax,
  o.total_price, o.source_name, o.test, o.processed_at, o.created_at, o.updated_at, o.cancelled_at,
  o.cancel_reason`;
const ORDER_FROM = `orders o
  LEFT JOIN customers cu ON cu.tenant_id = o.tenant_id AND cu.id = o.customer_id AND cu.deleted_at IS NULL`;

type OrderDbRow = {
  id: string;
  name: string | null;
  order_number: string | null;
  email: string | null;
  customer_id: string | null;
  customer_first_name: string | null;
  customer_last_name: string | null;
  financial_status: string | null;
  fulfillment_status: string | null;
  currency: string | null;
  subtotal_price: string | null;
  total_discounts: string | null;
  total_tax: string | null;
  total_price: string | null;
  source_name: string | null;
  test: boolean;
  processed_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
};

const toOrderRow = (row: OrderDbRow): OrderRow => ({
  id: row.id,
  name: row.name,
  orderNumber: row.order_number,
  email: row.email,
  customerId: row.customer_id,
  customerFirstName: row.customer_first_name,
  customerLastName: row.customer_last_name,
  financialStatus: row.financial_status,
  fulfillmentStatus: row.fulfillment_status,
  currency: row.currency,
  subtotalPrice: row.subtotal_price,
  totalDiscounts: row.total_discounts,
  totalTax: row.total_tax,
  totalPrice: row.total_price,
  sourceName: row.source_name,
  test: row.test,
  processedAt: row.processed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  cancelledAt: row.cancelled_at,
  cancelReason: row.cancel_reason,
});

/** One page of a tenant's orders matching `filters`, after `cursor`, in `sort` order. */
export async function listOrders(
  db: Queryable,
  tenantId: string,
  timezone: string,
  filters: OrderFilters,
  sort: Sort,
  cursor: Cursor | undefined,
  limit: number,
): Promise<RawPage<OrderRow>> {
  const params = new Params();
  const where = [`o.tenant_id = ${params.add(tenantId)}`, 'o.deleted_at IS NULL'];
  if (!filters.include_test) where.push('NOT o.test');
  if (filters.q) {
    const q = params.add(containsPattern(filters.q));
    where.push(`(o.name ILIKE ${q} OR o.email ILIKE ${q} OR EXISTS (
      SELECT 1 FROM order_line_items li
      WHERE li.tenant_id = o.tenant_id AND li.order_id = o.id AND (li.title ILIKE ${q} OR li.sku ILIKE ${q})))`);
  }
  if (filters.financial_status) where.push(`o.financial_status = ${params.add(filters.financial_status)}`);
  if (filters.fulfillment_status === 'unfulfilled') {
    where.push(`(o.fulfillment_status IS NULL OR o.fulfillment_status = 'unfulfilled')`);
  } else if (filters.fulfillment_status) {
    where.push(`o.fulfillment_status = ${params.add(filters.fulfillment_status)}`);
  }
  if (filters.cancelled !== undefined) {
    where.push(filters.cancelled ? 'o.cancelled_at IS NOT NULL' : 'o.cancelled_at IS NULL');
  }
  if (filters.customer_id) where.push(`o.customer_id = ${params.add(filters.customer_id)}::bigint`);
  where.push(...dateConditions('o.processed_at', filters, timezone, params));
  const page = await fetchPage<OrderDbRow>(
    db,
    { select: ORDER_COLUMNS, from: ORDER_FROM, where, id: 'o.id' },
    params.values,
    sort,
    cursor,
    limit,
  );
  return { rows: page.rows.map(toOrderRow), next: page.next };
}

/** CSV columns of the order list (the JSON row's fields). */
export const ORDER_CSV: CsvColumn<OrderRow>[] = csvColumnsOf(orderRow);

const lineItem = z.object({
  id: z.string(),
  productId: z.string().nullable(),
  variantId: z.string().nullable(),
  title: z.string().nullable(),
  variantTitle: z.string().nullable(),
  sku: z.string().nullable(),
  quantity: z.number(),
  price: z.string(),
  giftCard: z.boolean(),
  grossSales: z.string(),
  discounts: z.string(),
  taxes: z.string(),
});

const refund = z.object({
  id: z.string(),
  note: z.string().nullable(),
  restock: z.boolean().nullable(),
  createdAt: time,
  processedAt: time,
  returns: z.string(),
  refundedShipping: z.string(),
  refundedTaxes: z.string(),
  refundedDuties: z.string(),
  lineItems: z.array(
    z.object({
      id: z.string(),
      lineItemId: z.string().nullable(),
      quantity: z.number(),
      subtotal: z.string(),
      totalTax: z.string(),
      restockType: z.string().nullable(),
    }),
  ),
});

export const orderDetail = orderRow.extend({
  presentmentCurrency: z.string().nullable(),
  taxesIncluded: z.boolean(),
  closedAt: time,
  /** Shopify's sales figures of the order on its date (src/analytics/sales.ts), rounded to cents. */
  grossSales: z.string(),
  discounts: z.string(),
  shipping: z.string(),
  taxes: z.string(),
  duties: z.string(),
  lineItems: z.array(lineItem),
  refunds: z.array(refund),
  checkout: z
    .object({
      id: z.string(),
      token: z.string().nullable(),
      status: z.enum(CHECKOUT_STATUSES),
      createdAt: time,
      totalPrice: money,
    })
    .nullable(),
  customer: z
    .object({
      id: z.string(),
      email: z.string().nullable(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
    })
    .nullable(),
});
export type OrderDetail = z.infer<typeof orderDetail>;

/**
 * One order of the tenant with its line items, refunds (with their lines), checkout (with its status) and
 * customer; undefined for an unknown or deleted order. Test orders are shown, flagged `test`.
 *
 * @param thresholdMinutes the tenant's `abandonment_threshold_minutes` (for the checkout's status).
 */
export async function orderDetails(
  db: Queryable,
  tenantId: string,
  orderId: string,
  thresholdMinutes: number,
): Promise<OrderDetail | undefined> {
  const [row] = await db.query<
    OrderDbRow & {
      presentment_currency: string | null;
      taxes_included: boolean;
      closed_at: string | null;
      gross_sales: string;
      discounts: string;
      shipping: string;
      taxes: string;
      duties: string;
      checkout_id: string | null;
      checkout_token: string | null;
      customer_email: string | null;
    }
  >(
    `SELECT ${ORDER_COLUMNS}, o.presentment_currency, o.taxes_included, o.closed_at,
            round(o.gross_sales, 2)::text AS gross_sales, round(o.discounts, 2)::text AS discounts,
            round(o.shipping, 2)::text AS shipping, round(o.taxes, 2)::text AS taxes,
            round(o.duties, 2)::text AS duties, o.checkout_id::text AS checkout_id, o.checkout_token,
            cu.email AS customer_email
     FROM ${ORDER_FROM}
     WHERE o.tenant_id = $1 AND o.id = $2::bigint AND o.deleted_at IS NULL`,
    [tenantId, orderId],
  );
  if (!row) return undefined;
  const lines = await db.query<{
    id: string;
    product_id: string | null;
    variant_id: string | null;
    title: string | null;
    variant_title: string | null;
    sku: string | null;
    quantity: number;
    price: string;
    gift_card: boolean;
    gross_sales: string;
    discounts: string;
    taxes: string;
  }>(
    `SELECT id::text AS id, product_id::text AS product_id, variant_id::text AS variant_id, title, variant_title,
            sku, quantity, price, gift_card, round(gross_sales, 2)::text AS gross_sales,
            round(discounts, 2)::text AS discounts, round(taxes, 2)::text AS taxes
     FROM order_line_items WHERE tenant_id = $1 AND order_id = $2::bigint ORDER BY id`,
    [tenantId, orderId],
  );
  const refunds = await db.query<{
    id: string;
    note: string | null;
    restock: boolean | null;
    created_at: string | null;
    processed_at: string | null;
    returns: string;
    refunded_shipping: string;
    refunded_taxes: string;
    refunded_duties: string;
  }>(
    `SELECT id::text AS id, note, restock, created_at, processed_at, round(returns, 2)::text AS returns,
            round(refunded_shipping, 2)::text AS refunded_shipping, round(refunded_taxes, 2)::text AS refunded_taxes,
            round(refunded_duties, 2)::text AS refunded_duties
     FROM refunds WHERE tenant_id = $1 AND order_id = $2::bigint ORDER BY processed_at, id`,
    [tenantId, orderId],
  );
  const refundLines = await db.query<{
    id: string;
    refund_id: string;
    line_item_id: string | null;
    quantity: number;
    subtotal: string;
    total_tax: string;
    restock_type: string | null;
  }>(
    `SELECT id::text AS id, refund_id::text AS refund_id, line_item_id::text AS line_item_id, quantity, subtotal,
            total_tax, restock_type
     FROM refund_line_items WHERE tenant_id = $1 AND order_id = $2::bigint ORDER BY id`,
    [tenantId, orderId],
  );
  const [checkout] =
    row.checkout_id || row.checkout_token
      ? await db.query<{
          id: string;
          token: string | null;
          status: CheckoutStatus;
          created_at: string | null;
          total_price: string | null;
        }>(
          `SELECT k.id::text AS id, k.token, k.status, k.created_at, k.total_price
           FROM (${checkoutsWithStatusSql('$1', '$2')}) k
           WHERE k.id = $3::bigint OR (k.token IS NOT NULL AND k.token = $4)
           ORDER BY k.id = $3::bigint DESC LIMIT 1`,
          [tenantId, thresholdMinutes, row.checkout_id ?? '0', row.checkout_token],
        )
      : [];
  return {
    ...toOrderRow(row),
    presentmentCurrency: row.presentment_currency,
    taxesIncluded: row.taxes_included,
    closedAt: row.closed_at,
    grossSales: row.gross_sales,
    discounts: row.discounts,
    shipping: row.shipping,
    taxes: row.taxes,
    duties: row.duties,
    lineItems: lines.map((line) => ({
      id: line.id,
      productId: line.product_id,
      variantId: line.variant_id,
      title: line.title,
      variantTitle: line.variant_title,
      sku: line.sku,
      quantity: line.quantity,
      price: line.price,
      giftCard: line.gift_card,
      grossSales: line.gross_sales,
      discounts: line.discounts,
      taxes: line.taxes,
    })),
    refunds: refunds.map((refund) => ({
      id: refund.id,
      note: refund.note,
      restock: refund.restock,
      createdAt: refund.created_at,
      processedAt: refund.processed_at,
      returns: refund.returns,
      refundedShipping: refund.refunded_shipping,
      refundedTaxes: refund.refunded_taxes,
      refundedDuties: refund.refunded_duties,
      lineItems: refundLines
        .filter((line) => line.refund_id === refund.id)
        .map((line) => ({
          id: line.id,
          lineItemId: line.line_item_id,
          quantity: line.quantity,
          subtotal: line.subtotal,
          totalTax: line.total_tax,
          restockType: line.restock_type,
        })),
    })),
    checkout: checkout
      ? {
          id: checkout.id,
          token: checkout.token,
          status: checkout.status,
          createdAt: checkout.created_at,
          totalPrice: checkout.total_price,
        }
      : null,
    customer: row.customer_id
      ? {
          id: row.customer_id,
          email: row.customer_email,
          firstName: row.customer_first_name,
          lastName: row.customer_last_name,
        }
      : null,
  };
}
