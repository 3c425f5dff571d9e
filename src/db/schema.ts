/**
 * The database schema (Drizzle, PostgreSQL). Migrations in `src/db/migrations` are generated from this file
 * with `npm run db:generate`; CI checks that they match (`npm run db:check`).
 *
 * Rules every tenant table follows:
 * - `tenant_id` leads every primary, unique and foreign key, and every index.
 * - Shopify ids are `bigint` and reach TypeScript as decimal strings (exact above 2^53).
 * - Money is `numeric` in the shop currency and reaches TypeScript as a decimal string.
 * - Times are `timestamptz`; `updated_at` is Shopify's, used to let a newer version win.
 * - Deletes from Shopify are soft (`deleted_at`); `raw` keeps the entity's JSON exactly as Shopify sent it.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  check,
  date,
} from 'drizzle-orm/pg-core';

/** A Shopify id: PostgreSQL `bigint`, a decimal string in TypeScript so that ids above 2^53 stay exact. */
const shopifyId = customType<{ data: string; driverData: string }>({
  dataType: () => 'bigint',
  fromDriver: (value) => String(value),
});

const money = (name: string) => numeric(name);
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
const tenantRef = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });

/** One connected Shopify store. */
export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** `*.myshopify.com`, lower case. */
  shopDomain: text('shop_domain').notNull().unique(),
  name: text('name').notNull(),
  /** IANA time zone of the store; reports cut days at its midnight. */
  timezone: text('timezone').notNull().default('UTC'),
  /** ISO 4217 shop currency, the reporting currency. */
  currency: text('currency').notNull().default('USD'),
  /** Webhook signing secret, sealed with AES-256-GCM (`SecretBox`); null means the app secret is used. */
  webhookSecretEncrypted: text('webhook_secret_encrypted'),
  /**
   * How the store is connected: `manual` (created through the API, no Admin API access), `connected`
   * (OAuth install or custom-app token), `disconnected` (app uninstalled: token wiped, history kept).
   */
  connectionStatus: text('connection_status', { enum: ['manual', 'connected', 'disconnected'] })
    .notNull()
    .default('manual'),
  /** `oauth`, `custom_app` or `client_credentials`. */
  connectionMethod: text('connection_method'),
  /** Admin API access token, sealed with AES-256-GCM. */
  accessTokenEncrypted: text('access_token_encrypted'),
  accessTokenExpiresAt: time('access_token_expires_at'),
  /** Refresh token of an expiring offline token, sealed. */
  refreshTokenEncrypted: text('refresh_token_encrypted'),
  refreshTokenExpiresAt: time('refresh_token_expires_at'),
  /** Granted access scopes, comma-separated as Shopify returns them. */
  scopes: text('scopes'),
  shopifyShopId: shopifyId('shopify_shop_id'),
  installedAt: time('installed_at'),
  uninstalledAt: time('uninstalled_at'),
  /** Minutes without an order after a checkout's last activity before it counts as abandoned. */
  abandonmentThresholdMinutes: integer('abandonment_threshold_minutes').notNull().default(60),
  /** Units on hand at or under which a variant is listed as low stock (analytics/inventory). */
  lowStockThreshold: integer('low_stock_threshold').notNull().default(10),
  /** Minutes between scheduled reconciliations (incremental sync + deletion check); 0 turns them off. */
  reconcileIntervalMinutes: integer('reconcile_interval_minutes').notNull().default(360),
  createdAt: time('created_at').notNull().defaultNow(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

export const WEBHOOK_EVENT_STATUSES = ['pending', 'processed', 'skipped', 'dead'] as const;

/**
 * The durable inbox: every verified webhook delivery, committed before Shopify gets its 200. The worker
 * claims pending rows with `FOR UPDATE SKIP LOCKED` and normalizes them into the entity tables.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    tenantId: tenantRef(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    /** `X-Shopify-Event-Id`, else `X-Shopify-Webhook-Id`, else a hash of topic and body. */
    dedupeKey: text('dedupe_key').notNull(),
    topic: text('topic').notNull(),
    eventId: text('event_id'),
    webhookId: text('webhook_id'),
    apiVersion: text('api_version'),
    triggeredAt: time('triggered_at'),
    receivedAt: time('received_at').notNull().defaultNow(),
    /** The body exactly as received (UTF-8 JSON text). */
    payload: text('payload').notNull(),
    status: text('status', { enum: WEBHOOK_EVENT_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    availableAt: time('available_at').notNull().defaultNow(),
    processedAt: time('processed_at'),
    skipCause: text('skip_cause'),
    lastError: text('last_error'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('webhook_events_tenant_dedupe_key').on(t.tenantId, t.dedupeKey),
    index('webhook_events_pending')
      .on(t.id)
      .where(sql`status = 'pending'`),
    index('webhook_events_tenant_status').on(t.tenantId, t.status),
    // /metrics counts dead letters of every tenant at each scrape.
    index('webhook_events_dead')
      .on(t.id)
      .where(sql`status = 'dead'`),
    check('webhook_events_status_check', sql`status in ('pending', 'processed', 'skipped', 'dead')`),
  ],
);

export const customers = pgTable(
  'customers',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    phone: text('phone'),
    state: text('state'),
    tags: text('tags'),
    currency: text('currency'),
    ordersCount: integer('orders_count'),
    totalSpent: money('total_spent'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    deletedAt: time('deleted_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const products = pgTable(
  'products',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    title: text('title'),
    handle: text('handle'),
    vendor: text('vendor'),
    productType: text('product_type'),
    status: text('status'),
    tags: text('tags'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    publishedAt: time('published_at'),
    deletedAt: time('deleted_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const productVariants = pgTable(
  'product_variants',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    productId: shopifyId('product_id').notNull(),
    title: text('title'),
    sku: text('sku'),
    price: money('price'),
    compareAtPrice: money('compare_at_price'),
    position: integer('position'),
    inventoryItemId: shopifyId('inventory_item_id'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    deletedAt: time('deleted_at'),
    raw: jsonb('raw').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.productId],
      foreignColumns: [products.tenantId, products.id],
    }).onDelete('cascade'),
    index('product_variants_tenant_product').on(t.tenantId, t.productId),
    index('product_variants_tenant_inventory_item').on(t.tenantId, t.inventoryItemId),
  ],
);

/**
 * Orders, with the order-date parts of Shopify's sales figures computed at normalization time
 * (definitions in src/analytics/sales.ts): `gross_sales`, `discounts`, `shipping`, `taxes`.
 */
export const orders = pgTable(
  'orders',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    name: text('name'),
    orderNumber: bigint('order_number', { mode: 'number' }),
    email: text('email'),
    /** Logical reference: the customer may arrive after the order, so there is no foreign key. */
    customerId: shopifyId('customer_id'),
    currency: text('currency'),
    presentmentCurrency: text('presentment_currency'),
    financialStatus: text('financial_status'),
    fulfillmentStatus: text('fulfillment_status'),
    test: boolean('test').notNull().default(false),
    taxesIncluded: boolean('taxes_included').notNull().default(false),
    sourceName: text('source_name'),
    checkoutId: shopifyId('checkout_id'),
    checkoutToken: text('checkout_token'),
    cartToken: text('cart_token'),
    createdAt: time('created_at'),
    processedAt: time('processed_at'),
    updatedAt: time('updated_at'),
    cancelledAt: time('cancelled_at'),
    cancelReason: text('cancel_reason'),
    closedAt: time('closed_at'),
    deletedAt: time('deleted_at'),
    subtotalPrice: money('subtotal_price'),
    totalDiscounts: money('total_discounts'),
    totalTax: money('total_tax'),
    totalPrice: money('total_price'),
    grossSales: money('gross_sales').notNull().default('0'),
    discounts: money('discounts').notNull().default('0'),
    shipping: money('shipping').notNull().default('0'),
    taxes: money('taxes').notNull().default('0'),
    /** Duties charged on the order (shop currency), on the order's date. */
    duties: money('duties').notNull().default('0'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // INCLUDE (customer_id, test, deleted_at) in migration 0007: the summary's distinct customers, index-only.
    index('orders_tenant_processed_at').on(t.tenantId, t.processedAt),
    index('orders_tenant_customer').on(t.tenantId, t.customerId),
    index('orders_tenant_cancelled_at')
      .on(t.tenantId, t.cancelledAt)
      .where(sql`cancelled_at IS NOT NULL`),
    index('orders_tenant_checkout')
      .on(t.tenantId, t.checkoutId)
      .where(sql`checkout_id IS NOT NULL`),
    index('orders_tenant_checkout_token')
      .on(t.tenantId, t.checkoutToken)
      .where(sql`checkout_token IS NOT NULL`),
    index('orders_tenant_updated_at').on(t.tenantId, t.updatedAt),
    // Sort keys of the orders list (src/data/orders.ts): keyset pages read them through an index.
    index('orders_tenant_created_at').on(t.tenantId, t.createdAt),
    index('orders_tenant_total_price').on(t.tenantId, t.totalPrice),
    index('orders_tenant_order_number').on(t.tenantId, t.orderNumber),
  ],
);

export const orderLineItems = pgTable(
  'order_line_items',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    orderId: shopifyId('order_id').notNull(),
    productId: shopifyId('product_id'),
    variantId: shopifyId('variant_id'),
    title: text('title'),
    variantTitle: text('variant_title'),
    sku: text('sku'),
    quantity: integer('quantity').notNull(),
    price: money('price').notNull(),
    giftCard: boolean('gift_card').notNull().default(false),
    /** price x quantity. */
    grossSales: money('gross_sales').notNull(),
    /** Sum of the line's discount allocations (its own and its share of order-level discounts). */
    discounts: money('discounts').notNull(),
    taxes: money('taxes').notNull(),
    raw: jsonb('raw').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.orderId], foreignColumns: [orders.tenantId, orders.id] }).onDelete(
      'cascade',
    ),
    index('order_line_items_tenant_order').on(t.tenantId, t.orderId),
  ],
);

/**
 * Refunds, with their return figures computed at normalization time: `returns` (refunded line items after
 * discounts, before tax), `refunded_shipping`, `refunded_taxes`. A refund may arrive before its order, so
 * `order_id` is a logical reference.
 */
export const refunds = pgTable(
  'refunds',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    orderId: shopifyId('order_id').notNull(),
    note: text('note'),
    restock: boolean('restock'),
    createdAt: time('created_at'),
    processedAt: time('processed_at'),
    returns: money('returns').notNull().default('0'),
    refundedShipping: money('refunded_shipping').notNull().default('0'),
    refundedTaxes: money('refunded_taxes').notNull().default('0'),
    refundedDuties: money('refunded_duties').notNull().default('0'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('refunds_tenant_order').on(t.tenantId, t.orderId),
    index('refunds_tenant_processed_at').on(t.tenantId, t.processedAt),
  ],
);

export const refundLineItems = pgTable(
  'refund_line_items',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    refundId: shopifyId('refund_id').notNull(),
    orderId: shopifyId('order_id').notNull(),
    lineItemId: shopifyId('line_item_id'),
    quantity: integer('quantity').notNull(),
    /** Refunded value after discounts, before tax. */
    subtotal: money('subtotal').notNull(),
    totalTax: money('total_tax').notNull(),
    restockType: text('restock_type'),
    raw: jsonb('raw').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.refundId],
      foreignColumns: [refunds.tenantId, refunds.id],
    }).onDelete('cascade'),
    index('refund_line_items_tenant_refund').on(t.tenantId, t.refundId),
  ],
);

export const ROLES = ['owner', 'admin', 'analyst'] as const;
export const API_KEY_SCOPES = ['ingest:write', 'analytics:read'] as const;

/** A person who signs in to the dashboard or the API. Not tenant data: a user may belong to many tenants. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Lower case. */
  email: text('email').notNull().unique(),
  /** argon2id hash (PHC string). */
  passwordHash: text('password_hash').notNull(),
  createdAt: time('created_at').notNull().defaultNow(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

/** A signed-in session. Only the SHA-256 of its token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** The CSRF token bound to this session, required on state-changing requests that use the cookie. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
    expiresAt: time('expires_at').notNull(),
    lastSeenAt: time('last_seen_at').notNull().defaultNow(),
    revokedAt: time('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** A user's role in one tenant. */
export const memberships = pgTable(
  'memberships',
  {
    tenantId: tenantRef(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    index('memberships_user').on(t.userId),
    check('memberships_role_check', sql`role in ('owner', 'admin', 'analyst')`),
  ],
);

/**
 * A tenant's API key. The key is `sk_<tenant id hex>_<secret>`; only its SHA-256 is stored, with a visible
 * prefix for lists. The tenant id inside the key keeps every lookup tenant-scoped.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: tenantRef(),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: time('created_at').notNull().defaultNow(),
    lastUsedAt: time('last_used_at'),
    revokedAt: time('revoked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('api_keys_tenant_secret_hash').on(t.tenantId, t.secretHash),
  ],
);

/** Security events of a tenant (key created/revoked, member added/removed, role changed, ...). */
export const auditEvents = pgTable(
  'audit_events',
  {
    tenantId: tenantRef(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    action: text('action').notNull(),
    actorUserId: uuid('actor_user_id'),
    actor: text('actor').notNull(),
    detail: jsonb('detail').notNull().default({}),
    ip: text('ip'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('audit_events_tenant_created').on(t.tenantId, t.createdAt),
  ],
);

/** Sign-in events of a user (login, failed login, logout, password reset). Not tenant data. */
export const authEvents = pgTable(
  'auth_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    email: text('email'),
    action: text('action').notNull(),
    ip: text('ip'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [index('auth_events_user_created').on(t.userId, t.createdAt)],
);

/**
 * Privacy requests received through Shopify's mandatory compliance topics
 * (shopify.dev/docs/apps/build/privacy-law-compliance): customers/data_request (an export of what Shopsight
 * holds on the customer, kept for the owner), customers/redact and shop/redact (erasure).
 */
export const privacyRequests = pgTable(
  'privacy_requests',
  {
    tenantId: tenantRef(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    topic: text('topic').notNull(),
    customerId: shopifyId('customer_id'),
    /** Shopify's request id (`data_request.id`), when it sends one. */
    shopifyRequestId: text('shopify_request_id'),
    status: text('status', { enum: ['completed', 'failed'] }).notNull(),
    /** For a data request: the export of the customer's data. */
    export: jsonb('export'),
    createdAt: time('created_at').notNull().defaultNow(),
    completedAt: time('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('privacy_requests_tenant_created').on(t.tenantId, t.createdAt),
  ],
);

/**
 * Checkouts (checkouts/create, checkouts/update, checkouts/delete webhooks; abandoned checkouts from the Admin
 * API). The status is derived when reports read it (src/analytics/checkouts.ts): `completed` when an order
 * references the checkout (`orders.checkout_id` or `orders.checkout_token`), `abandoned` when none did within
 * the tenant's `abandonment_threshold_minutes` of `activity_at`, `recovered` when an order followed an
 * abandonment.
 */
export const checkouts = pgTable(
  'checkouts',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    token: text('token'),
    cartToken: text('cart_token'),
    email: text('email'),
    customerId: shopifyId('customer_id'),
    currency: text('currency'),
    presentmentCurrency: text('presentment_currency'),
    subtotalPrice: money('subtotal_price'),
    totalDiscounts: money('total_discounts'),
    totalTax: money('total_tax'),
    totalPrice: money('total_price'),
    lineItemsCount: integer('line_items_count').notNull().default(0),
    abandonedCheckoutUrl: text('abandoned_checkout_url'),
    sourceName: text('source_name'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    /** The buyer's last activity: `updated_at` of the newest version that was not yet completed. */
    activityAt: time('activity_at'),
    /** Shopify's `completed_at`. */
    completedAt: time('completed_at'),
    deletedAt: time('deleted_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('checkouts_tenant_created_at').on(t.tenantId, t.createdAt),
    index('checkouts_tenant_token').on(t.tenantId, t.token),
    index('checkouts_tenant_activity_at').on(t.tenantId, t.activityAt),
  ],
);

/** Carts (carts/create, carts/update webhooks). `id` is Shopify's cart token. */
export const carts = pgTable(
  'carts',
  {
    tenantId: tenantRef(),
    id: text('id').notNull(),
    token: text('token'),
    note: text('note'),
    currency: text('currency'),
    /** Sum of the line items' `line_price`. */
    totalPrice: money('total_price'),
    lineItemsCount: integer('line_items_count').notNull().default(0),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('carts_tenant_created_at').on(t.tenantId, t.createdAt),
  ],
);

/**
 * Daily sales rollup per tenant: the figures of src/analytics/sales.ts added up per store-local day.
 * Maintained by the worker in the same transaction as the entity change (src/analytics/rollups.ts) and
 * rebuilt from the entity tables by `npm run cli -- rollups rebuild`; both give the same rows.
 */
export const dailySales = pgTable(
  'daily_sales',
  {
    tenantId: tenantRef(),
    /** The store-local date (tenant time zone). */
    date: date('date', { mode: 'string' }).notNull(),
    orders: integer('orders').notNull().default(0),
    unitsSold: integer('units_sold').notNull().default(0),
    unitsReturned: integer('units_returned').notNull().default(0),
    grossSales: money('gross_sales').notNull().default('0'),
    discounts: money('discounts').notNull().default('0'),
    returns: money('returns').notNull().default('0'),
    shipping: money('shipping').notNull().default('0'),
    taxes: money('taxes').notNull().default('0'),
    duties: money('duties').notNull().default('0'),
    /** Refunds processed on the day, and their value (returns + refunded shipping, taxes and duties). */
    refunds: integer('refunds').notNull().default(0),
    refundedAmount: money('refunded_amount').notNull().default('0'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.date] })],
);

/**
 * Daily sales rollup per product variant. `product_id`/`variant_id` 0 stand for line items without one
 * (custom items). Maintained with `daily_sales`.
 */
export const dailyProductSales = pgTable(
  'daily_product_sales',
  {
    tenantId: tenantRef(),
    date: date('date', { mode: 'string' }).notNull(),
    productId: shopifyId('product_id').notNull(),
    variantId: shopifyId('variant_id').notNull(),
    unitsSold: integer('units_sold').notNull().default(0),
    unitsReturned: integer('units_returned').notNull().default(0),
    grossSales: money('gross_sales').notNull().default('0'),
    discounts: money('discounts').notNull().default('0'),
    returns: money('returns').notNull().default('0'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.date, t.productId, t.variantId] }),
    index('daily_product_sales_tenant_variant').on(t.tenantId, t.variantId, t.date),
  ],
);

/**
 * Per-customer order statistics (test and deleted orders out), maintained with `daily_sales`: first and last
 * order, order count and net sales. Feeds new vs returning customers, cohorts, RFM and lifetime value.
 */
export const customerStats = pgTable(
  'customer_stats',
  {
    tenantId: tenantRef(),
    customerId: shopifyId('customer_id').notNull(),
    firstOrderAt: time('first_order_at').notNull(),
    lastOrderAt: time('last_order_at').notNull(),
    orders: integer('orders').notNull(),
    grossSales: money('gross_sales').notNull().default('0'),
    discounts: money('discounts').notNull().default('0'),
    returns: money('returns').notNull().default('0'),
    netSales: money('net_sales').notNull().default('0'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.customerId] }),
    index('customer_stats_tenant_first_order').on(t.tenantId, t.firstOrderAt),
  ],
);

export const SYNC_RESOURCES = ['orders', 'customers', 'products', 'inventory', 'checkouts'] as const;

/**
 * Sync state per tenant and resource (src/sync): the backfill's bulk operation and how far its JSONL has
 * been committed, the incremental cursor (`updated_at`), and progress for the API and the CLI.
 */
export const syncStates = pgTable(
  'sync_states',
  {
    tenantId: tenantRef(),
    resource: text('resource').notNull(),
    /** `backfill` or `incremental`: the mode of the current or last run. */
    mode: text('mode'),
    /** `idle`, `queued`, `running`, `completed` or `failed`. */
    state: text('state').notNull().default('idle'),
    /** Newest `updated_at` committed by a sync; the next incremental run starts here minus the overlap. */
    cursor: time('cursor'),
    bulkOperationId: text('bulk_operation_id'),
    bulkUrl: text('bulk_url'),
    /** JSONL lines of the current bulk result already committed (the resume point). */
    linesCommitted: bigint('lines_committed', { mode: 'number' }).notNull().default(0),
    rowsDone: bigint('rows_done', { mode: 'number' }).notNull().default(0),
    rowsTotal: bigint('rows_total', { mode: 'number' }),
    startedAt: time('started_at'),
    finishedAt: time('finished_at'),
    updatedAt: time('updated_at').notNull().defaultNow(),
    lastError: text('last_error'),
    lastReconciledAt: time('last_reconciled_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.resource] })],
);

/** One finished (or failed) sync or reconciliation run, with what it changed. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    tenantId: tenantRef(),
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    resource: text('resource').notNull(),
    /** `backfill`, `incremental` or `reconcile`. */
    mode: text('mode').notNull(),
    status: text('status').notNull(),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    deleted: integer('deleted').notNull().default(0),
    rows: integer('rows').notNull().default(0),
    startedAt: time('started_at').notNull().defaultNow(),
    finishedAt: time('finished_at'),
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('sync_runs_tenant_started').on(t.tenantId, t.startedAt),
  ],
);

/** Store locations (locations/* webhooks, Admin API `locations`). */
export const locations = pgTable(
  'locations',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    name: text('name'),
    active: boolean('active').notNull().default(true),
    address1: text('address1'),
    city: text('city'),
    province: text('province'),
    countryCode: text('country_code'),
    zip: text('zip'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    deletedAt: time('deleted_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/** Inventory items (inventory_items/* webhooks): SKU, unit cost, tracking. Variants link by `inventory_item_id`. */
export const inventoryItems = pgTable(
  'inventory_items',
  {
    tenantId: tenantRef(),
    id: shopifyId('id').notNull(),
    sku: text('sku'),
    /** Unit cost in shop currency. */
    cost: money('cost'),
    tracked: boolean('tracked'),
    requiresShipping: boolean('requires_shipping'),
    countryCodeOfOrigin: text('country_code_of_origin'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    deletedAt: time('deleted_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/**
 * Inventory levels: available quantity of an inventory item at a location (inventory_levels/* webhooks).
 * Newest `updated_at` wins; `disconnected_at` is set by inventory_levels/disconnect.
 */
export const inventoryLevels = pgTable(
  'inventory_levels',
  {
    tenantId: tenantRef(),
    inventoryItemId: shopifyId('inventory_item_id').notNull(),
    locationId: shopifyId('location_id').notNull(),
    available: integer('available'),
    updatedAt: time('updated_at'),
    disconnectedAt: time('disconnected_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: time('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.inventoryItemId, t.locationId] }),
    index('inventory_levels_tenant_location').on(t.tenantId, t.locationId),
  ],
);
