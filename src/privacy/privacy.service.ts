/**
 * The shop lifecycle and privacy actions, and the owners' view of privacy requests.
 *
 * Actions come from webhooks (shopify.dev/docs/apps/build/privacy-law-compliance and
 * shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app/uninstalled). The pipeline plans them
 * from the payload (`parseCustomerRequest`, pure) and `applyTenantAction` runs them in the worker's
 * transaction, each with its audit entry (actor `shopify`):
 * - app/uninstalled: the tenant becomes `disconnected`, its tokens are erased, its data kept.
 * - customers/data_request: an export of every row Shopsight holds on the customer, kept for the owners.
 * - customers/redact: the customer's personal data is erased everywhere (rows, `raw` JSON, inbox payloads,
 *   earlier exports); ids, money, dates, quantities and computed figures stay, so analytics do not change.
 * - shop/redact: the shop's data is deleted; the `tenants` row stays as a tombstone with the audit trail.
 */
import { recordTenantEvent } from '../auth/audit.ts';
import type { Database, Queryable } from '../db/client.ts';
import { notFound } from '../http/errors.ts';
import { InvalidPayloadError } from '../ingest/normalize.ts';
import { isJsonObject, parseJsonLossless, type JsonValue } from '../lib/json.ts';
import { customerPrivacyPayload } from '../shopify/payloads.ts';
import {
  eraseShopData,
  findPrivacyRequest,
  insertDataRequest,
  insertErasureRequest,
  listPrivacyRequests,
  markUninstalled,
  matchedOrderIds,
  rawOfOrders,
  redactCheckouts,
  redactCustomers,
  redactExports,
  redactWebhookPayloads,
  replaceRaw,
  type OrderRawTable,
  type PrivacyRequestRow,
} from './privacy.repository.ts';

/** Who a customers/data_request or customers/redact is about. Ids are decimal strings. */
export type CustomerRequest = {
  customerId: string | null;
  email: string | null;
  phone: string | null;
  /** `orders_requested` or `orders_to_redact`. */
  orderIds: string[];
  /** `data_request.id`, sent with customers/data_request only. */
  shopifyRequestId: string | null;
};

/**
 * An action on a tenant planned from one inbox event. `eventId` is the inbox row; `at` is when Shopify
 * says the event happened (`X-Shopify-Triggered-At`, else when it was received), UTC ISO-8601.
 */
export type TenantAction = { tenantId: string; eventId: string; at: string } & (
  | { kind: 'app_uninstalled' }
  | { kind: 'customer_data_request'; request: CustomerRequest }
  | { kind: 'customer_redact'; request: CustomerRequest }
  | { kind: 'shop_redact' }
);

/**
 * Keys whose values are personal data in Shopify's order, line item, refund and customer JSON
 * (shopify.dev/docs/api/admin-rest/latest/resources/order): the value is dropped wherever the key appears,
 * whole subtrees included (`customer`, addresses). Everything else (ids, money, dates, quantities, product
 * and variant ids, tax and discount lines) is kept.
 */
const PERSONAL_KEYS = new Set([
  'customer',
  'email',
  'contact_email',
  'customer_email',
  'phone',
  'sms_marketing_phone',
  'first_name',
  'last_name',
  'billing_address',
  'shipping_address',
  'default_address',
  'addresses',
  'destination_location',
  'destination',
  'client_details',
  'browser_ip',
  'note',
  'note_attributes',
  'properties',
  'landing_site',
  'landing_site_ref',
  'referring_site',
  'order_status_url',
  'cart_token',
  'checkout_token',
  'payment_details',
  'receipt',
  'tracking_number',
  'tracking_numbers',
  'tracking_url',
  'tracking_urls',
]);

const ORDER_RAW_TABLES: OrderRawTable[] = ['orders', 'order_line_items', 'refunds', 'refund_line_items'];

/** A copy of `value` without the personal keys, at any depth. Exact numbers stay exact. */
export function scrubPersonalData(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(scrubPersonalData);
  if (!isJsonObject(value)) return value;
  const kept: Record<string, JsonValue> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!PERSONAL_KEYS.has(key)) kept[key] = scrubPersonalData(child);
  }
  return kept;
}

const blankToNull = (value: string | null | undefined) => (value?.trim() ? value.trim() : null);

/**
 * Reads the customer and orders of a customers/data_request or customers/redact body.
 *
 * @throws InvalidPayloadError when the body has no customer, or a customer with neither id nor email.
 */
export function parseCustomerRequest(payload: JsonValue): CustomerRequest {
  const result = customerPrivacyPayload.safeParse(payload);
  if (!result.success) {
    throw new InvalidPayloadError(`invalid privacy request payload: ${result.error.message}`);
  }
  const body = result.data;
  const request: CustomerRequest = {
    customerId: body.customer.id ?? null,
    email: blankToNull(body.customer.email),
    phone: blankToNull(body.customer.phone),
    orderIds: [...(body.orders_requested ?? []), ...(body.orders_to_redact ?? [])],
    shopifyRequestId: body.data_request?.id ?? null,
  };
  if (!request.customerId && !request.email) {
    throw new InvalidPayloadError('invalid privacy request payload: the customer has neither id nor email');
  }
  return request;
}

/**
 * Runs one planned action in the caller's transaction (the worker's, as `shopsight_system`) and audits it.
 *
 * @throws the database error (the worker retries the event).
 */
export async function applyTenantAction(tx: Queryable, action: TenantAction): Promise<void> {
  const audit = (
    kind: 'app.uninstalled' | 'privacy.data_request' | 'privacy.customer_redacted' | 'privacy.shop_redacted',
    detail: Record<string, unknown>,
  ) => recordTenantEvent(tx, { tenantId: action.tenantId, action: kind, principal: 'shopify', detail });

  switch (action.kind) {
    case 'app_uninstalled': {
      const applied = await markUninstalled(tx, action.tenantId, action.at);
      // `applied` false: the delivery predates the last install, so the store stays connected.
      return audit('app.uninstalled', { uninstalledAt: action.at, applied });
    }
    case 'customer_data_request': {
      const { request } = action;
      const stored = await insertDataRequest(tx, action.tenantId, request, request.shopifyRequestId);
      return audit('privacy.data_request', {
        privacyRequestId: stored.id,
        customerId: request.customerId,
        shopifyRequestId: request.shopifyRequestId,
        orders: stored.orders,
      });
    }
    case 'customer_redact': {
      const counts = await redactCustomer(tx, action.tenantId, action.request);
      const id = await insertErasureRequest(
        tx,
        action.tenantId,
        'customers/redact',
        action.request.customerId,
      );
      return audit('privacy.customer_redacted', {
        privacyRequestId: id,
        customerId: action.request.customerId,
        ...counts,
      });
    }
    case 'shop_redact': {
      const deleted = await eraseShopData(tx, action.tenantId, action.eventId, action.at);
      const id = await insertErasureRequest(tx, action.tenantId, 'shop/redact', null);
      return audit('privacy.shop_redacted', { privacyRequestId: id, deleted });
    }
  }
}

/**
 * Erases the customer's personal data: the customer rows, the `raw` JSON of their orders (by customer id,
 * email or the listed order ids) with line items and refunds, their checkouts (email and `raw`), the earlier
 * exports about them, and every inbox payload that names the customer or one of those orders, or contains
 * their email or phone. Errs towards erasing: a payload of another resource that happens to carry one of
 * these ids loses its body too (its status stays). Returns how many rows of each kind changed.
 */
async function redactCustomer(tx: Queryable, tenantId: string, request: CustomerRequest) {
  const orderIds = await matchedOrderIds(tx, tenantId, request);
  const customers = await redactCustomers(tx, tenantId, request);
  const checkouts = await redactCheckouts(tx, tenantId, request);
  for (const table of ORDER_RAW_TABLES) {
    const rows = await rawOfOrders(tx, table, tenantId, orderIds);
    const scrubbed = rows.map((row) => ({
      id: row.id,
      raw: JSON.stringify(scrubPersonalData(parseJsonLossless(row.raw))),
    }));
    await replaceRaw(tx, table, tenantId, scrubbed);
  }
  await redactExports(tx, tenantId, request.customerId);
  const ids = [...new Set([request.customerId, ...orderIds, ...request.orderIds])].filter(
    (id): id is string => id !== null,
  );
  const events = await redactWebhookPayloads(tx, tenantId, {
    // Ids are digits only (checked by the payload schema), so they go into the pattern as they are.
    idPattern: ids.length > 0 ? `"(id|customer_id|order_id)"\\s*:\\s*"?(${ids.join('|')})([^0-9]|$)` : null,
    email: request.email,
    phone: request.phone,
  });
  return { customers, orders: orderIds.length, checkouts, webhookEvents: events };
}

/** A privacy request as the API shows it; `export` only on a single data request. */
export type PrivacyRequest = {
  id: string;
  topic: string;
  customerId: string | null;
  shopifyRequestId: string | null;
  status: 'completed' | 'failed';
  createdAt: string;
  completedAt: string | null;
  export?: JsonValue | null;
};

function toPrivacyRequest(row: PrivacyRequestRow): PrivacyRequest {
  return {
    id: row.id,
    topic: row.topic,
    customerId: row.customer_id,
    shopifyRequestId: row.shopify_request_id,
    status: row.status,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

/** The owners' view of privacy requests (reads under the tenant's row-level security). */
export class PrivacyService {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** The newest `limit` requests, without exports. */
  async list(tenantId: string, limit: number): Promise<PrivacyRequest[]> {
    return (await listPrivacyRequests(this.db, tenantId, limit)).map(toPrivacyRequest);
  }

  /**
   * One request with its export (ids and amounts exact, as `RawJsonNumber`s where needed).
   *
   * @throws HttpError 404 `privacy_request_not_found`.
   */
  async get(tenantId: string, id: string): Promise<PrivacyRequest> {
    const row = /^\d{1,18}$/.test(id) ? await findPrivacyRequest(this.db, tenantId, id) : undefined;
    if (!row) throw notFound('privacy_request_not_found', 'privacy request not found');
    return { ...toPrivacyRequest(row), export: row.export === null ? null : parseJsonLossless(row.export) };
  }
}
