/**
 * The seeded store generator: a shop with products, customers, orders and abandoned checkouts in Shopify's
 * REST/webhook JSON shape (rest-shapes.ts), the same for the same options on every machine.
 *
 * Products are built up front (there are few). Customers, orders and checkouts are lazy: entity `i` is
 * planned from its own random stream (random.ts) when asked for, so that a store of a million orders costs
 * no memory until it is read, and can be streamed. Orders are spread over `days` from `startDate` in id
 * order, so ids, `created_at` and `processed_at` sort alike.
 *
 * What the data holds: several presentment currencies (by the buyer's country), discount codes allocated
 * over lines, taxes (added, or included for VAT shops), shipping, fulfillments, refunds days after the
 * order (some partial, some in two parts), cancellations (refunded, or voided when unpaid), test orders,
 * web, point-of-sale and draft-order sources, and a gift card product. Nothing dated after the end of the
 * range happens.
 */
import { convertMinor, formatMinor, graphqlDecimal, parseMinor } from './amounts.ts';
import {
  ADJECTIVES,
  CANCEL_REASONS,
  COUNTRIES,
  DISCOUNT_CODES,
  FIRST_NAMES,
  FREE_SHIPPING_OVER_USD,
  LAST_NAMES,
  PRODUCT_FAMILIES,
  SHIPPING_RATES,
  SHOP_COUNTRY_BY_CURRENCY,
  countryOf,
  currencyOf,
  type Currency,
} from './catalog.ts';
import { jsonInt } from './ids.ts';
import { priceOrder, priceRefund, type DiscountInput } from './order-money.ts';
import { entityRandom, type Random } from './random.ts';
import {
  checkoutJson,
  customerJson,
  productJson,
  renderOrder,
  type CheckoutDraft,
  type CustomerDraft,
  type CustomerStats,
  type DiscountDraft,
  type OrderDraft,
  type Person,
  type ProductDraft,
  type RefundDraft,
  type RenderedOrder,
  type RestRecord,
  type ShopContext,
  type VariantDraft,
} from './rest-shapes.ts';
import { shopClock } from './shop-time.ts';

export type StoreOptions = {
  /** 32-bit seed; the same seed and options give the same store. Default 1. */
  seed?: number;
  /** Shop name; default `Simulated Shop {seed}`. */
  name?: string;
  /** `{handle}.myshopify.com`; default `sim-shop-{seed}.myshopify.com`. */
  domain?: string;
  /** Generated orders; default 100. From 0 to 100 million. */
  orderCount?: number;
  /** Default a third of the orders (at least 1). */
  customerCount?: number;
  /** At least 2 (product 0 is a gift card); default 25. */
  productCount?: number;
  /** Abandoned checkouts; default a fifth of the orders. */
  checkoutCount?: number;
  /** Shop currency, one of catalog.ts CURRENCIES; default USD. */
  currency?: string;
  /** IANA time zone of the shop; default America/New_York. */
  timezone?: string;
  /** First day of orders, `YYYY-MM-DD` (UTC); default 2025-01-01. */
  startDate?: string;
  /** Days the orders span; default 365. */
  days?: number;
};

export type StoreParams = Required<StoreOptions>;

/** A read-only sequence built on demand: `at(i)` plans and lays out entity `i` each time it is called. */
export type LazyList<T> = {
  readonly length: number;
  /** @throws RangeError outside 0..length-1 */
  at(index: number): T;
  [Symbol.iterator](): Iterator<T>;
};

/** The shop's main facts (GraphQL `Shop` reads these). */
export type ShopInfo = {
  id: string;
  name: string;
  myshopifyDomain: string;
  currencyCode: string;
  ianaTimezone: string;
  email: string;
  taxesIncluded: boolean;
  createdAt: string;
};

export type GeneratedStore = {
  params: StoreParams;
  shop: ShopInfo;
  context: ShopContext;
  /** The shop as the REST shop endpoint sends it (rest_shop.json). */
  shopJson(): RestRecord;
  products: RestRecord[];
  customers: LazyList<RestRecord>;
  orders: LazyList<RestRecord>;
  checkouts: LazyList<RestRecord>;
  /** Lower-level access for the simulator's store: drafts, ids and time bounds. */
  productDrafts: ProductDraft[];
  /** Plans product `index` (beyond `productCount` for products created later, at `at.createdMs`). */
  productDraft(index: number, at?: { createdMs: number }): ProductDraft;
  customerDraft(index: number, at?: { createdMs: number }): CustomerDraft;
  /** `created_at` and `updated_at` of customer `index` (created_at increases with the index). */
  customerTimes(index: number): { createdMs: number; updatedMs: number };
  /** Customer stats over the generated orders (one pass over all orders on first call, then cached). */
  customerStats(index: number): CustomerStats;
  orderDraft(index: number, at?: { createdMs: number }): OrderDraft;
  /** `created_at` and `updated_at` of generated order `index`, without planning the rest of it. */
  orderTimes(index: number): { createdMs: number; updatedMs: number };
  renderOrder(draft: OrderDraft): RenderedOrder;
  checkoutDraft(index: number): CheckoutDraft;
  /** `created_at` and `updated_at` of abandoned checkout `index` (created_at increases with the index). */
  checkoutTimes(index: number): { createdMs: number; updatedMs: number };
  /** Upper bound of `updated_at - created_at` of a generated order (refunds come at most this late). */
  maxOrderLagMs: number;
  ids: IdSpace;
};

/** What happens to an order over time (orderTimeline); the rest of the plan does not change its dates. */
type OrderTimeline = {
  createdMs: number;
  updatedMs: number;
  test: boolean;
  sourceName: OrderDraft['sourceName'];
  guest: boolean;
  quantities: number[];
  payment: OrderDraft['payment'];
  gateway: string;
  cancel: OrderDraft['cancel'];
  fulfilledMs: number | null;
  refunds: {
    ms: number;
    lines: { line: number; quantity: number }[];
    /** Nothing of the order is left after this refund: its shipping is refunded too. */
    full: boolean;
    restockType: RefundDraft['restockType'];
    note: string | null;
  }[];
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const CUSTOMER_HISTORY_DAYS = 365;
const MAX_REFUND_DELAY_DAYS = 30;
const MAX_SECOND_REFUND_DELAY_DAYS = 14;
const MAX_ORDER_COUNT = 100_000_000;
const STREAM = { product: 1, customer: 2, order: 3, orderTimeline: 4, checkout: 5 } as const;

/**
 * Ids of one kind of entity: `first + index x stride + part`, where `part` numbers the children of one
 * parent (the lines of an order). Invertible, so that an id in a request leads back to its index.
 */
export type IdRange = {
  at(index: number, part?: number): bigint;
  /** The index (and part) of `id`, or null when `id` is not in this range. */
  locate(id: bigint): { index: number; part: number } | null;
};

function idRange(first: bigint, stride: bigint): IdRange {
  return {
    at: (index, part = 0) => first + BigInt(index) * stride + BigInt(part),
    locate(id) {
      const offset = id - first;
      if (offset < 0n || offset / stride > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      return { index: Number(offset / stride), part: Number(offset % stride) };
    },
  };
}

/** Ids of every entity of one shop; orders and everything under them are above 2^53, the rest below. */
export type IdSpace = ReturnType<typeof idSpace>;

function idSpace(seed: number) {
  // Shops with different seeds (mod 10,000) get disjoint ranges, as real shops have, while each stays under
  // about a million records of a kind (ten million orders).
  const shop = BigInt(seed % 10_000);
  const range = (base: bigint, span: bigint, stride: bigint) => idRange(base + shop * span, stride);
  return {
    shop: 60_000_000_000n + shop,
    location: 70_000_000_000n + shop,
    customer: range(7_100_000_000_000n, 100_000_000n, 37n),
    address: range(9_500_000_000_000n, 100_000_000n, 1n),
    product: range(8_200_000_000_000n, 100_000_000n, 101n),
    option: range(10_300_000_000n, 10_000_000n, 1n),
    image: range(33_000_000_000_000n, 100_000_000n, 1n),
    /** Part: the variant's position - 1 (at most 8 variants). */
    variant: range(44_300_000_000_000n, 100_000_000n, 8n),
    inventoryItem: range(46_400_000_000_000n, 100_000_000n, 8n),
    order: range(820_982_911_946_000_000n, 10_000_000_000n, 1009n),
    lineItem: range(830_000_000_000_000_000n, 100_000_000_000n, 32n),
    shippingLine: range(870_000_000_000_000_000n, 10_000_000_000n, 1n),
    fulfillment: range(875_000_000_000_000_000n, 10_000_000_000n, 1n),
    /** Part: the refund's number (at most 4 planned refunds per order). */
    refund: range(840_000_000_000_000_000n, 10_000_000_000n, 4n),
    /** Part: refund number x 16 + the refund line's number. */
    refundLine: range(850_000_000_000_000_000n, 100_000_000_000n, 64n),
    refundShipping: range(855_000_000_000_000_000n, 10_000_000_000n, 4n),
    /** Part 0: the sale or authorization; 1-4: refunds; 7: a void. */
    transaction: range(860_000_000_000_000_000n, 100_000_000_000n, 8n),
    /** Orders' checkouts are even, abandoned checkouts odd, in one id space. */
    checkout: range(31_000_000_000_000n, 10_000_000_000n, 2n),
    /** Refunds, refund lines and transactions made later through the simulator, numbered as they come. */
    later: range(890_000_000_000_000_000n, 10_000_000_000n, 1n),
  };
}

function resolveParams(options: StoreOptions): StoreParams {
  const seed = options.seed ?? 1;
  const orderCount = options.orderCount ?? 100;
  const integer = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const params: StoreParams = {
    seed: integer('seed', seed, 0, 2 ** 32 - 1),
    name: options.name ?? `Simulated Shop ${seed}`,
    domain: options.domain ?? `sim-shop-${seed}.myshopify.com`,
    orderCount: integer('orderCount', orderCount, 0, MAX_ORDER_COUNT),
    customerCount: integer(
      'customerCount',
      options.customerCount ?? Math.max(1, Math.ceil(orderCount / 3)),
      1,
      MAX_ORDER_COUNT,
    ),
    productCount: integer('productCount', options.productCount ?? 25, 2, 100_000),
    checkoutCount: integer(
      'checkoutCount',
      options.checkoutCount ?? Math.ceil(orderCount / 5),
      0,
      MAX_ORDER_COUNT,
    ),
    currency: currencyOf(options.currency ?? 'USD').code,
    timezone: options.timezone ?? 'America/New_York',
    startDate: options.startDate ?? '2025-01-01',
    days: integer('days', options.days ?? 365, 1, 36_500),
  };
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(params.domain)) {
    throw new RangeError(`domain must look like {handle}.myshopify.com, got ${params.domain}`);
  }
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(params.startDate) ||
    Number.isNaN(Date.parse(`${params.startDate}T00:00:00Z`))
  ) {
    throw new RangeError(`startDate must be YYYY-MM-DD, got ${params.startDate}`);
  }
  return params;
}

/** A price that looks set by a merchant: x.99 or x.00 (whole hundreds of yen for JPY). */
function merchantPrice(usd: number, currency: Currency, random: Random): number {
  const usdCurrency = currencyOf('USD');
  const minor = convertMinor(Math.round(usd * 100), usdCurrency, currency);
  if (currency.digits === 0) return Math.max(100, Math.round(minor / 100) * 100);
  const whole = Math.max(1, Math.round(minor / 100));
  return random.chance(0.6) ? whole * 100 - 1 : whole * 100;
}

const asciiCache = new Map<string, string>();

/** Letters of `text` without accents, lowercased (for e-mail addresses and handles); memoized, names repeat. */
function ascii(text: string): string {
  let value = asciiCache.get(text);
  if (value === undefined) {
    value = text
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
    asciiCache.set(text, value);
  }
  return value;
}

function slug(text: string): string {
  return ascii(text.replace(/\s+/g, 'x')).replace(/x/g, '-');
}

function personFrom(random: Random, emailTag: string): Person {
  const country = random.weighted(COUNTRIES.map((c) => [c, c.weight] as const));
  const region = random.pick(country.regions);
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  return {
    firstName,
    lastName,
    email: `${ascii(firstName)}.${ascii(lastName)}.${emailTag}@example.com`,
    phone: `${country.phonePrefix}${random.int(200, 999)}${random.int(1_000_000, 9_999_999)}`,
    country,
    region,
    streetNumber: random.int(1, 300),
  };
}

/**
 * Builds a store from `options`: the shop, its products (built now), and lazy lists of customers, orders and
 * abandoned checkouts in REST/webhook JSON, plus the lower-level access the simulator's store uses.
 * @throws RangeError for an invalid option (see `StoreOptions`), or an unknown time zone
 */
export function generateStore(options: StoreOptions = {}): GeneratedStore {
  const params = resolveParams(options);
  const ids = idSpace(params.seed);
  const currency = currencyOf(params.currency);
  const clock = shopClock(params.timezone);
  const shopCountry = countryOf(SHOP_COUNTRY_BY_CURRENCY[currency.code] ?? 'US');
  const startMs = Date.parse(`${params.startDate}T00:00:00Z`);
  const endMs = startMs + params.days * DAY;
  const handle = params.domain.replace('.myshopify.com', '');
  const context: ShopContext = {
    id: ids.shop,
    name: params.name,
    domain: params.domain,
    email: `owner@${handle}.example.com`,
    currency,
    clock,
    taxesIncluded: currency.code !== 'USD' && currency.code !== 'CAD',
    locationId: ids.location,
    country: shopCountry,
    region: shopCountry.regions[0] as (typeof shopCountry.regions)[number],
  };
  const shopCreatedMs = startMs - 2 * CUSTOMER_HISTORY_DAYS * DAY;

  const productDrafts = Array.from({ length: params.productCount }, (_, index) => planProduct(index));
  const giftCard = productDrafts[0] as ProductDraft;
  const sellable = productDrafts.filter((product) => product.status === 'active' && !product.giftCard);

  /** Plans product `index`; a product created later through the simulator passes its creation time. */
  function planProduct(index: number, at?: { createdMs: number }): ProductDraft {
    const random = entityRandom(params.seed, STREAM.product, index);
    const generatedMs = startMs - random.int(30, 400) * DAY;
    const createdMs = at?.createdMs ?? generatedMs;
    const updatedMs = at?.createdMs ?? createdMs + random.int(0, 20) * DAY;
    const common = {
      id: ids.product.at(index),
      optionId: ids.option.at(index),
      imageId: ids.image.at(index),
      createdMs,
      updatedMs,
    };
    const variant = (position: number, title: string, priceMinor: number, fields: Partial<VariantDraft>) => ({
      id: ids.variant.at(index, position - 1),
      inventoryItemId: ids.inventoryItem.at(index, position - 1),
      title,
      position,
      priceMinor,
      compareAtMinor: null,
      costMinor: 0,
      sku: '',
      barcode: String(random.int(100_000, 999_999)) + String(random.int(100_000, 999_999)),
      grams: 0,
      inventoryQuantity: 0,
      taxable: true,
      requiresShipping: true,
      ...fields,
    });
    if (index === 0) {
      return {
        ...common,
        title: 'Gift Card',
        handle: 'gift-card',
        bodyHtml: '<p>A gift card for the shop.</p>',
        vendor: params.name,
        productType: 'Gift Card',
        status: 'active',
        giftCard: true,
        tags: '',
        optionName: 'Denominations',
        variants: [25, 50, 100].map((usd, position) => {
          const price = convertMinor(usd * 100, currencyOf('USD'), currency);
          const value = formatMinor(price, currency.digits);
          return variant(position + 1, `${value} ${currency.code}`, price, {
            sku: `GIFT-${usd}`,
            taxable: false,
            requiresShipping: false,
          });
        }),
      };
    }
    const family = PRODUCT_FAMILIES[
      (index - 1) % PRODUCT_FAMILIES.length
    ] as (typeof PRODUCT_FAMILIES)[number];
    const title = `${random.pick(ADJECTIVES)} ${random.pick(family.nouns)}`;
    const basePrice = merchantPrice(random.int(family.minPrice, family.maxPrice), currency, random);
    const count = Math.min(
      family.values.length,
      random.weighted([
        [1, 30],
        [2, 20],
        [3, 30],
        [4, 20],
      ] as const),
    );
    const titles = count === 1 ? ['Default Title'] : family.values.slice(0, count);
    const status =
      index === 1
        ? 'active'
        : random.weighted([
            ['active', 90],
            ['draft', 5],
            ['archived', 5],
          ] as const);
    const withCompareAt = random.chance(0.2);
    const grams = random.int(family.grams[0], family.grams[1]);
    return {
      ...common,
      title,
      handle: `${slug(title)}-${index}`,
      bodyHtml: `<p>${title} by ${family.vendor}.</p>`,
      vendor: family.vendor,
      productType: family.productType,
      status,
      giftCard: false,
      tags: random.pick(['', 'new', 'bestseller', 'sale, summer']),
      optionName: count === 1 ? 'Title' : family.option,
      variants: titles.map((title, position) => {
        // Larger sizes cost a little more, as merchants usually price them.
        const priceMinor = basePrice + (family.option === 'Size' ? position * 10 ** currency.digits : 0);
        return variant(position + 1, title, priceMinor, {
          compareAtMinor: withCompareAt ? Math.round(priceMinor * 1.25) : null,
          costMinor: Math.round(priceMinor * (0.35 + random.next() * 0.25)),
          sku: `${family.productType.slice(0, 3).toUpperCase()}-${index}-${position + 1}`,
          grams,
          inventoryQuantity: random.int(0, 500),
        });
      }),
    };
  }

  const customerStartMs = startMs - CUSTOMER_HISTORY_DAYS * DAY;
  const customerSlotMs = ((CUSTOMER_HISTORY_DAYS + params.days) * DAY) / params.customerCount;

  /** Customer `index`'s stream after its first two draws, `created_at` and `updated_at`, read cheaply by filters. */
  function customerStart(index: number, at?: { createdMs: number }) {
    const random = entityRandom(params.seed, STREAM.customer, index);
    const createdMs = customerStartMs + Math.floor((index + random.next()) * customerSlotMs);
    const updatedMs = Math.max(createdMs, Math.min(endMs, createdMs + random.int(0, 3 * DAY)));
    if (at) return { random, createdMs: at.createdMs, updatedMs: at.createdMs };
    return { random, createdMs, updatedMs };
  }

  /** Plans customer `index`; a customer created later through the simulator passes its creation time. */
  function customerDraft(index: number, at?: { createdMs: number }): CustomerDraft {
    const { random, createdMs, updatedMs } = customerStart(index, at);
    return {
      id: ids.customer.at(index),
      addressId: ids.address.at(index),
      person: personFrom(random, String(index)),
      createdMs,
      updatedMs,
      state: random.weighted([
        ['enabled', 60],
        ['disabled', 35],
        ['invited', 5],
      ] as const),
      emailMarketing: random.chance(0.4),
      smsMarketing: random.chance(0.1),
      tags: random.weighted([
        ['', 70],
        ['VIP', 10],
        ['wholesale', 5],
        ['newsletter', 15],
      ] as const),
      note: random.chance(0.05) ? 'Prefers email contact.' : null,
    };
  }

  /** Customers created by `ms` (customers are created in index order): an order can only pick those. */
  function customersBy(ms: number): number {
    const count = Math.floor((ms - customerStartMs) / customerSlotMs);
    return Math.min(params.customerCount, Math.max(1, count));
  }

  const orderSlotMs = params.orderCount > 0 ? (params.days * DAY) / params.orderCount : DAY;

  /** A discount code from the catalog, as the order shows it and as its pricing takes it. */
  function discountOf(random: Random): { draft: DiscountDraft; input: DiscountInput } {
    const code = random.pick(DISCOUNT_CODES);
    if (code.kind === 'percentage') {
      return {
        draft: { code: code.code, kind: code.kind, value: `${code.value}.0` },
        input: { kind: 'percentage', percent: code.value },
      };
    }
    const amountShop = convertMinor(code.value * 100, currencyOf('USD'), currency);
    return {
      draft: {
        code: code.code,
        kind: code.kind,
        value: graphqlDecimal(formatMinor(amountShop, currency.digits)),
      },
      input: { kind: 'fixed_amount', amountShop },
    };
  }

  const sellableVariants = sellable.reduce((count, product) => count + product.variants.length, 0);

  /**
   * The cheap half of order `index`'s plan, from its own stream: when it was made, what happened to it
   * later and so its `updated_at`, without choosing products or building anything. Filters on
   * `updated_at` over millions of orders read only this.
   *
   * Generated orders take their time from the index; an order created later through the simulator passes
   * `at` (its creation time), and nothing after that time happens to it.
   */
  function orderTimeline(index: number, at?: { createdMs: number }): OrderTimeline {
    // Readers ask for an order's times, then for the order: keep the last timeline for the second call.
    if (!at && lastTimeline?.index === index) return lastTimeline.timeline;
    const timeline = planTimeline(index, at);
    if (!at) lastTimeline = { index, timeline };
    return timeline;
  }
  let lastTimeline: { index: number; timeline: OrderTimeline } | null = null;

  function planTimeline(index: number, at?: { createdMs: number }): OrderTimeline {
    const random = entityRandom(params.seed, STREAM.orderTimeline, index);
    const createdMs = at?.createdMs ?? startMs + Math.floor((index + random.next()) * orderSlotMs);
    const horizonMs = at ? createdMs : endMs;
    const happens = (ms: number) => ms <= horizonMs;
    const test = random.chance(0.02);
    const sourceName = random.weighted([
      ['web', 85],
      ['pos', 8],
      ['shopify_draft_order', 7],
    ] as const);
    const pos = sourceName === 'pos';
    const guest = pos ? random.chance(0.5) : random.chance(0.05);
    const lineCount = Math.min(
      sellableVariants,
      random.weighted([
        [1, 50],
        [2, 30],
        [3, 15],
        [4, 5],
      ] as const),
    );
    const quantities = Array.from({ length: lineCount }, () =>
      random.weighted([
        [1, 70],
        [2, 20],
        [3, 10],
      ] as const),
    );

    let payment: OrderDraft['payment'] = 'paid';
    let gateway = 'shopify_payments';
    if (test) gateway = 'bogus';
    else if (pos) gateway = random.pick(['cash', 'shopify_payments']);
    else {
      const kind = random.weighted([
        ['card', 75],
        ['paypal', 15],
        ['authorized', 3],
        ['manual', 7],
      ] as const);
      if (kind === 'paypal') gateway = 'paypal';
      if (kind === 'authorized') payment = 'authorized';
      if (kind === 'manual') {
        gateway = 'manual';
        payment = random.chance(0.6) ? 'pending' : 'paid';
      }
    }

    const cancelMs = createdMs + random.int(1, 72) * HOUR;
    const cancel =
      !pos && random.chance(0.03) && happens(cancelMs)
        ? { ms: cancelMs, reason: random.pick(CANCEL_REASONS) }
        : null;
    const fulfillMs = pos ? createdMs : createdMs + random.int(4, 120) * HOUR;
    const fulfilledMs =
      !cancel && payment === 'paid' && (pos || random.chance(0.85)) && happens(fulfillMs) ? fulfillMs : null;

    const refunds: OrderTimeline['refunds'] = [];
    if (cancel && payment === 'paid') {
      const all = quantities.map((quantity, line) => ({ line, quantity }));
      refunds.push({ ms: cancel.ms, lines: all, full: true, restockType: 'cancel', note: 'Order canceled' });
    } else if (!cancel && payment === 'paid' && random.chance(0.1)) {
      const firstMs = createdMs + random.int(1, MAX_REFUND_DELAY_DAYS) * DAY + random.int(0, 23) * HOUR;
      const chosen = quantities
        .map((quantity, line) => ({ line, quantity: random.chance(0.6) ? random.int(1, quantity) : 0 }))
        .filter((entry) => entry.quantity > 0);
      if (chosen.length === 0) chosen.push({ line: 0, quantity: 1 });
      const left = quantities
        .map((quantity, line) => ({
          line,
          quantity: quantity - (chosen.find((e) => e.line === line)?.quantity ?? 0),
        }))
        .filter((entry) => entry.quantity > 0);
      const restockType = fulfilledMs
        ? random.weighted([
            ['return', 80],
            ['no_restock', 20],
          ] as const)
        : 'cancel';
      const note = random.pick(['Damaged in transit', 'Wrong size', 'Customer changed their mind', null]);
      const secondMs = firstMs + random.int(1, MAX_SECOND_REFUND_DELAY_DAYS) * DAY;
      const second = random.chance(0.25);
      if (happens(firstMs)) {
        refunds.push({ ms: firstMs, lines: chosen, full: left.length === 0, restockType, note });
        if (second && left.length > 0 && happens(secondMs)) {
          refunds.push({
            ms: secondMs,
            lines: [left[0] as (typeof left)[number]],
            full: left.length === 1,
            restockType,
            note: null,
          });
        }
      }
    }
    const updatedMs = Math.max(createdMs, cancel?.ms ?? 0, fulfilledMs ?? 0, ...refunds.map((r) => r.ms));
    return {
      createdMs,
      updatedMs,
      test,
      sourceName,
      guest,
      quantities,
      payment,
      gateway,
      cancel,
      fulfilledMs,
      refunds,
    };
  }

  /** Plans order `index` in full: its timeline, then customer, products, money and tokens. */
  function orderDraft(index: number, at?: { createdMs: number }): OrderDraft {
    const timeline = orderTimeline(index, at);
    const { createdMs, sourceName } = timeline;
    const random = entityRandom(params.seed, STREAM.order, index);
    const pos = sourceName === 'pos';
    const customer = timeline.guest ? null : customerDraft(random.int(0, customersBy(createdMs) - 1));
    const person = customer?.person ?? personFrom(random, `guest${index}`);
    const taxRegion = pos ? context.region : person.region;
    const taxCountry = pos ? shopCountry : person.country;
    const presentment = pos ? currency : currencyOf(person.country.currency);

    const lines: OrderDraft['lines'] = [];
    for (const quantity of timeline.quantities) {
      let variant: VariantDraft | undefined;
      let product = giftCard;
      // Distinct variants per order (Shopify merges a variant into one line); a few draws, then the first free one.
      for (
        let attempt = 0;
        attempt < 6 && (!variant || lines.some((l) => l.variant.id === variant?.id));
        attempt += 1
      ) {
        product = random.chance(0.03) ? giftCard : random.pick(sellable);
        variant = random.pick(product.variants);
      }
      if (!variant || lines.some((l) => l.variant.id === variant?.id)) {
        product = sellable.find((p) =>
          p.variants.some((v) => !lines.some((l) => l.variant.id === v.id)),
        ) as ProductDraft;
        variant = product.variants.find((v) => !lines.some((l) => l.variant.id === v.id)) as VariantDraft;
      }
      lines.push({ id: ids.lineItem.at(index, lines.length), product, variant, quantity });
    }
    const discount = sourceName === 'web' && random.chance(0.25) ? discountOf(random) : null;
    const ships = !pos && lines.some((line) => line.variant.requiresShipping);
    const express = random.chance(0.15);
    const itemsShop = lines.reduce((sum, line) => sum + line.variant.priceMinor * line.quantity, 0);
    const freeOver = convertMinor(FREE_SHIPPING_OVER_USD * 100, currencyOf('USD'), currency);
    const rate = SHIPPING_RATES[express ? 1 : 0] as (typeof SHIPPING_RATES)[number];
    const free = !express && itemsShop >= freeOver;
    const shippingShop = ships && !free ? convertMinor(rate.usd * 100, currencyOf('USD'), currency) : 0;
    const money = priceOrder(
      {
        lines: lines.map((line) => ({
          unitShop: line.variant.priceMinor,
          quantity: line.quantity,
          taxable: line.variant.taxable,
          discountable: !line.product.giftCard,
        })),
        discount: discount?.input ?? null,
        shippingShop,
        taxRate: taxRegion.taxRate,
        taxesShipping: taxCountry.taxesShipping,
        taxesIncluded: context.taxesIncluded,
      },
      currency,
      presentment,
    );
    const refunds: RefundDraft[] = timeline.refunds.map((refund, k) => ({
      id: ids.refund.at(index, k),
      ms: refund.ms,
      note: refund.note,
      restockType: refund.restockType,
      request: { lines: refund.lines, shipping: refund.full && ships },
      lineIds: refund.lines.map((_, n) => ids.refundLine.at(index, k * 16 + n)),
      shippingLineRefundId: ids.refundShipping.at(index, k),
      transactionId: ids.transaction.at(index, k + 1),
    }));
    const web = sourceName === 'web';
    return {
      id: ids.order.at(index),
      number: index + 1,
      createdMs,
      updatedMs: timeline.updatedMs,
      test: timeline.test,
      sourceName,
      customer,
      person,
      presentment,
      payment: timeline.payment,
      gateway: timeline.gateway,
      lines,
      discount: discount?.draft ?? null,
      shipping: ships
        ? {
            id: ids.shippingLine.at(index),
            title: free ? 'Free Shipping' : rate.title,
            code: free ? 'FREE' : rate.code,
          }
        : null,
      taxTitle: taxRegion.taxTitle,
      taxRate: taxRegion.taxRate,
      money,
      cancel: timeline.cancel,
      fulfillment:
        timeline.fulfilledMs === null ? null : { id: ids.fulfillment.at(index), ms: timeline.fulfilledMs },
      refunds,
      parentTransactionId: ids.transaction.at(index, 0),
      voidTransactionId: ids.transaction.at(index, 7),
      checkoutId: web ? ids.checkout.at(index) : null,
      tokens: {
        order: random.hex(32),
        cart: web ? random.hex(32) : null,
        checkout: web ? random.hex(32) : null,
        statusKey: random.hex(32),
      },
      browserIp: web
        ? `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`
        : null,
      confirmationNumber: random.hex(9).toUpperCase(),
      buyerAcceptsMarketing: customer?.emailMarketing ?? false,
      note: random.chance(0.05) ? 'Please gift wrap.' : null,
      tags: timeline.test ? 'test' : random.pick(['', '', '', 'wholesale', 'gift']),
    };
  }

  const checkoutSlotMs = params.checkoutCount > 0 ? (params.days * DAY) / params.checkoutCount : DAY;

  /** Checkout `index`'s stream after its first two draws, `created_at` and `updated_at`. */
  function checkoutStart(index: number) {
    const random = entityRandom(params.seed, STREAM.checkout, index);
    const createdMs = startMs + Math.floor((index + random.next()) * checkoutSlotMs);
    const updatedMs = Math.min(Math.max(endMs, createdMs), createdMs + random.int(1, 120) * 60_000);
    return { random, createdMs, updatedMs };
  }

  function checkoutDraft(index: number): CheckoutDraft {
    const { random, createdMs, updatedMs } = checkoutStart(index);
    const customer = random.chance(0.6) ? customerDraft(random.int(0, customersBy(createdMs) - 1)) : null;
    const person = customer?.person ?? personFrom(random, `checkout${index}`);
    const presentment = currencyOf(person.country.currency);
    const count = random.int(1, 3);
    const lines = Array.from({ length: count }, () => {
      const product = random.pick(sellable);
      return {
        key: random.hex(16),
        product,
        variant: random.pick(product.variants),
        quantity: random.int(1, 2),
      };
    }).filter((line, n, all) => all.findIndex((other) => other.variant.id === line.variant.id) === n);
    const discount = random.chance(0.1) ? discountOf(random) : null;
    const money = priceOrder(
      {
        lines: lines.map((line) => ({
          unitShop: line.variant.priceMinor,
          quantity: line.quantity,
          taxable: true,
          discountable: true,
        })),
        discount: discount?.input ?? null,
        shippingShop: 0,
        taxRate: person.region.taxRate,
        taxesShipping: false,
        taxesIncluded: context.taxesIncluded,
      },
      currency,
      presentment,
    );
    return {
      id: ids.checkout.at(index, 1),
      token: random.hex(32),
      cartToken: random.hex(32),
      createdMs,
      updatedMs,
      customer,
      person,
      presentment,
      lines,
      discount: discount?.draft ?? null,
      taxTitle: person.region.taxTitle,
      taxRate: person.region.taxRate,
      money,
    };
  }

  let stats: { count: Int32Array; spent: Float64Array; last: Int32Array } | null = null;

  /** One pass over the planned orders (no JSON is built): orders, money spent and last order per customer. */
  function computeStats() {
    const count = new Int32Array(params.customerCount);
    const spent = new Float64Array(params.customerCount);
    const last = new Int32Array(params.customerCount).fill(-1);
    for (let index = 0; index < params.orderCount; index += 1) {
      const draft = orderDraft(index);
      if (!draft.customer) continue;
      const customer = (ids.customer.locate(draft.customer.id) as { index: number }).index;
      count[customer] = (count[customer] ?? 0) + 1;
      spent[customer] = (spent[customer] ?? 0) + currentTotalShop(draft);
      last[customer] = index;
    }
    return { count, spent, last };
  }

  function customerStats(index: number): CustomerStats {
    stats ??= computeStats();
    const last = stats.last[index] ?? -1;
    return {
      ordersCount: stats.count[index] ?? 0,
      totalSpentMinor: stats.spent[index] ?? 0,
      lastOrderId: last < 0 ? null : ids.order.at(last),
      lastOrderName: last < 0 ? null : `#${1000 + last + 1}`,
    };
  }

  const lazy = <T>(length: number, at: (index: number) => T): LazyList<T> => ({
    length,
    at(index) {
      if (!Number.isInteger(index) || index < 0 || index >= length) {
        throw new RangeError(`index ${index} outside 0..${length - 1}`);
      }
      return at(index);
    },
    *[Symbol.iterator]() {
      for (let index = 0; index < length; index += 1) yield at(index);
    },
  });

  const shop: ShopInfo = {
    id: String(ids.shop),
    name: params.name,
    myshopifyDomain: params.domain,
    currencyCode: currency.code,
    ianaTimezone: params.timezone,
    email: context.email,
    taxesIncluded: context.taxesIncluded,
    createdAt: clock.local(shopCreatedMs),
  };

  return {
    params,
    shop,
    context,
    shopJson: () => shopJsonOf(context, params, shopCreatedMs),
    products: productDrafts.map((draft) => productJson(context, draft)),
    customers: lazy(params.customerCount, (index) =>
      customerJson(context, customerDraft(index), customerStats(index)),
    ),
    orders: lazy(params.orderCount, (index) => renderOrder(context, orderDraft(index)).order),
    checkouts: lazy(params.checkoutCount, (index) => checkoutJson(context, checkoutDraft(index))),
    productDrafts,
    productDraft: planProduct,
    customerDraft,
    customerTimes: (index) => {
      const { createdMs, updatedMs } = customerStart(index);
      return { createdMs, updatedMs };
    },
    customerStats,
    orderDraft,
    orderTimes: (index) => {
      const { createdMs, updatedMs } = orderTimeline(index);
      return { createdMs, updatedMs };
    },
    renderOrder: (draft) => renderOrder(context, draft),
    checkoutDraft,
    checkoutTimes: (index) => {
      const { createdMs, updatedMs } = checkoutStart(index);
      return { createdMs, updatedMs };
    },
    maxOrderLagMs: (MAX_REFUND_DELAY_DAYS + MAX_SECOND_REFUND_DELAY_DAYS + 1) * DAY,
    ids,
  };
}

/** What the order's buyer paid and kept: total price less refunds, shop currency, minor units. */
function currentTotalShop(draft: OrderDraft): number {
  let total = draft.money.total[0];
  const refunded = draft.money.lines.map(() => 0);
  for (const refund of draft.refunds) {
    total -= priceRefund(draft.money, refunded, refund.request).total[0];
    for (const { line, quantity } of refund.request.lines) refunded[line] = (refunded[line] ?? 0) + quantity;
  }
  return total;
}

function shopJsonOf(context: ShopContext, params: StoreParams, createdMs: number): RestRecord {
  const region = context.region;
  const symbol = { USD: '$', CAD: '$', AUD: '$', EUR: '€', GBP: '£', JPY: '¥' }[context.currency.code] ?? '';
  return {
    id: jsonInt(context.id),
    name: context.name,
    email: context.email,
    domain: context.domain,
    province: region.province,
    country: context.country.code,
    address1: `1 ${region.street}`,
    zip: region.zip,
    city: region.city,
    source: null,
    phone: `${context.country.phonePrefix}5550100`,
    latitude: region.latitude,
    longitude: region.longitude,
    primary_locale: 'en',
    address2: '',
    created_at: context.clock.local(createdMs),
    updated_at: context.clock.local(createdMs),
    country_code: context.country.code,
    country_name: context.country.name,
    currency: context.currency.code,
    customer_email: context.email,
    timezone: `(GMT${formatOffset(context.clock.offsetMinutes(createdMs))}) ${params.timezone}`,
    iana_timezone: params.timezone,
    shop_owner: 'Simulator Owner',
    money_format: `${symbol}{{amount}}`,
    money_with_currency_format: `${symbol}{{amount}} ${context.currency.code}`,
    weight_unit: 'kg',
    province_code: region.provinceCode,
    taxes_included: context.taxesIncluded,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: 'Shopify Plus',
    plan_name: 'enterprise',
    has_discounts: true,
    has_gift_cards: true,
    myshopify_domain: context.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: `${symbol}{{amount}}`,
    money_with_currency_in_emails_format: `${symbol}{{amount}} ${context.currency.code}`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: jsonInt(context.locationId),
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [...new Set(COUNTRIES.map((c) => c.currency))],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Sums over orders, in shop currency, as decimal strings: what a correct consumer must arrive at. */
export type GroundTruth = {
  orders: number;
  testOrders: number;
  cancelledOrders: number;
  refunds: number;
  /** Sum of line price x quantity (`total_line_items_price`), gift cards included. */
  lineItemsTotal: string;
  /** Sum of line discount allocations (`total_discounts`). */
  discounts: string;
  /** Sum of `total_tax`. */
  tax: string;
  /** Sum of `total_price`. */
  totalPrice: string;
  /** Sum of what refunds gave back (their transactions, in shop currency): `total_price - current_total_price`. */
  refunded: string;
  /** Sum of refunded line subtotals (after discounts; before tax unless taxes are included). */
  refundedSubtotal: string;
};

/**
 * Sums a sequence of REST orders by reading their JSON, one at a time (a lazy list of a million orders is
 * never held in memory). Amounts are summed as integers in the minor unit of `digits`.
 */
export function groundTruth(orders: Iterable<RestRecord>, digits = 2): GroundTruth {
  let count = 0;
  let testOrders = 0;
  let cancelledOrders = 0;
  let refunds = 0;
  const sums = { lineItems: 0, discounts: 0, tax: 0, total: 0, refunded: 0, refundedSubtotal: 0 };
  const minor = (value: unknown) => parseMinor(String(value), digits);
  const shopAmount = (set: unknown) => minor((set as { shop_money: { amount: string } }).shop_money.amount);
  for (const order of orders) {
    count += 1;
    if (order.test === true) testOrders += 1;
    if (order.cancelled_at) cancelledOrders += 1;
    for (const line of order.line_items as RestRecord[])
      sums.lineItems += minor(line.price) * Number(line.quantity);
    sums.discounts += minor(order.total_discounts);
    sums.tax += minor(order.total_tax);
    sums.total += minor(order.total_price);
    sums.refunded += minor(order.total_price) - minor(order.current_total_price);
    for (const refund of order.refunds as RestRecord[]) {
      refunds += 1;
      for (const item of refund.refund_line_items as RestRecord[])
        sums.refundedSubtotal += shopAmount(item.subtotal_set);
    }
  }
  const text = (value: number) => formatMinor(value, digits);
  return {
    orders: count,
    testOrders,
    cancelledOrders,
    refunds,
    lineItemsTotal: text(sums.lineItems),
    discounts: text(sums.discounts),
    tax: text(sums.tax),
    totalPrice: text(sums.total),
    refunded: text(sums.refunded),
    refundedSubtotal: text(sums.refundedSubtotal),
  };
}
