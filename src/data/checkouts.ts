/**
 * The checkout list and checkout detail, each checkout with its status (`open`, `completed`, `abandoned`,
 * `recovered`: defined in src/analytics/checkouts.ts) and the order that completed or recovered it. Deleted
 * checkouts are never shown. Money: decimal strings in shop currency; ids: decimal strings; times: UTC
 * ISO-8601.
 */
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { CHECKOUT_STATUSES, checkoutsWithStatusSql } from '../analytics/checkouts.ts';
import { csvColumnsOf, type CsvColumn } from '../http/csv.ts';
import {
  containsPattern,
  dateConditions,
  fetchPage,
  Params,
  queryText,
  type Cursor,
  type Direction,
  type RawPage,
  type Sort,
  type SortColumn,
} from './cursor.ts';

const money = z.string().nullable();
const time = z.string().nullable();

export const checkoutRow = z.object({
  id: z.string(),
  token: z.string().nullable(),
  email: z.string().nullable(),
  customerId: z.string().nullable(),
  currency: z.string().nullable(),
  subtotalPrice: money,
  totalDiscounts: money,
  totalTax: money,
  totalPrice: money,
  lineItemsCount: z.number(),
  sourceName: z.string().nullable(),
  createdAt: time,
  updatedAt: time,
  activityAt: time,
  completedAt: time,
  /** When it counts (or counted) as abandoned without an order: last activity + the tenant's threshold. */
  abandonedAfter: time,
  status: z.enum(CHECKOUT_STATUSES),
  /** The order that completed or recovered the checkout. */
  orderId: z.string().nullable(),
  orderProcessedAt: time,
});
export type CheckoutRow = z.infer<typeof checkoutRow>;

/** Sorts of the checkout list (default `created_at:desc`). */
export const CHECKOUT_SORTS: Record<string, SortColumn & { direction: Direction }> = {
  created_at: { sql: 'k.created_at', type: 'timestamptz', direction: 'desc' },
  activity_at: { sql: 'k.activity_at', type: 'timestamptz', direction: 'desc' },
  total_price: { sql: 'k.total_price', type: 'numeric', direction: 'desc' },
};
export const DEFAULT_CHECKOUT_SORT = 'created_at';

/** Filters: `q` (email or token), `status`, `from`/`to` (created date, store time zone). */
export const checkoutFilters = z.object({
  q: queryText.optional(),
  status: z.enum(CHECKOUT_STATUSES).optional(),
});
export type CheckoutFilters = z.infer<typeof checkoutFilters> & {
  from?: string | undefined;
  to?: string | undefined;
};

const CHECKOUT_COLUMNS = `
  k.id::text AS id, k.token, k.email, k.customer_id::text AS customer_id, k.currency, k.subtotal_price,
  k.total_discounts, k.total_tax, k.total_price, k.line_items_count, k.source_name, k.created_at, k.updated_at,
  k.activity_at, k.completed_at, k.deadline, k.status, k.order_id::text AS order_id, k.order_processed_at`;

type CheckoutDbRow = {
  id: string;
  token: string | null;
  email: string | null;
  customer_id: string | null;
  currency: string | null;
  subtotal_price: string | null;
  total_discounts: string | null;
  total_tax: string | null;
  total_price: string | null;
  line_items_count: number;
  source_name: string | null;
  created_at: string | null;
  updated_at: string | null;
  activity_at: string | null;
  completed_at: string | null;
  deadline: string | null;
  status: CheckoutRow['status'];
  order_id: string | null;
  order_processed_at: string | null;
};

const toCheckoutRow = (row: CheckoutDbRow): CheckoutRow => ({
  id: row.id,
  token: row.token,
  email: row.email,
  customerId: row.customer_id,
  currency: row.currency,
  subtotalPrice: row.subtotal_price,
  totalDiscounts: row.total_discounts,
  totalTax: row.total_tax,
  totalPrice: row.total_price,
  lineItemsCount: row.line_items_count,
  sourceName: row.source_name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  activityAt: row.activity_at,
  completedAt: row.completed_at,
  abandonedAfter: row.deadline,
  status: row.status,
  orderId: row.order_id,
  orderProcessedAt: row.order_processed_at,
});

/**
 * One page of a tenant's checkouts matching `filters`, after `cursor`, in `sort` order.
 *
 * @param thresholdMinutes the tenant's `abandonment_threshold_minutes`.
 */
export async function listCheckouts(
  db: Queryable,
  tenantId: string,
  timezone: string,
  thresholdMinutes: number,
  filters: CheckoutFilters,
  sort: Sort,
  cursor: Cursor | undefined,
  limit: number,
): Promise<RawPage<CheckoutRow>> {
  const params = new Params();
  const tenant = params.add(tenantId);
  const from = `(${checkoutsWithStatusSql(tenant, params.add(thresholdMinutes))}) k`;
  const where = [`k.tenant_id = ${tenant}`];
  if (filters.q) {
    const q = params.add(containsPattern(filters.q));
    where.push(`(k.email ILIKE ${q} OR k.token ILIKE ${q})`);
  }
  if (filters.status) where.push(`k.status = ${params.add(filters.status)}`);
  where.push(...dateConditions('k.created_at', filters, timezone, params));
  const page = await fetchPage<CheckoutDbRow>(
    db,
    { select: CHECKOUT_COLUMNS, from, where, id: 'k.id' },
    params.values,
    sort,
    cursor,
    limit,
  );
  return { rows: page.rows.map(toCheckoutRow), next: page.next };
}

/** CSV columns of the checkout list (the JSON row's fields). */
export const CHECKOUT_CSV: CsvColumn<CheckoutRow>[] = csvColumnsOf(checkoutRow);

export const checkoutDetail = checkoutRow.extend({
  presentmentCurrency: z.string().nullable(),
  cartToken: z.string().nullable(),
  abandonedCheckoutUrl: z.string().nullable(),
  /** The line items as Shopify sent them in the checkout (price and line price in presentment currency). */
  lineItems: z.array(
    z.object({
      key: z.string().nullable(),
      productId: z.string().nullable(),
      variantId: z.string().nullable(),
      title: z.string().nullable(),
      variantTitle: z.string().nullable(),
      sku: z.string().nullable(),
      quantity: z.number(),
      price: z.string().nullable(),
      linePrice: z.string().nullable(),
    }),
  ),
});
export type CheckoutDetail = z.infer<typeof checkoutDetail>;

/**
 * One checkout of the tenant with its status and line items; undefined when unknown or deleted.
 *
 * @param thresholdMinutes the tenant's `abandonment_threshold_minutes`.
 */
export async function checkoutDetails(
  db: Queryable,
  tenantId: string,
  checkoutId: string,
  thresholdMinutes: number,
): Promise<CheckoutDetail | undefined> {
  const [row] = await db.query<
    CheckoutDbRow & {
      presentment_currency: string | null;
      cart_token: string | null;
      abandoned_checkout_url: string | null;
    }
  >(
    `SELECT ${CHECKOUT_COLUMNS}, k.presentment_currency, k.cart_token, k.abandoned_checkout_url
     FROM (${checkoutsWithStatusSql('$1', '$2')}) k WHERE k.id = $3::bigint`,
    [tenantId, thresholdMinutes, checkoutId],
  );
  if (!row) return undefined;
  const lines = await db.query<{
    key: string | null;
    product_id: string | null;
    variant_id: string | null;
    title: string | null;
    variant_title: string | null;
    sku: string | null;
    quantity: string | null;
    price: string | null;
    line_price: string | null;
  }>(
    `SELECT l->>'key' AS key, l->>'product_id' AS product_id, l->>'variant_id' AS variant_id, l->>'title' AS title,
            l->>'variant_title' AS variant_title, l->>'sku' AS sku, l->>'quantity' AS quantity,
            l->>'price' AS price, l->>'line_price' AS line_price
     FROM checkouts c
     CROSS JOIN LATERAL jsonb_array_elements(
       CASE WHEN jsonb_typeof(c.raw->'line_items') = 'array' THEN c.raw->'line_items' ELSE '[]'::jsonb END
     ) WITH ORDINALITY AS e(l, n)
     WHERE c.tenant_id = $1 AND c.id = $2::bigint
     ORDER BY e.n`,
    [tenantId, checkoutId],
  );
  return {
    ...toCheckoutRow(row),
    presentmentCurrency: row.presentment_currency,
    cartToken: row.cart_token,
    abandonedCheckoutUrl: row.abandoned_checkout_url,
    lineItems: lines.map((line) => ({
      key: line.key,
      productId: line.product_id,
      variantId: line.variant_id,
      title: line.title,
      variantTitle: line.variant_title,
      sku: line.sku,
      quantity: Number(line.quantity ?? 0),
      price: line.price,
      linePrice: line.line_price,
    })),
  };
}
