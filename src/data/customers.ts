/**
 * The customer list and customer detail, with each customer's order statistics. Deleted customers are never
 * shown. Statistics count the customer's orders ever placed, test and deleted orders left out:
 * - orders: their number; first/last order: their earliest and latest processed date;
 * - net sales: Shopify's net sales of those orders (gross sales - discounts - returns, definitions in
 *   src/analytics/sales.ts): each order's gross sales less discounts, less its refunds' returns, or its
 *   whole sale when it was cancelled without refunds;
 * - returning: more than one order, as Shopify's returning customer rate counts customers who placed more
 *   than one order (Shopify Analytics; per-customer order counts as in the ShopifyQL `customers` schema,
 *   shopify.dev/docs/api/shopifyql/latest/schemas/customers/customers).
 * Money: decimal strings in shop currency; ids: decimal strings; times: UTC ISO-8601.
 */
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
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
import { listOrders, orderRow, ORDER_SORTS, type OrderRow } from './orders.ts';

const time = z.string().nullable();

export const customerRow = z.object({
  id: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  state: z.string().nullable(),
  tags: z.string().nullable(),
  createdAt: time,
  updatedAt: time,
  orders: z.number(),
  netSales: z.string(),
  firstOrderAt: time,
  lastOrderAt: time,
  returning: z.boolean(),
});
export type CustomerRow = z.infer<typeof customerRow>;

const NAME_SQL = `nullif(lower(concat_ws(' ', c.first_name, c.last_name)), '')`;

/** Sorts of the customer list (default `created_at:desc`). */
export const CUSTOMER_SORTS: Record<string, SortColumn & { direction: Direction }> = {
  created_at: { sql: 'c.created_at', type: 'timestamptz', direction: 'desc' },
  updated_at: { sql: 'c.updated_at', type: 'timestamptz', direction: 'desc' },
  name: { sql: NAME_SQL, type: 'text', direction: 'asc' },
  email: { sql: 'lower(c.email)', type: 'text', direction: 'asc' },
  orders: { sql: 'coalesce(f.orders, 0)', type: 'bigint', direction: 'desc' },
  net_sales: { sql: 'coalesce(f.net_sales, 0)', type: 'numeric', direction: 'desc' },
  first_order_at: { sql: 'f.first_order_at', type: 'timestamptz', direction: 'desc' },
  last_order_at: { sql: 'f.last_order_at', type: 'timestamptz', direction: 'desc' },
};
export const DEFAULT_CUSTOMER_SORT = 'created_at';
/** Sorts on the statistics: only these (and the `returning` filter) need every customer's statistics. */
const FIGURE_SORTS = new Set(['orders', 'net_sales', 'first_order_at', 'last_order_at']);

const yesNo = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Filters: `q` (name or email), `returning`, `from`/`to` (customer created date, store time zone). */
export const customerFilters = z.object({
  q: queryText.optional(),
  returning: yesNo.optional(),
});
export type CustomerFilters = z.infer<typeof customerFilters> & {
  from?: string | undefined;
  to?: string | undefined;
};

/**
 * Per-customer statistics (module comment) of tenant `tenant` (a placeholder), of every customer or of those
 * `only` (a condition on `o.customer_id`) names.
 */
const figuresSql = (tenant: string, only?: string) => `
  f AS (
    SELECT o.customer_id, count(*) AS orders, min(o.processed_at) AS first_order_at,
           max(o.processed_at) AS last_order_at,
           round(sum(o.gross_sales - o.discounts - coalesce(rr.returns,
             CASE WHEN o.cancelled_at IS NOT NULL THEN o.gross_sales - o.discounts ELSE 0 END)), 2) AS net_sales
    FROM orders o
    LEFT JOIN LATERAL (
      SELECT sum(r.returns) AS returns FROM refunds r WHERE r.tenant_id = o.tenant_id AND r.order_id = o.id
    ) rr ON TRUE
    WHERE o.tenant_id = ${tenant} AND NOT o.test AND o.deleted_at IS NULL AND o.customer_id IS NOT NULL
      ${only ? `AND ${only}` : ''}
    GROUP BY o.customer_id
  )`;

const CUSTOMER_COLUMNS = `
  c.id::text AS id, c.email, c.first_name, c.last_name, c.phone, c.state, c.tags, c.created_at, c.updated_at,
  coalesce(f.orders, 0)::int AS orders, coalesce(f.net_sales, 0.00)::text AS net_sales, f.first_order_at,
  f.last_order_at`;
const CUSTOMER_FROM = 'customers c LEFT JOIN f ON f.customer_id = c.id';

type CustomerDbRow = {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  state: string | null;
  tags: string | null;
  created_at: string | null;
  updated_at: string | null;
  orders: number;
  net_sales: string;
  first_order_at: string | null;
  last_order_at: string | null;
};

const toCustomerRow = (row: CustomerDbRow): CustomerRow => ({
  id: row.id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  phone: row.phone,
  state: row.state,
  tags: row.tags,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  orders: row.orders,
  netSales: row.net_sales,
  firstOrderAt: row.first_order_at,
  lastOrderAt: row.last_order_at,
  returning: row.orders > 1,
});

/**
 * One page of a tenant's customers matching `filters`, after `cursor`, in `sort` order. Unless the sort or
 * the filter is on the statistics, the page is read from `customers` alone and only its rows' statistics are
 * computed, so that a page does not add up every order of the store.
 */
export async function listCustomers(
  db: Queryable,
  tenantId: string,
  timezone: string,
  filters: CustomerFilters,
  sort: Sort,
  cursor: Cursor | undefined,
  limit: number,
): Promise<RawPage<CustomerRow>> {
  const params = new Params();
  const tenant = params.add(tenantId);
  const where = [`c.tenant_id = ${tenant}`, 'c.deleted_at IS NULL'];
  if (filters.q) {
    const q = params.add(containsPattern(filters.q));
    where.push(`(concat_ws(' ', c.first_name, c.last_name) ILIKE ${q} OR c.email ILIKE ${q})`);
  }
  if (filters.returning !== undefined) {
    where.push(filters.returning ? 'coalesce(f.orders, 0) > 1' : 'coalesce(f.orders, 0) <= 1');
  }
  where.push(...dateConditions('c.created_at', filters, timezone, params));
  if (FIGURE_SORTS.has(sort.name) || filters.returning !== undefined) {
    const page = await fetchPage<CustomerDbRow>(
      db,
      { with: figuresSql(tenant), select: CUSTOMER_COLUMNS, from: CUSTOMER_FROM, where, id: 'c.id' },
      params.values,
      sort,
      cursor,
      limit,
    );
    return { rows: page.rows.map(toCustomerRow), next: page.next };
  }
  const page = await fetchPage<{ id: string }>(
    db,
    { select: 'c.id::text AS id', from: 'customers c', where, id: 'c.id' },
    params.values,
    sort,
    cursor,
    limit,
  );
  const ids = page.rows.map((row) => row.id);
  const found = ids.length
    ? await db.query<CustomerDbRow>(
        `WITH ${figuresSql('$1', 'o.customer_id = ANY($2::bigint[])')}
         SELECT ${CUSTOMER_COLUMNS} FROM ${CUSTOMER_FROM} WHERE c.tenant_id = $1 AND c.id = ANY($2::bigint[])`,
        [tenantId, ids],
      )
    : [];
  const byId = new Map(found.map((row) => [row.id, row]));
  return { rows: ids.map((id) => toCustomerRow(byId.get(id)!)), next: page.next };
}

/** CSV columns of the customer list (the JSON row's fields). */
export const CUSTOMER_CSV: CsvColumn<CustomerRow>[] = csvColumnsOf(customerRow);

export const customerDetail = customerRow.extend({
  /** The customer's latest orders (up to 10), newest first. */
  recentOrders: z.array(orderRow),
});
export type CustomerDetail = z.infer<typeof customerDetail>;

/** One customer of the tenant with their statistics and latest orders; undefined when unknown or deleted. */
export async function customerDetails(
  db: Queryable,
  tenantId: string,
  timezone: string,
  customerId: string,
): Promise<CustomerDetail | undefined> {
  const [row] = await db.query<CustomerDbRow>(
    `WITH ${figuresSql('$1', 'o.customer_id = $2::bigint')}
     SELECT ${CUSTOMER_COLUMNS} FROM ${CUSTOMER_FROM}
     WHERE c.tenant_id = $1 AND c.id = $2::bigint AND c.deleted_at IS NULL`,
    [tenantId, customerId],
  );
  if (!row) return undefined;
  const recent = await listOrders(
    db,
    tenantId,
    timezone,
    { customer_id: customerId },
    { name: 'processed_at', column: ORDER_SORTS.processed_at!, direction: 'desc' },
    undefined,
    10,
  );
  return { ...toCustomerRow(row), recentOrders: recent.rows satisfies OrderRow[] };
}
