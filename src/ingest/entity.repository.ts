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
  CartRow,
  CheckoutRow,
  CustomerRow,
  InventoryItemRow,
  InventoryLevelRow,
  LevelDisconnection,
  LineItemRow,
  LocationRow,
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
  ['checkout_token', 'text'],
  ['cart_token', 'text'],
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
  ['duties', 'numeric'],
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
  ['refunded_duties', 'numeric'],
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

const CHECKOUT_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['token', 'text'],
  ['cart_token', 'text'],
  ['email', 'text'],
  ['customer_id', 'bigint'],
  ['currency', 'text'],
  ['presentment_currency', 'text'],
  ['subtotal_price', 'numeric'],
  ['total_discounts', 'numeric'],
  ['total_tax', 'numeric'],
  ['total_price', 'numeric'],
  ['line_items_count', 'integer'],
  ['abandoned_checkout_url', 'text'],
  ['source_name', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['activity_at', 'timestamptz'],
  ['completed_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

const CART_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'text'],
  ['token', 'text'],
  ['note', 'text'],
  ['currency', 'text'],
  ['total_price', 'numeric'],
  ['line_items_count', 'integer'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

const INVENTORY_ITEM_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['sku', 'text'],
  ['cost', 'numeric'],
  ['tracked', 'boolean'],
  ['requires_shipping', 'boolean'],
  ['country_code_of_origin', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

const LOCATION_COLUMNS: Column[] = [
  ['tenant_id', 'uuid'],
  ['id', 'bigint'],
  ['name', 'text'],
  ['active', 'boolean'],
  ['address1', 'text'],
  ['city', 'text'],
  ['province', 'text'],
  ['country_code', 'text'],
  ['zip', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['raw', 'jsonb'],
];

type UpsertOptions = {
  table: string;
  columns: Column[];
  /** The version column: the update applies when the stored value is null or not newer. */
  version?: string;
  /** The table has a `synced_at` column, stamped on every write. */
  stamped?: boolean;
  /** SET expressions that replace `column = excluded.column` for the named columns. */
  merge?: Record<string, string>;
};

function upsertSql({ table, columns, version, stamped, merge = {} }: UpsertOptions): string {
  const names = columns.map(([name]) => name);
  const recordset = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const set = names
    .filter((name) => name !== 'tenant_id' && name !== 'id')
    .map((name) => `${name} = ${merge[name] ?? `excluded.${name}`}`)
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
  orders: upsertSql({
    table: 'orders',
    columns: ORDER_COLUMNS,
    version: 'updated_at',
    stamped: true,
    // The Admin GraphQL order (backfill, sync) has no checkout id or token: a synced version of an order
    // must not erase the links its webhook brought, or its checkout would read as abandoned.
    merge: {
      checkout_id: 'COALESCE(excluded.checkout_id, t.checkout_id)',
      checkout_token: 'COALESCE(excluded.checkout_token, t.checkout_token)',
      cart_token: 'COALESCE(excluded.cart_token, t.cart_token)',
    },
  }),
  lineItems: upsertSql({ table: 'order_line_items', columns: LINE_ITEM_COLUMNS }),
  refunds: upsertSql({ table: 'refunds', columns: REFUND_COLUMNS, version: 'processed_at', stamped: true }),
  refundLineItems: upsertSql({ table: 'refund_line_items', columns: REFUND_LINE_ITEM_COLUMNS }),
  // The buyer's last activity only moves forward: a completed version (activity_at null) keeps it.
  checkouts: upsertSql({
    table: 'checkouts',
    columns: CHECKOUT_COLUMNS,
    version: 'updated_at',
    stamped: true,
    merge: { activity_at: 'GREATEST(t.activity_at, excluded.activity_at)' },
  }),
  carts: upsertSql({ table: 'carts', columns: CART_COLUMNS, version: 'updated_at', stamped: true }),
  inventoryItems: upsertSql({
    table: 'inventory_items',
    columns: INVENTORY_ITEM_COLUMNS,
    version: 'updated_at',
    stamped: true,
  }),
  locations: upsertSql({
    table: 'locations',
    columns: LOCATION_COLUMNS,
    version: 'updated_at',
    stamped: true,
  }),
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
 * Upserts checkouts, newest `updated_at` wins. `activity_at` also takes an older version's activity when it
 * is later than the stored one (an update that arrives after the completed version). Returns the keys of
 * the rows the upsert wrote.
 */
export async function upsertCheckouts(tx: Queryable, rows: CheckoutRow[]): Promise<Set<string>> {
  const applied = await upsert(tx, sql.checkouts, rows);
  const active = rows.filter((row) => row.activity_at !== null);
  if (active.length > 0) {
    await tx.query(
      `UPDATE checkouts t SET activity_at = x.activity_at
       FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id uuid, id bigint, activity_at timestamptz)
       WHERE t.tenant_id = x.tenant_id AND t.id = x.id
         AND (t.activity_at IS NULL OR t.activity_at < x.activity_at)`,
      [
        JSON.stringify(
          active.map(({ tenant_id, id, activity_at }) => ({ tenant_id, id, activity_at })).sort(byKey),
        ),
      ],
    );
  }
  return applied;
}

/** Upserts carts (key: the cart token), newest `updated_at` wins. Returns the keys that were written. */
export const upsertCarts = (tx: Queryable, rows: CartRow[]) => upsert(tx, sql.carts, rows);

/** Upserts inventory items, newest `updated_at` wins. Returns the keys that were written. */
export const upsertInventoryItems = (tx: Queryable, rows: InventoryItemRow[]) =>
  upsert(tx, sql.inventoryItems, rows);

/** Upserts locations, newest `updated_at` wins. Returns the keys that were written. */
export const upsertLocations = (tx: Queryable, rows: LocationRow[]) => upsert(tx, sql.locations, rows);

type LevelKey = { tenant_id: string; inventory_item_id: string; location_id: string };

const byLevelKey = (a: LevelKey, b: LevelKey) =>
  a.tenant_id < b.tenant_id
    ? -1
    : a.tenant_id > b.tenant_id
      ? 1
      : compareIds(a.inventory_item_id, b.inventory_item_id) || compareIds(a.location_id, b.location_id);

/**
 * Upserts inventory levels (key: tenant, inventory item, location), newest `updated_at` wins; identical
 * replays write nothing. A level newer than its disconnection reconnects it (`disconnected_at` cleared).
 */
export async function upsertInventoryLevels(tx: Queryable, rows: InventoryLevelRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO inventory_levels AS t (tenant_id, inventory_item_id, location_id, available, updated_at, raw)
     SELECT tenant_id, inventory_item_id, location_id, available, updated_at, raw
     FROM jsonb_to_recordset($1::jsonb)
       AS x(tenant_id uuid, inventory_item_id bigint, location_id bigint, available integer,
            updated_at timestamptz, raw jsonb)
     ON CONFLICT (tenant_id, inventory_item_id, location_id) DO UPDATE SET
       available = excluded.available, updated_at = excluded.updated_at, raw = excluded.raw, synced_at = now(),
       disconnected_at = CASE WHEN t.disconnected_at < excluded.updated_at THEN NULL ELSE t.disconnected_at END
     WHERE (t.updated_at IS NULL AND excluded.updated_at IS NOT NULL) OR t.updated_at < excluded.updated_at
       OR (t.updated_at IS NOT DISTINCT FROM excluded.updated_at AND t.raw IS DISTINCT FROM excluded.raw)`,
    [JSON.stringify([...rows].sort(byLevelKey))],
  );
}

/**
 * Disconnects inventory levels (inventory_levels/disconnect) unless a version newer than the disconnection
 * is stored. A level not yet stored gets a tombstone, so that an older connect arriving later stays
 * disconnected.
 */
export async function disconnectInventoryLevels(tx: Queryable, rows: LevelDisconnection[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO inventory_levels AS t (tenant_id, inventory_item_id, location_id, disconnected_at, raw)
     SELECT tenant_id, inventory_item_id, location_id, disconnected_at, '{}'::jsonb
     FROM jsonb_to_recordset($1::jsonb)
       AS x(tenant_id uuid, inventory_item_id bigint, location_id bigint, disconnected_at timestamptz)
     ON CONFLICT (tenant_id, inventory_item_id, location_id) DO UPDATE SET
       disconnected_at = excluded.disconnected_at, synced_at = now()
     WHERE (t.updated_at IS NULL OR t.updated_at < excluded.disconnected_at)
       AND (t.disconnected_at IS NULL OR t.disconnected_at < excluded.disconnected_at)`,
    [JSON.stringify([...rows].sort(byLevelKey))],
  );
}

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

/** Tables whose rows Shopify deletes (delete topics); the delete is soft. */
export type SoftDeleteTable =
  'orders' | 'customers' | 'products' | 'checkouts' | 'inventory_items' | 'locations';

/**
 * Soft-deletes rows by key; a key not yet stored gets a tombstone, so that an older create arriving later
 * stays deleted. For products, their variants are soft-deleted too.
 */
export async function softDelete(tx: Queryable, table: SoftDeleteTable, rows: Deletion[]) {
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
