/**
 * The SQL of the shop lifecycle and privacy actions (app/uninstalled, customers/data_request,
 * customers/redact, shop/redact) and the reads of `privacy_requests`. The actions run inside the inbox
 * worker's transaction (role `shopsight_system`, across tenants), so every statement names the tenant; the
 * reads run in `db.forTenant` (row-level security).
 */
import type { Database, Queryable } from '../db/client.ts';

/** What replaces an erased webhook payload or export: valid JSON that says why the content is gone. */
export const REDACTED_JSON = '{"redacted":true}';

/** The tables whose `raw` column holds an order's personal data, and the column that ties them to it. */
export type OrderRawTable = 'orders' | 'order_line_items' | 'refunds' | 'refund_line_items';

const ORDER_COLUMN: Record<OrderRawTable, string> = {
  orders: 'id',
  order_line_items: 'order_id',
  refunds: 'order_id',
  refund_line_items: 'order_id',
};

// Typed columns that copy personal values out of `raw` (the order's email, the refund's note).
const PERSONAL_COLUMNS: Record<OrderRawTable, string> = {
  orders: ', email = NULL',
  order_line_items: '',
  refunds: ', note = NULL',
  refund_line_items: '',
};

/**
 * Tenant tables emptied by shop/redact, children before parents. Kept: the `tenants` row (a tombstone),
 * `memberships` and `audit_events` (Shopsight's own accounts and the trail of the erasure itself).
 */
const SHOP_DATA_TABLES = [
  'refund_line_items',
  'refunds',
  'order_line_items',
  'orders',
  'product_variants',
  'products',
  'customers',
  'checkouts',
  'carts',
  'inventory_levels',
  'inventory_items',
  'locations',
  'privacy_requests',
  'api_keys',
] as const;

/** Who a customer privacy request is about. Ids are decimal strings; null fields were not sent. */
export type CustomerMatch = {
  customerId: string | null;
  email: string | null;
  orderIds: string[];
};

/** A privacy request as stored; `export` is the JSON text of a data request's export. */
export type PrivacyRequestRow = {
  id: string;
  topic: string;
  customer_id: string | null;
  shopify_request_id: string | null;
  status: 'completed' | 'failed';
  created_at: string;
  completed_at: string | null;
  export: string | null;
};

// An order belongs to the customer by id, by its listed order ids, or by the customer's email.
// Parameters: $1 tenant, $2 customer id, $3 order ids, $4 email.
const MATCHED_ORDERS = `SELECT o.* FROM orders o
  WHERE o.tenant_id = $1
    AND (o.customer_id = $2::bigint OR o.id = ANY($3::bigint[])
         OR ($4::text IS NOT NULL AND lower(o.email) = lower($4::text)))`;

// A customer row matches by id or by email. Parameters: $1 tenant, $2 customer id, `email` the email's.
const customerFilter = (email: '$3' | '$4') => `c.tenant_id = $1
    AND (c.id = $2::bigint OR (${email}::text IS NOT NULL AND lower(c.email) = lower(${email}::text)))`;

const matchParams = (tenantId: string, match: CustomerMatch) => [
  tenantId,
  match.customerId,
  match.orderIds,
  match.email,
];

/**
 * Marks the tenant uninstalled at `at` (UTC ISO-8601): status `disconnected`, access and refresh tokens and
 * their expiries erased, data kept. A delivery older than the last install is ignored, so that a late
 * app/uninstalled cannot disconnect a store that was installed again. Returns false when ignored.
 */
export async function markUninstalled(tx: Queryable, tenantId: string, at: string): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE tenants SET connection_status = 'disconnected', access_token_encrypted = NULL,
       access_token_expires_at = NULL, refresh_token_encrypted = NULL, refresh_token_expires_at = NULL,
       uninstalled_at = $2::timestamptz, updated_at = now()
     WHERE id = $1 AND (installed_at IS NULL OR installed_at <= $2::timestamptz)
     RETURNING id`,
    [tenantId, at],
  );
  return rows.length > 0;
}

/** The ids (decimal strings) of the stored orders that belong to the customer. */
export async function matchedOrderIds(tx: Queryable, tenantId: string, match: CustomerMatch) {
  const rows = await tx.query<{ id: string }>(
    `SELECT id::text FROM (${MATCHED_ORDERS}) o`,
    matchParams(tenantId, match),
  );
  return rows.map((row) => row.id);
}

/**
 * Stores a completed customers/data_request with its export, built in SQL so that ids and amounts keep
 * every digit: `{ customers: [row], orders: [row & { line_items: [row], refunds: [row & { line_items }] }],
 * checkouts: [row], generated_at }`, each row as stored (typed columns and `raw`). Returns the new request's
 * id and how many orders the export holds.
 */
export async function insertDataRequest(
  tx: Queryable,
  tenantId: string,
  match: CustomerMatch,
  shopifyRequestId: string | null,
): Promise<{ id: string; orders: number }> {
  const [row] = await tx.query<{ id: string; orders: number }>(
    `INSERT INTO privacy_requests
       (tenant_id, topic, customer_id, shopify_request_id, status, export, completed_at)
     SELECT $1::uuid, 'customers/data_request', $2::bigint, $5::text, 'completed', jsonb_build_object(
       'customers', (SELECT coalesce(jsonb_agg(to_jsonb(c) - 'tenant_id' ORDER BY c.id), '[]')
                     FROM customers c WHERE ${customerFilter('$4')}),
       'orders', (SELECT coalesce(jsonb_agg((to_jsonb(o) - 'tenant_id') || jsonb_build_object(
           'line_items', (SELECT coalesce(jsonb_agg(to_jsonb(l) - 'tenant_id' ORDER BY l.id), '[]')
                          FROM order_line_items l WHERE l.tenant_id = $1 AND l.order_id = o.id),
           'refunds', (SELECT coalesce(jsonb_agg((to_jsonb(r) - 'tenant_id') || jsonb_build_object(
                  'line_items', (SELECT coalesce(jsonb_agg(to_jsonb(rl) - 'tenant_id' ORDER BY rl.id), '[]')
                                 FROM refund_line_items rl WHERE rl.tenant_id = $1 AND rl.refund_id = r.id))
                ORDER BY r.id), '[]')
              FROM refunds r WHERE r.tenant_id = $1 AND r.order_id = o.id)) ORDER BY o.id), '[]')
                  FROM (${MATCHED_ORDERS}) o),
       'checkouts', (SELECT coalesce(jsonb_agg(to_jsonb(k) - 'tenant_id' ORDER BY k.id), '[]')
                     FROM checkouts k WHERE k.tenant_id = $1
                       AND (k.customer_id = $2::bigint OR ($4::text IS NOT NULL AND lower(k.email) = lower($4::text)))),
       'generated_at', now()), now()
     RETURNING id::text, jsonb_array_length(export -> 'orders') AS orders`,
    [...matchParams(tenantId, match), shopifyRequestId],
  );
  return { id: row!.id, orders: Number(row!.orders) };
}

/** Records a completed erasure request (customers/redact, shop/redact). Returns its id. */
export async function insertErasureRequest(
  tx: Queryable,
  tenantId: string,
  topic: 'customers/redact' | 'shop/redact',
  customerId: string | null,
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO privacy_requests (tenant_id, topic, customer_id, status, completed_at)
     VALUES ($1, $2, $3::bigint, 'completed', now()) RETURNING id::text`,
    [tenantId, topic, customerId],
  );
  return row!.id;
}

/**
 * Erases the customer's rows: personal columns to NULL and `raw` to `{"id": <id>, "redacted": true}`. The
 * rows stay so that order counts, total spent and top-customer rankings still add up. Returns how many.
 */
export async function redactCustomers(tx: Queryable, tenantId: string, match: CustomerMatch) {
  const rows = await tx.query(
    `UPDATE customers c SET email = NULL, first_name = NULL, last_name = NULL, phone = NULL, tags = NULL,
       raw = jsonb_build_object('id', c.id, 'redacted', true)
     WHERE ${customerFilter('$3')}
     RETURNING c.id`,
    [tenantId, match.customerId, match.email],
  );
  return rows.length;
}

/**
 * Erases the customer's checkouts (by customer id or email): `email` to NULL and `raw` (addresses, phone,
 * line item properties) to `{"id": <id>, "redacted": true}`. Amounts, counts and times stay for the checkout
 * reports. Returns how many.
 */
export async function redactCheckouts(tx: Queryable, tenantId: string, match: CustomerMatch) {
  const rows = await tx.query(
    `UPDATE checkouts c SET email = NULL, raw = jsonb_build_object('id', c.id, 'redacted', true)
     WHERE c.tenant_id = $1
       AND (c.customer_id = $2::bigint OR ($3::text IS NOT NULL AND lower(c.email) = lower($3::text)))
     RETURNING c.id`,
    [tenantId, match.customerId, match.email],
  );
  return rows.length;
}

/** Replaces the exports of the customer's earlier data requests with the redacted marker. */
export async function redactExports(tx: Queryable, tenantId: string, customerId: string | null) {
  await tx.query(
    `UPDATE privacy_requests SET export = $3::jsonb
     WHERE tenant_id = $1 AND customer_id = $2::bigint AND export IS NOT NULL`,
    [tenantId, customerId, REDACTED_JSON],
  );
}

/** The `raw` JSON text of the rows of `table` that belong to the given orders. */
export function rawOfOrders(
  tx: Queryable,
  table: OrderRawTable,
  tenantId: string,
  orderIds: string[],
): Promise<{ id: string; raw: string }[]> {
  return tx.query(
    `SELECT id::text, raw::text FROM ${table} WHERE tenant_id = $1 AND ${ORDER_COLUMN[table]} = ANY($2::bigint[])`,
    [tenantId, orderIds],
  );
}

/** Writes new `raw` JSON texts to rows of `table` and clears the typed columns that copy personal values. */
export async function replaceRaw(
  tx: Queryable,
  table: OrderRawTable,
  tenantId: string,
  rows: { id: string; raw: string }[],
) {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE ${table} t SET raw = u.raw::jsonb${PERSONAL_COLUMNS[table]}
     FROM unnest($2::bigint[], $3::text[]) AS u(id, raw)
     WHERE t.tenant_id = $1 AND t.id = u.id`,
    [tenantId, rows.map((row) => row.id), rows.map((row) => row.raw)],
  );
}

/**
 * Replaces with the redacted marker the stored webhook payloads that match: `idPattern` (a PostgreSQL
 * regular expression over the JSON text), or containing `email` (any case) or `phone`. Status and the other
 * columns stay. Returns how many payloads were replaced.
 */
export async function redactWebhookPayloads(
  tx: Queryable,
  tenantId: string,
  match: { idPattern: string | null; email: string | null; phone: string | null },
): Promise<number> {
  const rows = await tx.query(
    `UPDATE webhook_events SET payload = $5
     WHERE tenant_id = $1 AND payload <> $5
       AND (($2::text IS NOT NULL AND payload ~ $2::text)
            OR ($3::text IS NOT NULL AND strpos(lower(payload), lower($3::text)) > 0)
            OR ($4::text IS NOT NULL AND strpos(payload, $4::text) > 0))
     RETURNING id`,
    [tenantId, match.idPattern, match.email, match.phone, REDACTED_JSON],
  );
  return rows.length;
}

/**
 * Erases a shop's data: every row of the tenant in the shop data tables, its inbox except the event being
 * processed (`keepEventId`, whose payload holds only the shop's id and domain), and on the `tenants` row
 * the name (replaced by the shop domain), tokens, webhook secret, scopes and connection method; status
 * becomes `disconnected`. Returns the number of rows deleted per table.
 */
export async function eraseShopData(
  tx: Queryable,
  tenantId: string,
  keepEventId: string,
  at: string,
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const table of SHOP_DATA_TABLES) {
    const rows = await tx.query(`DELETE FROM ${table} WHERE tenant_id = $1 RETURNING 1`, [tenantId]);
    deleted[table] = rows.length;
  }
  const events = await tx.query(
    'DELETE FROM webhook_events WHERE tenant_id = $1 AND id <> $2::bigint RETURNING 1',
    [tenantId, keepEventId],
  );
  deleted.webhook_events = events.length;
  await tx.query(
    `UPDATE tenants SET name = shop_domain, connection_status = 'disconnected', connection_method = NULL,
       access_token_encrypted = NULL, access_token_expires_at = NULL, refresh_token_encrypted = NULL,
       refresh_token_expires_at = NULL, scopes = NULL, webhook_secret_encrypted = NULL,
       uninstalled_at = coalesce(uninstalled_at, $2::timestamptz), updated_at = now()
     WHERE id = $1`,
    [tenantId, at],
  );
  return deleted;
}

/** The tenant's privacy requests, newest first, without their exports (`export` is null). */
export function listPrivacyRequests(db: Database, tenantId: string, limit: number) {
  return db.forTenant(tenantId, (tx) =>
    tx.query<PrivacyRequestRow>(
      `SELECT id::text, topic, customer_id::text, shopify_request_id, status, created_at, completed_at,
         NULL AS export
       FROM privacy_requests WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2`,
      [tenantId, limit],
    ),
  );
}

/** One privacy request of the tenant with its export, or undefined. */
export async function findPrivacyRequest(
  db: Database,
  tenantId: string,
  id: string,
): Promise<PrivacyRequestRow | undefined> {
  const [row] = await db.forTenant(tenantId, (tx) =>
    tx.query<PrivacyRequestRow>(
      `SELECT id::text, topic, customer_id::text, shopify_request_id, status, created_at, completed_at,
         export::text AS export
       FROM privacy_requests WHERE tenant_id = $1 AND id = $2::bigint`,
      [tenantId, id],
    ),
  );
  return row;
}
