/**
 * The bench's load: signed `orders/create` webhook deliveries, built before the clock starts.
 *
 * Bodies follow the REST/webhook order shape of Shopify's sample payload
 * (`shared/fixtures/shopify/webhook_orders_create.json`), trimmed to what an order's analytics read (ids,
 * timestamps, money and its `*_set`s, line items with taxes and discounts, customer, shipping) so that a
 * body weighs ~4 KB, compact as Shopify sends it. The set is a pure function of the seed and the count, so
 * two runs with the same options send byte-identical bodies and their figures compare.
 */
import { signWebhookBody } from '../../src/shopify/hmac.ts';
import { mulberry32 } from '../../test/simulator/random.ts';

/** One delivery: the exact body text, the headers Shopify would send with it, and its line-item count. */
export type WebhookDelivery = { body: string; headers: Record<string, string>; lineItems: number };

export type DeliveryOptions = {
  /** Webhook secret the bodies are signed with (the tenant's secret on the Shopsight side). */
  secret: string;
  /** Value of `X-Shopify-Shop-Domain`. */
  shopDomain: string;
  /** Any integer; the same seed gives the same deliveries. */
  seed?: number;
};

const API_VERSION = '2026-04';
const CURRENCY = 'USD';
/** New York's combined sales tax, in basis points, applied per line as Shopify's tax_lines show it. */
const TAX_RATE_BP = 888;
/**
 * Orders are spread evenly over one New York winter (EST, 2025-11-02 01:00 to 2026-03-08 01:59), so every
 * timestamp carries the one offset, -05:00, however many orders there are.
 */
const WINTER_START_MS = Date.UTC(2025, 10, 2, 6, 0, 0);
const WINTER_END_MS = Date.UTC(2026, 2, 8, 7, 0, 0) - 3_600_000;
const NEW_YORK_OFFSET_MS = -5 * 3600 * 1000;

/*
 * Id ranges, disjoint so every id in a run is unique within its kind. Odd-indexed orders (and their line
 * items) get ids above 2^53 as in Shopify's own samples (820982911946154508): JSON.parse would round them,
 * so they check that the server keeps ids exact end to end. Even-indexed ones look like today's 13-digit ids.
 */
const ORDER_ID_SAFE = 6_100_000_000_000n;
const ORDER_ID_UNSAFE = 2n ** 53n + 1n;
const LINE_ITEM_ID_SAFE = 15_200_000_000_000n;
const LINE_ITEM_ID_UNSAFE = 820_982_911_946_154_508n;
const MAX_LINE_ITEMS = 5;
const CUSTOMER_ID_BASE = 7_300_000_000_000n;
const PRODUCT_ID_BASE = 8_100_000_000_000n;
const VARIANT_ID_BASE = 44_000_000_000_000n;
/** Repeat buyers: customers are drawn from a pool a third the size of the order count. */
const CUSTOMERS_PER_ORDER = 1 / 3;
const CATALOG_SIZE = 240;
const VARIANTS_PER_PRODUCT = 3;

const FIRST_NAMES = ['Ava', 'Liam', 'Maya', 'Noah', 'Zoe', 'Ethan', 'Iris', 'Omar', 'Lena', 'Theo'];
const LAST_NAMES = ['Nguyen', 'Garcia', 'Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Haddad', 'Tanaka'];
const PRODUCT_WORDS = ['Linen', 'Merino', 'Canvas', 'Walnut', 'Ceramic', 'Cotton', 'Leather', 'Bamboo'];
const PRODUCT_KINDS = ['Shirt', 'Tote', 'Mug', 'Throw', 'Candle', 'Cap', 'Notebook', 'Planter'];
const VARIANT_TITLES = ['Small', 'Medium', 'Large'];
const CITIES = [
  { city: 'Brooklyn', province: 'New York', province_code: 'NY', zip: '11201' },
  { city: 'Albany', province: 'New York', province_code: 'NY', zip: '12207' },
  { city: 'Buffalo', province: 'New York', province_code: 'NY', zip: '14202' },
];

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** An RFC 4122 version-4-shaped uuid drawn from `rng`, so header ids are reproducible too. */
function seededUuid(rng: Rng): string {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i += 4) bytes.writeUInt32BE(Math.floor(rng() * 4294967296), i);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Cents as Shopify's money string: 8999 -> "89.99". */
function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

function moneySet(cents: number) {
  const amount = { amount: money(cents), currency_code: CURRENCY };
  return { shop_money: amount, presentment_money: amount };
}

/** `ms` (UTC epoch) as Shopify writes shop-local times: 2026-01-05T09:12:03-05:00. */
function newYorkIso(ms: number): string {
  return new Date(ms + NEW_YORK_OFFSET_MS).toISOString().slice(0, 19) + '-05:00';
}

/** Tax on `cents` at TAX_RATE_BP, rounded half up to the cent. */
function taxOn(cents: number): number {
  return Math.round((cents * TAX_RATE_BP) / 10_000);
}

/*
 * JSON.stringify cannot write a BigInt, and a Number would lose the digits of ids above 2^53.
 * JSON.rawJSON (Node >= 21) makes JSON.stringify write the exact decimal text; TypeScript's es2024 lib does
 * not declare it yet.
 */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** `id` as a JSON integer with all its digits. */
function jsonId(id: bigint): unknown {
  return rawJson(id.toString());
}

function buildLineItem(rng: Rng, id: bigint) {
  const product = intBetween(rng, 0, CATALOG_SIZE - 1);
  const variant = intBetween(rng, 0, VARIANTS_PER_PRODUCT - 1);
  const productId = PRODUCT_ID_BASE + BigInt(product);
  const variantId = VARIANT_ID_BASE + BigInt(product * VARIANTS_PER_PRODUCT + variant);
  // Prices are a function of the product so a variant costs the same in every order.
  const priceCents = 1_499 + ((product * 7_919) % 180) * 50;
  const quantity = rng() < 0.8 ? 1 : intBetween(rng, 2, 4);
  const discountCents = rng() < 0.3 ? Math.round(priceCents * quantity * 0.1) : 0;
  const taxCents = taxOn(priceCents * quantity - discountCents);
  const title = `${PRODUCT_WORDS[product % PRODUCT_WORDS.length]} ${PRODUCT_KINDS[product % PRODUCT_KINDS.length]}`;
  const variantTitle = VARIANT_TITLES[variant] as string;
  const item = {
    id: jsonId(id),
    gift_card: false,
    grams: 200 + (product % 9) * 100,
    price: money(priceCents),
    price_set: moneySet(priceCents),
    product_id: jsonId(productId),
    quantity,
    sku: `SKU-${product}-${variant}`,
    title,
    variant_id: jsonId(variantId),
    variant_title: variantTitle,
    tax_lines: [{ price: money(taxCents), rate: TAX_RATE_BP / 10_000, title: 'NY State Tax' }],
    discount_allocations:
      discountCents > 0
        ? [
            {
              amount: money(discountCents),
              amount_set: moneySet(discountCents),
              discount_application_index: 0,
            },
          ]
        : [],
  };
  return { item, lineCents: priceCents * quantity, discountCents, taxCents, grams: item.grams * quantity };
}

function buildOrder(rng: Rng, index: number, orderCount: number) {
  const spacingMs = Math.floor((WINTER_END_MS - WINTER_START_MS) / orderCount);
  const unsafe = index % 2 === 1;
  const orderId = (unsafe ? ORDER_ID_UNSAFE : ORDER_ID_SAFE) + BigInt(index);
  const lineIdBase =
    (unsafe ? LINE_ITEM_ID_UNSAFE : LINE_ITEM_ID_SAFE) + BigInt(index) * BigInt(MAX_LINE_ITEMS);
  const lineCount = intBetween(rng, 3, MAX_LINE_ITEMS);
  const lines = Array.from({ length: lineCount }, (_, j) => buildLineItem(rng, lineIdBase + BigInt(j)));

  const lineItemsCents = lines.reduce((sum, line) => sum + line.lineCents, 0);
  const discountCents = lines.reduce((sum, line) => sum + line.discountCents, 0);
  const taxCents = lines.reduce((sum, line) => sum + line.taxCents, 0);
  const shippingCents = lineItemsCents >= 10_000 ? 0 : 895;
  const subtotalCents = lineItemsCents - discountCents;
  const totalCents = subtotalCents + shippingCents + taxCents;
  const grams = lines.reduce((sum, line) => sum + line.grams, 0);

  const customerIndex = Math.floor(rng() * Math.max(1, Math.round(orderCount * CUSTOMERS_PER_ORDER)));
  const customerId = CUSTOMER_ID_BASE + BigInt(customerIndex);
  const firstName = FIRST_NAMES[customerIndex % FIRST_NAMES.length] as string;
  const lastName = LAST_NAMES[customerIndex % LAST_NAMES.length] as string;
  const email = `${firstName.toLowerCase()}.${lastName.toLowerCase()}.${customerIndex}@example.com`;
  const place = pick(rng, CITIES);
  const address = {
    first_name: firstName,
    last_name: lastName,
    address1: `${intBetween(rng, 1, 999)} Bench Street`,
    city: place.city,
    province: place.province,
    province_code: place.province_code,
    zip: place.zip,
    country: 'United States',
    country_code: 'US',
  };

  const createdMs = WINTER_START_MS + index * spacingMs + Math.floor(rng() * spacingMs);
  const createdAt = newYorkIso(createdMs);
  const orderNumber = 1001 + index;
  const order = {
    id: jsonId(orderId),
    admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
    buyer_accepts_marketing: rng() < 0.4,
    cancel_reason: null,
    cancelled_at: null,
    closed_at: null,
    created_at: createdAt,
    currency: CURRENCY,
    current_subtotal_price: money(subtotalCents),
    current_total_price: money(totalCents),
    current_total_tax: money(taxCents),
    email,
    financial_status: 'paid',
    fulfillment_status: null,
    name: `#${orderNumber}`,
    number: orderNumber - 1000,
    order_number: orderNumber,
    presentment_currency: CURRENCY,
    processed_at: createdAt,
    source_name: 'web',
    subtotal_price: money(subtotalCents),
    subtotal_price_set: moneySet(subtotalCents),
    tags: '',
    tax_lines: [{ price: money(taxCents), rate: TAX_RATE_BP / 10_000, title: 'NY State Tax' }],
    taxes_included: false,
    test: false,
    total_discounts: money(discountCents),
    total_discounts_set: moneySet(discountCents),
    total_line_items_price: money(lineItemsCents),
    total_price: money(totalCents),
    total_price_set: moneySet(totalCents),
    total_shipping_price_set: moneySet(shippingCents),
    total_tax: money(taxCents),
    total_tax_set: moneySet(taxCents),
    total_weight: grams,
    updated_at: createdAt,
    customer: {
      id: jsonId(customerId),
      email,
      updated_at: createdAt,
      first_name: firstName,
      last_name: lastName,
    },
    discount_applications:
      discountCents > 0
        ? [{ type: 'manual', value: '10.0', value_type: 'percentage', target_type: 'line_item' }]
        : [],
    line_items: lines.map((line) => line.item),
    refunds: [],
    shipping_address: address,
    shipping_lines: [
      {
        id: jsonId(orderId),
        code: 'Standard',
        price: money(shippingCents),
        price_set: moneySet(shippingCents),
        discounted_price: money(shippingCents),
        title: 'Standard Shipping',
        tax_lines: [],
        discount_allocations: [],
      },
    ],
  };
  return { body: JSON.stringify(order), createdMs, lineItems: lineCount };
}

/**
 * `count` distinct, signed `orders/create` deliveries for `options.shopDomain`.
 * Every order, line item and event id is unique within the set, so no delivery is a duplicate of another.
 */
export function buildOrderDeliveries(count: number, options: DeliveryOptions): WebhookDelivery[] {
  const rng = mulberry32(options.seed ?? 1);
  const deliveries: WebhookDelivery[] = [];
  for (let index = 0; index < count; index++) {
    const { body, createdMs, lineItems } = buildOrder(rng, index, count);
    deliveries.push({
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': options.shopDomain,
        'x-shopify-hmac-sha256': signWebhookBody(body, options.secret),
        'x-shopify-api-version': API_VERSION,
        'x-shopify-webhook-id': seededUuid(rng),
        'x-shopify-event-id': seededUuid(rng),
        'x-shopify-triggered-at': new Date(createdMs + 1_500).toISOString(),
      },
      lineItems,
    });
  }
  return deliveries;
}
