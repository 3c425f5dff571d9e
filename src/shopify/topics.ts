/**
 * Webhook topics and delivery headers, named as Shopify names them
 * (shopify.dev/docs/api/webhooks, shopify.dev/docs/apps/build/webhooks/subscribe/https#headers).
 */

/** Topics Shopsight normalizes into tenant tables. */
export const INGESTED_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/edited',
  'orders/delete',
  'refunds/create',
  'customers/create',
  'customers/update',
  'customers/delete',
  'products/create',
  'products/update',
  'products/delete',
  'checkouts/create',
  'checkouts/update',
  'checkouts/delete',
  'carts/create',
  'carts/update',
  'inventory_items/create',
  'inventory_items/update',
  'inventory_items/delete',
  'inventory_levels/connect',
  'inventory_levels/update',
  'inventory_levels/disconnect',
  'locations/create',
  'locations/update',
  'locations/delete',
] as const;

/**
 * Shopify's mandatory compliance topics (shopify.dev/docs/apps/build/privacy-law-compliance). Apps declare
 * them in their configuration, not through the Admin API's webhook subscriptions, hence a list of their own.
 */
export const PRIVACY_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;

/** Every topic Shopsight acts on: the ingested ones, the uninstall notice and the privacy topics. */
export const HANDLED_TOPICS = [...INGESTED_TOPICS, 'app/uninstalled', ...PRIVACY_TOPICS] as const;

export type HandledTopic = (typeof HANDLED_TOPICS)[number];

const handled = new Set<string>(HANDLED_TOPICS);

/** True when Shopsight acts on deliveries of `topic`; any other topic is kept in the inbox and skipped. */
export function isHandledTopic(topic: string): topic is HandledTopic {
  return handled.has(topic);
}

/**
 * Other Shopify topics, known so that tools (the replay command) can map a sample file name such as
 * `webhook_bulk_operations_finish.json` to its topic. Shopsight accepts and skips them for now.
 */
export const OTHER_KNOWN_TOPICS = [
  'bulk_operations/finish',
  'shop/update',
  'order_transactions/create',
  'fulfillments/create',
  'fulfillments/update',
] as const;

export const KNOWN_TOPICS: readonly string[] = [...HANDLED_TOPICS, ...OTHER_KNOWN_TOPICS];

/** Shopify's webhook delivery headers, lower-cased as Node presents them. */
export const WEBHOOK_HEADERS = {
  topic: 'x-shopify-topic',
  hmac: 'x-shopify-hmac-sha256',
  shopDomain: 'x-shopify-shop-domain',
  apiVersion: 'x-shopify-api-version',
  webhookId: 'x-shopify-webhook-id',
  eventId: 'x-shopify-event-id',
  triggeredAt: 'x-shopify-triggered-at',
} as const;

/** Shopify's own check of a shop domain (the `shop` parameter of OAuth and the webhook header). */
export const SHOP_DOMAIN_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/;
