/**
 * Bulk writes of normalized Shopify entities. Each call sends one statement whatever the batch size: the rows
 * travel as one JSON document (`jsonb_to_recordset`), which keeps 64-bit ids and decimals exact.
 *
 * Convergence: an upsert applies only when the incoming version is at least as new as the stored one
 * (`updated_at`, Shopify's), so duplicates and out-of-order deliveries end in the same rows. Soft deletes set
 * `deleted_at` and nothing ever clears it. Rows are sorted by key so that concurrent workers lock rows in the
 * same order.
 */
import type { Queryable } from '../db/client.ts';
import type {
  CustomerRow,
  LineItemRow,
  OrderRow,
  ProductRow,
  RefundLineItemRow,
  RefundRow,
  VariantRow,
} from './normalize.ts';

type Column = readonly [name: string, type: string];

const CUSTOMER_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['email', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['phone', 'text'],
  ['state', 'text'],
  ['tags', 'text'],
  ['currency', 'text'],
  ['orders_count', 'integer'],
  ['total_spent', 'numeric'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

const PRODUCT_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['title', 'text'],
  ['handle', 'text'],
  ['vendor', 'text'],
  ['product_type', 'text'],
  ['status', 'text'],
  ['tags', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['published_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

const VARIANT_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['product_id', 'bigint'],
  ['title', 'text'],
  ['sku', 'text'],
  ['price', 'numeric'],
  ['compare_at_price', 'numeric'],
  ['position', 'integer'],
  ['inventory_item_id', 'bigint'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

const ORDER_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['name', 'text'],
  ['order_number', 'bigint'],
  ['email', 'text'],
  ['customer_id', 'bigint'],
  ['currency', 'text'],
  ['presentment_currency', 'text'],
  ['financial_status', 'text'],
  ['fulfillment_status', 'text'],
  ['test', 'boolean'],
  ['taxes_included', 'boolean'],
  ['source_name', 'text'],
  ['checkout_id', 'bigint'],
  ['created_at', 'timestamptz'],
  ['processed_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['cancelled_at', 'timestamptz'],
  ['cancel_reason', 'text'],
  ['closed_at', 'timestamptz'],
  ['subtotal_price', 'numeric'],
  ['total_discounts', 'numeric'],
  ['total_tax', 'numeric'],
  ['total_price', 'numeric'],
  ['gross_sales', 'numeric'],
  ['discounts', 'numeric'],
  ['shipping', 'numeric'],
  ['taxes', 'numeric'],
  ['raw', 'jsonb'],
];

const LINE_ITEM_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['order_id', 'bigint'],
  ['product_id', 'bigint'],
  ['variant_id', 'bigint'],
  ['title', 'text'],
  ['variant_title', 'text'],
  ['sku', 'text'],
  ['quantity', 'integer'],
  ['price', 'numeric'],
  ['gift_card', 'boolean'],
  ['gross_sales', 'numeric'],
  ['discounts', 'numeric'],
  ['taxes', 'numeric'],
  ['raw', 'jsonb'],
];

const REFUND_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['order_id', 'bigint'],
  ['note', 'text'],
  ['restock', 'boolean'],
  ['created_at', 'timestamptz'],
  ['processed_at', 'timestamptz'],
  ['returns', 'numeric'],
  ['refunded_shipping', 'numeric'],
  ['refunded_taxes', 'numeric'],
  ['raw', 'jsonb'],
];

const REFUND_LINE_ITEM_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['refund_id', 'bigint'],
  ['order_id', 'bigint'],
  ['line_item_id', 'bigint'],
  ['quantity', 'integer'],
  ['subtotal', 'numeric'],
  ['total_tax', 'numeric'],
  ['restock_type', 'text'],
  ['raw', 'jsonb'],
];

type UpsertOptions = {
  table: string;
  columns: Column[];
  /** The version column: the update applies when the stored value is null or not newer. */
  version?: string;
  /** The table has a `synced_at` column, stamped on every write. */
  stamped?: boolean;
};

function upsertSql({ table, columns, version, stamped }: UpsertOptions): string {
  const names = columns.map(([name]) => name);
  const recordset = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const set = names
    .filter((name) => name !== 'tenant_id' && name !== 'id')
    .map((name) => `${name} = excluded.${name}`)
    .concat(stamped ? ['synced_at = now()'] : [])
    .join(', ');
  // A newer version wins; the same version wins only with different content (a later delivery of an edited
  // payload), so an identical replay writes nothing at all.
  const guard = version
    ? `WHERE (t.${version} IS NULL AND excluded.${version} IS NOT NULL) OR t.${version} < excluded.${version}
         OR (t.${version} IS NOT DISTINCT FROM excluded.${version} AND t.raw IS DISTINCT FROM excluded.raw)`
    : '';
  return `INSERT INTO ${table} AS t (${names.join(', ')})
SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordset})
ON CONFLICT (tenant_id, id) DO UPDATE SET ${set} ${guard}
RETURNING tenant_id::text AS tenant_id, id::text AS id`;
}

const sql = {
  customers: upsertSql({
    table: 'customers',
    columns: CUSTOMER_COLUMNS,
    version: 'updated_at',
    stamped: true,
  }),
  products: upsertSql({ table: 'products', columns: PRODUCT_COLUMNS, version: 'updated_at', stamped: true }),
  variants: upsertSql({ table: 'product_variants', columns: VARIANT_COLUMNS }),
  orders: upsertSql({ table: 'orders', columns: ORDER_COLUMNS, version: 'updated_at', stamped: true }),
  lineItems: upsertSql({ table: 'order_line_items', columns: LINE_ITEM_COLUMNS }),
  refunds: upsertSql({ table: 'refunds', columns: REFUND_COLUMNS, version: 'processed_at', stamped: true }),
  refundLineItems: upsertSql({ table: 'refund_line_items', columns: REFUND_LINE_ITEM_COLUMNS }),
};

export type EntityKey = { tenant_id: string; id: string };

const byKey = (a: EntityKey, b: EntityKey) =>
  a.tenant_id < b.tenant_id ? -1 : a.tenant_id > b.tenant_id ? 1 : compareIds(a.id, b.id);
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** `tenant:id`, the key of an entity across tenants. */
export const keyOf = (row: EntityKey) => `${row.tenant_id}:${row.id}`;

async function upsert(tx: Queryable, statement: string, rows: EntityKey[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const applied = await tx.query<EntityKey>(statement, [JSON.stringify([...rows].sort(byKey))]);
  return new Set(applied.map(keyOf));
}

/** Upserts customers, newest `updated_at` wins. Returns the keys that were written. */
export const upsertCustomers = (tx: Queryable, rows: CustomerRow[]) => upsert(tx, sql.customers, rows);

/** Upserts products, newest `updated_at` wins. Returns the keys that were written. */
export const upsertProducts = (tx: Queryable, rows: ProductRow[]) => upsert(tx, sql.products, rows);

/** Upserts orders, newest `updated_at` wins. Returns the keys that were written. */
export const upsertOrders = (tx: Queryable, rows: OrderRow[]) => upsert(tx, sql.orders, rows);

/** Upserts refunds, newest `processed_at` wins. Returns the keys that were written. */
export const upsertRefunds = (tx: Queryable, rows: RefundRow[]) => upsert(tx, sql.refunds, rows);

/**
 * Makes `variants` the variants of their products: upserts them and soft-deletes the products' other
 * variants. Only call it for products whose upsert applied.
 */
export async function replaceVariants(tx: Queryable, products: EntityKey[], variants: VariantRow[]) {
  if (products.length === 0) return;
  await upsert(tx, sql.variants, variants);
  await tx.query(
    `UPDATE product_variants v SET deleted_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS p(tenant_id uuid, id bigint)
     WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id AND v.deleted_at IS NULL
       AND NOT (v.id = ANY (SELECT (e ->> 'id')::bigint FROM jsonb_array_elements($2::jsonb) e
                            WHERE (e ->> 'tenant_id')::uuid = v.tenant_id))`,
    [JSON.stringify(products), JSON.stringify(variants.map(({ tenant_id, id }) => ({ tenant_id, id })))],
  );
}

/**
 * Replaces the child rows of the given parents: deletes the parents' current children, then inserts
 * `children`. Only call it for parents whose upsert applied, in the same transaction.
 */
async function replaceChildren(
  tx: Queryable,
  table: 'order_line_items' | 'refund_line_items',
  parentColumn: 'order_id' | 'refund_id',
  parents: EntityKey[],
  children: EntityKey[],
  statement: string,
) {
  if (parents.length === 0) return;
  await tx.query(
    `DELETE FROM ${table} c USING jsonb_to_recordset($1::jsonb) AS p(tenant_id uuid, id bigint)
     WHERE c.tenant_id = p.tenant_id AND c.${parentColumn} = p.id`,
    [JSON.stringify(parents.map(({ tenant_id, id }) => ({ tenant_id, id })))],
  );
  await upsert(tx, statement, children);
}

/** Makes `lineItems` the line items of `orders`. */
export const replaceLineItems = (tx: Queryable, orders: EntityKey[], lineItems: LineItemRow[]) =>
  replaceChildren(tx, 'order_line_items', 'order_id', orders, lineItems, sql.lineItems);

/** Makes `lineItems` the refund line items of `refunds`. */
export const replaceRefundLineItems = (tx: Queryable, refunds: EntityKey[], lineItems: RefundLineItemRow[]) =>
  replaceChildren(tx, 'refund_line_items', 'refund_id', refunds, lineItems, sql.refundLineItems);

export type Deletion = EntityKey & { deleted_at: string };

/**
 * Soft-deletes rows by key; a key not yet stored gets a tombstone, so that an older create arriving later
 * stays deleted. For products, their variants are soft-deleted too.
 */
export async function softDelete(
  tx: Queryable,
  table: 'orders' | 'customers' | 'products',
  rows: Deletion[],
) {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ${table} AS t (tenant_id, id, deleted_at, raw)
     SELECT tenant_id, id, deleted_at, '{}'::jsonb
     FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id uuid, id bigint, deleted_at timestamptz)
     ON CONFLICT (tenant_id, id) DO UPDATE SET deleted_at = COALESCE(t.deleted_at, excluded.deleted_at)`,
    [JSON.stringify([...rows].sort(byKey))],
  );
  if (table === 'products') {
    await tx.query(
      `UPDATE product_variants v SET deleted_at = COALESCE(v.deleted_at, x.deleted_at)
       FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id uuid, id bigint, deleted_at timestamptz)
       WHERE v.tenant_id = x.tenant_id AND v.product_id = x.id`,
      [JSON.stringify(rows)],
    );
  }
}
