/**
 * The REST/webhook JSON shapes the simulator sends: order (with line items, shipping lines, fulfillments,
 * refunds), refund, transaction, customer, product and abandoned checkout. Shopify documents webhook bodies
 * of these topics as "the full REST resource payload" (shopify.dev/docs/apps/build/webhooks/delivery-structure),
 * so one shape serves both. Keys and JSON types follow the samples in test/fixtures/shopify (the REST
 * reference examples, plus the keys the 2026-04 webhook samples add); generator.test.ts checks them.
 *
 * Ids are `JsonInt`s (exact above 2^53), money is decimal strings with `*_set` pairs, times are ISO-8601 in
 * the shop's time zone. The builders take drafts (every decision already made by the generator) and only
 * lay them out, apart from `applyRefund`, which updates an order's current totals after a refund.
 */
import { formatMinor, moneySet, parseMinor, type MoneySet, type Pair } from './amounts.ts';
import { currencyOf, type Country, type Currency, type Region } from './catalog.ts';
import { gid, idText, jsonInt } from './ids.ts';
import {
  priceRefund,
  totalsOf,
  type LineMoney,
  type OrderMoney,
  type RefundMoney,
  type RefundRequest,
} from './order-money.ts';
import type { ShopClock } from './shop-time.ts';

/** A REST record as sent: a JSON object whose ids may be `JsonInt`s. */
export type RestRecord = { [key: string]: unknown };

export type ShopContext = {
  id: bigint;
  name: string;
  domain: string;
  email: string;
  currency: Currency;
  clock: ShopClock;
  taxesIncluded: boolean;
  locationId: bigint;
  country: Country;
  region: Region;
};

export type Person = {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  country: Country;
  region: Region;
  streetNumber: number;
};

export type CustomerDraft = {
  id: bigint;
  addressId: bigint;
  person: Person;
  createdMs: number;
  updatedMs: number;
  state: 'enabled' | 'disabled' | 'invited';
  emailMarketing: boolean;
  smsMarketing: boolean;
  tags: string;
  note: string | null;
};

export type CustomerStats = {
  ordersCount: number;
  /** Sum of the current total price of the customer's orders, shop currency, minor units. */
  totalSpentMinor: number;
  lastOrderId: bigint | null;
  lastOrderName: string | null;
};

export type VariantDraft = {
  id: bigint;
  inventoryItemId: bigint;
  title: string;
  position: number;
  priceMinor: number;
  compareAtMinor: number | null;
  costMinor: number;
  sku: string;
  barcode: string;
  grams: number;
  inventoryQuantity: number;
  taxable: boolean;
  requiresShipping: boolean;
};

export type ProductDraft = {
  id: bigint;
  optionId: bigint;
  imageId: bigint;
  title: string;
  handle: string;
  bodyHtml: string;
  vendor: string;
  productType: string;
  status: 'active' | 'draft' | 'archived';
  giftCard: boolean;
  tags: string;
  optionName: string;
  createdMs: number;
  updatedMs: number;
  variants: VariantDraft[];
};

export type DiscountDraft = { code: string; kind: 'percentage' | 'fixed_amount'; value: string };

export type RefundDraft = {
  id: bigint;
  ms: number;
  note: string | null;
  restockType: 'return' | 'no_restock' | 'cancel';
  request: RefundRequest;
  /** One id per entry of `request.lines`. */
  lineIds: bigint[];
  shippingLineRefundId: bigint;
  transactionId: bigint;
};

export type OrderDraft = {
  id: bigint;
  number: number;
  createdMs: number;
  updatedMs: number;
  test: boolean;
  sourceName: 'web' | 'pos' | 'shopify_draft_order';
  customer: CustomerDraft | null;
  person: Person;
  presentment: Currency;
  payment: 'paid' | 'pending' | 'authorized';
  gateway: string;
  lines: { id: bigint; product: ProductDraft; variant: VariantDraft; quantity: number }[];
  discount: DiscountDraft | null;
  shipping: { id: bigint; title: string; code: string } | null;
  taxTitle: string;
  taxRate: number;
  money: OrderMoney;
  cancel: { ms: number; reason: string } | null;
  fulfillment: { id: bigint; ms: number } | null;
  refunds: RefundDraft[];
  parentTransactionId: bigint;
  voidTransactionId: bigint;
  checkoutId: bigint | null;
  tokens: { order: string; cart: string | null; checkout: string | null; statusKey: string };
  browserIp: string | null;
  confirmationNumber: string;
  buyerAcceptsMarketing: boolean;
  note: string | null;
  tags: string;
};

export type CheckoutDraft = {
  id: bigint;
  token: string;
  cartToken: string;
  createdMs: number;
  updatedMs: number;
  customer: CustomerDraft | null;
  person: Person;
  presentment: Currency;
  lines: { key: string; product: ProductDraft; variant: VariantDraft; quantity: number }[];
  discount: DiscountDraft | null;
  taxTitle: string;
  taxRate: number;
  money: OrderMoney;
};

const ZERO: Pair = [0, 0];

function money(shop: ShopContext, presentment: Currency, amount: Pair): MoneySet {
  return moneySet(amount, shop.currency, presentment);
}

function shopAmount(shop: ShopContext, minor: number): string {
  return formatMinor(minor, shop.currency.digits);
}

function nameOf(person: Person): string {
  return `${person.firstName} ${person.lastName}`;
}

function addressOf(person: Person): RestRecord {
  return {
    first_name: person.firstName,
    address1: `${person.streetNumber} ${person.region.street}`,
    phone: person.phone,
    city: person.region.city,
    zip: person.region.zip,
    province: person.region.province,
    country: person.country.name,
    last_name: person.lastName,
    address2: '',
    company: null,
    latitude: person.region.latitude,
    longitude: person.region.longitude,
    name: nameOf(person),
    country_code: person.country.code,
    province_code: person.region.provinceCode,
  };
}

function customerAddress(customer: CustomerDraft): RestRecord {
  const person = customer.person;
  return {
    id: jsonInt(customer.addressId),
    customer_id: jsonInt(customer.id),
    first_name: person.firstName,
    last_name: person.lastName,
    company: null,
    address1: `${person.streetNumber} ${person.region.street}`,
    address2: '',
    city: person.region.city,
    province: person.region.province,
    country: person.country.name,
    zip: person.region.zip,
    phone: person.phone,
    name: nameOf(person),
    province_code: person.region.provinceCode,
    country_code: person.country.code,
    country_name: person.country.name,
    default: true,
  };
}

/** A customer as embedded in an order, or with `stats` as the customers endpoint and webhooks send it. */
export function customerJson(shop: ShopContext, customer: CustomerDraft, stats?: CustomerStats): RestRecord {
  const time = (ms: number) => shop.clock.local(ms);
  const consentAt = time(customer.createdMs);
  const base: RestRecord = {
    id: jsonInt(customer.id),
    email: customer.person.email,
    created_at: time(customer.createdMs),
    updated_at: time(customer.updatedMs),
    first_name: customer.person.firstName,
    last_name: customer.person.lastName,
  };
  const statsPart: RestRecord = stats
    ? {
        orders_count: stats.ordersCount,
        state: customer.state,
        total_spent: shopAmount(shop, stats.totalSpentMinor),
        last_order_id: stats.lastOrderId === null ? null : jsonInt(stats.lastOrderId),
      }
    : { state: customer.state };
  return {
    ...base,
    ...statsPart,
    note: customer.note,
    verified_email: customer.state !== 'invited',
    multipass_identifier: null,
    tax_exempt: false,
    tags: customer.tags,
    ...(stats ? { last_order_name: stats.lastOrderName } : {}),
    currency: shop.currency.code,
    phone: customer.person.phone,
    ...(stats ? { addresses: [customerAddress(customer)] } : {}),
    tax_exemptions: [],
    email_marketing_consent: {
      state: customer.emailMarketing ? 'subscribed' : 'not_subscribed',
      opt_in_level: customer.emailMarketing ? 'single_opt_in' : null,
      consent_updated_at: consentAt,
    },
    sms_marketing_consent: {
      state: customer.smsMarketing ? 'subscribed' : 'not_subscribed',
      opt_in_level: 'single_opt_in',
      consent_updated_at: consentAt,
      consent_collected_from: 'OTHER',
    },
    admin_graphql_api_id: gid('Customer', customer.id),
    default_address: customerAddress(customer),
  };
}

function variantJson(shop: ShopContext, product: ProductDraft, variant: VariantDraft): RestRecord {
  const time = (ms: number) => shop.clock.local(ms);
  const price = shopAmount(shop, variant.priceMinor);
  const compareAt = variant.compareAtMinor === null ? null : shopAmount(shop, variant.compareAtMinor);
  return {
    id: jsonInt(variant.id),
    product_id: jsonInt(product.id),
    title: variant.title,
    price,
    position: variant.position,
    inventory_policy: 'deny',
    compare_at_price: compareAt,
    option1: variant.title,
    option2: null,
    option3: null,
    created_at: time(product.createdMs),
    updated_at: time(product.updatedMs),
    taxable: variant.taxable,
    barcode: variant.barcode,
    fulfillment_service: 'manual',
    grams: variant.grams,
    inventory_management: product.giftCard ? null : 'shopify',
    requires_shipping: variant.requiresShipping,
    sku: variant.sku,
    weight: variant.grams / 1000,
    weight_unit: 'kg',
    inventory_item_id: jsonInt(variant.inventoryItemId),
    inventory_quantity: variant.inventoryQuantity,
    old_inventory_quantity: variant.inventoryQuantity,
    presentment_prices: [
      {
        price: { amount: price, currency_code: shop.currency.code },
        compare_at_price:
          compareAt === null ? null : { amount: compareAt, currency_code: shop.currency.code },
      },
    ],
    admin_graphql_api_id: gid('ProductVariant', variant.id),
    image_id: variant.position === 1 ? jsonInt(product.imageId) : null,
  };
}

/** A product with its variants, options and image, as the products endpoint and webhooks send it. */
export function productJson(shop: ShopContext, product: ProductDraft): RestRecord {
  const time = (ms: number) => shop.clock.local(ms);
  const image: RestRecord = {
    id: jsonInt(product.imageId),
    alt: null,
    position: 1,
    product_id: jsonInt(product.id),
    created_at: time(product.createdMs),
    updated_at: time(product.updatedMs),
    admin_graphql_api_id: gid('MediaImage', product.imageId),
    width: 1200,
    height: 1200,
    src: `https://cdn.shopify.com/s/files/1/0000/0001/products/${product.handle}.png?v=${Math.floor(product.updatedMs / 1000)}`,
    variant_ids: [jsonInt((product.variants[0] as VariantDraft).id)],
  };
  return {
    id: jsonInt(product.id),
    title: product.title,
    body_html: product.bodyHtml,
    vendor: product.vendor,
    product_type: product.productType,
    created_at: time(product.createdMs),
    handle: product.handle,
    updated_at: time(product.updatedMs),
    published_at: product.status === 'active' ? time(product.createdMs) : null,
    template_suffix: null,
    published_scope: 'global',
    tags: product.tags,
    status: product.status,
    admin_graphql_api_id: gid('Product', product.id),
    variants: product.variants.map((variant) => variantJson(shop, product, variant)),
    options: [
      {
        id: jsonInt(product.optionId),
        product_id: jsonInt(product.id),
        name: product.optionName,
        position: 1,
        values: product.variants.map((variant) => variant.title),
      },
    ],
    images: [image],
    image,
    media: [],
    variant_gids: product.variants.map((variant) => ({
      admin_graphql_api_id: gid('ProductVariant', variant.id),
      updated_at: new Date(product.updatedMs).toISOString(),
    })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

function taxLine(shop: ShopContext, presentment: Currency, title: string, rate: number, amount: Pair) {
  return {
    channel_liable: null,
    price: shopAmount(shop, amount[0]),
    price_set: money(shop, presentment, amount),
    rate,
    title,
  };
}

function lineItemJson(
  shop: ShopContext,
  draft: OrderDraft,
  index: number,
  state: { currentQuantity: number; fulfilled: boolean },
): RestRecord {
  const line = draft.lines[index] as OrderDraft['lines'][number];
  const priced = draft.money.lines[index] as LineMoney;
  const product = line.product;
  const variant = line.variant;
  const hasVariants = product.variants.length > 1;
  return {
    id: jsonInt(line.id),
    admin_graphql_api_id: gid('LineItem', line.id),
    attributed_staffs: [],
    current_quantity: state.currentQuantity,
    fulfillable_quantity: state.fulfilled || draft.cancel ? 0 : state.currentQuantity,
    fulfillment_service: 'manual',
    fulfillment_status: state.fulfilled ? 'fulfilled' : null,
    gift_card: product.giftCard,
    grams: variant.grams,
    name: hasVariants ? `${product.title} - ${variant.title}` : product.title,
    price: shopAmount(shop, priced.unit[0]),
    price_set: money(shop, draft.presentment, priced.unit),
    product_exists: true,
    product_id: jsonInt(product.id),
    properties: [],
    quantity: line.quantity,
    requires_shipping: variant.requiresShipping,
    sales_line_item_group_id: null,
    sku: variant.sku,
    taxable: variant.taxable,
    title: product.title,
    // Deprecated and left at zero by Shopify for discount codes; the amounts are in discount_allocations.
    total_discount: shopAmount(shop, 0),
    total_discount_set: money(shop, draft.presentment, ZERO),
    variant_id: jsonInt(variant.id),
    variant_inventory_management: product.giftCard ? null : 'shopify',
    variant_title: hasVariants ? variant.title : null,
    vendor: product.vendor,
    tax_lines: variant.taxable
      ? [taxLine(shop, draft.presentment, draft.taxTitle, draft.taxRate, priced.tax)]
      : [],
    duties: [],
    discount_allocations:
      priced.discount[0] === 0 && priced.discount[1] === 0
        ? []
        : [
            {
              amount: shopAmount(shop, priced.discount[0]),
              amount_set: money(shop, draft.presentment, priced.discount),
              discount_application_index: 0,
            },
          ],
  };
}

function orderTaxLines(shop: ShopContext, draft: OrderDraft): RestRecord[] {
  if (draft.money.tax[0] === 0 && draft.money.tax[1] === 0) return [];
  return [taxLine(shop, draft.presentment, draft.taxTitle, draft.taxRate, draft.money.tax)];
}

function transactionJson(
  shop: ShopContext,
  order: { id: bigint; test: boolean; gateway: string; presentment: Currency; name: string },
  transaction: {
    id: bigint;
    kind: string;
    status: string;
    ms: number;
    amount: number;
    parentId: bigint | null;
  },
  sequence: number,
): RestRecord {
  const time = shop.clock.local(transaction.ms);
  const card = order.gateway === 'shopify_payments' && transaction.kind !== 'refund';
  // Cash and manual payments go through no gateway, so they carry no gateway reference.
  const viaGateway = order.gateway !== 'cash' && order.gateway !== 'manual';
  return {
    id: jsonInt(transaction.id),
    order_id: jsonInt(order.id),
    kind: transaction.kind,
    gateway: order.gateway,
    status: transaction.status,
    message: null,
    created_at: time,
    test: order.test,
    authorization: viaGateway ? `ch_${transaction.id.toString(36)}` : null,
    location_id: null,
    user_id: null,
    parent_id: transaction.parentId === null ? null : jsonInt(transaction.parentId),
    processed_at: time,
    device_id: null,
    error_code: null,
    source_name: 'web',
    ...(card
      ? {
          payment_details: {
            credit_card_bin: '424242',
            avs_result_code: null,
            cvv_result_code: null,
            credit_card_number: '•••• •••• •••• 4242',
            credit_card_company: 'Visa',
            buyer_action_info: null,
            credit_card_name: null,
            credit_card_wallet: null,
            credit_card_expiration_month: 12,
            credit_card_expiration_year: 2030,
            payment_method_name: 'visa',
          },
        }
      : {}),
    receipt: {},
    currency_exchange_adjustment: null,
    amount: formatMinor(transaction.amount, order.presentment.digits),
    currency: order.presentment.code,
    payment_id: `${order.name}.${sequence}`,
    total_unsettled_set: {
      presentment_money: { amount: '0.0', currency: order.presentment.code },
      shop_money: { amount: '0.0', currency: shop.currency.code },
    },
    manual_payment_gateway: order.gateway === 'manual',
    amount_rounding: null,
    admin_graphql_api_id: gid('OrderTransaction', transaction.id),
  };
}

function shippingLinesJson(shop: ShopContext, draft: OrderDraft): RestRecord[] {
  if (!draft.shipping) return [];
  const m = draft.money;
  const price = money(shop, draft.presentment, m.shipping);
  return [
    {
      id: jsonInt(draft.shipping.id),
      carrier_identifier: null,
      code: draft.shipping.code,
      current_discounted_price_set: price,
      discounted_price: shopAmount(shop, m.shipping[0]),
      discounted_price_set: price,
      is_removed: false,
      phone: null,
      price: shopAmount(shop, m.shipping[0]),
      price_set: price,
      requested_fulfillment_service_id: null,
      source: 'shopify',
      title: draft.shipping.title,
      tax_lines:
        m.shippingTax[0] === 0 && m.shippingTax[1] === 0
          ? []
          : [taxLine(shop, draft.presentment, draft.taxTitle, draft.taxRate, m.shippingTax)],
      discount_allocations: [],
    },
  ];
}

/**
 * An order as REST sends it, with its transactions (the sale, authorization or pending sale; refunds; a
 * void), which the REST order does not embed but GraphQL's `Order.transactions` lists.
 */
export type RenderedOrder = { order: RestRecord; transactions: RestRecord[] };

/**
 * Lays out an order draft as the REST order, applying its refunds and cancellation, and returns it with its
 * transactions (which the REST order does not embed).
 */
export function renderOrder(shop: ShopContext, draft: OrderDraft): RenderedOrder {
  const time = (ms: number) => shop.clock.local(ms);
  const m = draft.money;
  const p = draft.presentment;
  const name = `#${1000 + draft.number}`;
  const fulfilled = draft.fulfillment !== null;
  const financialStatus = draft.payment;
  const lineItems = draft.lines.map((line, index) =>
    lineItemJson(shop, draft, index, { currentQuantity: line.quantity, fulfilled }),
  );
  const weight = draft.lines.reduce((sum, line) => sum + line.variant.grams * line.quantity, 0);
  const tracking =
    draft.shipping && draft.fulfillment ? `1Z${String(draft.fulfillment.id).slice(-14)}` : null;
  const trackingUrl = tracking ? `https://www.ups.com/track?tracknum=${tracking}` : null;
  const order: RestRecord = {
    id: jsonInt(draft.id),
    admin_graphql_api_id: gid('Order', draft.id),
    // The ids Shopify's own channels have: Point of Sale, Online Store, Draft Orders.
    app_id: draft.sourceName === 'pos' ? 129785 : draft.sourceName === 'web' ? 580111 : 1354745,
    browser_ip: draft.browserIp,
    buyer_accepts_marketing: draft.buyerAcceptsMarketing,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: draft.tokens.cart,
    checkout_id: draft.checkoutId === null ? null : jsonInt(draft.checkoutId),
    checkout_token: draft.tokens.checkout,
    client_details: {
      accept_language: draft.browserIp ? 'en-US,en;q=0.9' : null,
      browser_height: null,
      browser_ip: draft.browserIp,
      browser_width: null,
      session_hash: null,
      user_agent: draft.browserIp
        ? 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15'
        : null,
    },
    closed_at: null,
    confirmation_number: draft.confirmationNumber,
    confirmed: true,
    contact_email: draft.person.email,
    created_at: time(draft.createdMs),
    currency: shop.currency.code,
    current_shipping_price_set: money(shop, p, m.shipping),
    current_subtotal_price: shopAmount(shop, m.subtotal[0]),
    current_subtotal_price_set: money(shop, p, m.subtotal),
    current_total_additional_fees_set: null,
    current_total_discounts: shopAmount(shop, m.discounts[0]),
    current_total_discounts_set: money(shop, p, m.discounts),
    current_total_duties_set: null,
    current_total_price: shopAmount(shop, m.total[0]),
    current_total_price_set: money(shop, p, m.total),
    current_total_tax: shopAmount(shop, m.tax[0]),
    current_total_tax_set: money(shop, p, m.tax),
    customer_locale: 'en',
    device_id: null,
    discount_codes: draft.discount
      ? [{ code: draft.discount.code, amount: shopAmount(shop, m.discounts[0]), type: draft.discount.kind }]
      : [],
    duties_included: false,
    email: draft.person.email,
    estimated_taxes: false,
    financial_status: financialStatus,
    fulfillment_status: fulfilled ? 'fulfilled' : null,
    landing_site: draft.sourceName === 'web' ? '/' : null,
    landing_site_ref: null,
    line_item_groups: [],
    location_id: draft.sourceName === 'pos' ? jsonInt(shop.locationId) : null,
    merchant_business_entity_id: Buffer.from(String(shop.id)).toString('base64').replace(/=+$/, ''),
    merchant_of_record_app_id: null,
    name,
    note: draft.note,
    note_attributes: [],
    number: draft.number,
    order_number: 1000 + draft.number,
    order_status_url: `https://${shop.domain}/${shop.id}/orders/${draft.tokens.order}/authenticate?key=${draft.tokens.statusKey}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: [draft.gateway],
    phone: null,
    po_number: null,
    presentment_currency: p.code,
    processed_at: time(draft.createdMs),
    reference: null,
    referring_site: draft.sourceName === 'web' ? 'https://www.google.com/' : null,
    returns: [],
    source_identifier: null,
    source_name: draft.sourceName,
    source_url: null,
    subtotal_price: shopAmount(shop, m.subtotal[0]),
    subtotal_price_set: money(shop, p, m.subtotal),
    tags: draft.tags,
    tax_exempt: false,
    tax_lines: orderTaxLines(shop, draft),
    taxes_included: m.taxesIncluded,
    test: draft.test,
    token: draft.tokens.order,
    total_cash_rounding_payment_adjustment_set: money(shop, p, ZERO),
    total_cash_rounding_refund_adjustment_set: money(shop, p, ZERO),
    total_discounts: shopAmount(shop, m.discounts[0]),
    total_discounts_set: money(shop, p, m.discounts),
    total_line_items_price: shopAmount(shop, m.lineItemsTotal[0]),
    total_line_items_price_set: money(shop, p, m.lineItemsTotal),
    total_outstanding: shopAmount(shop, financialStatus === 'paid' ? 0 : m.total[0]),
    total_price: shopAmount(shop, m.total[0]),
    total_price_set: money(shop, p, m.total),
    total_shipping_price_set: money(shop, p, m.shipping),
    total_tax: shopAmount(shop, m.tax[0]),
    total_tax_set: money(shop, p, m.tax),
    total_tip_received: shopAmount(shop, 0),
    total_weight: weight,
    updated_at: time(draft.updatedMs),
    user_id: null,
    billing_address: addressOf(draft.person),
    customer: draft.customer ? customerJson(shop, draft.customer) : null,
    discount_applications: draft.discount
      ? [
          {
            target_type: 'line_item',
            type: 'discount_code',
            value: draft.discount.value,
            value_type: draft.discount.kind,
            allocation_method: 'across',
            target_selection: 'all',
            code: draft.discount.code,
          },
        ]
      : [],
    fulfillments: draft.fulfillment
      ? [
          {
            id: jsonInt(draft.fulfillment.id),
            admin_graphql_api_id: gid('Fulfillment', draft.fulfillment.id),
            created_at: time(draft.fulfillment.ms),
            location_id: jsonInt(shop.locationId),
            name: `${name}.1`,
            order_id: jsonInt(draft.id),
            origin_address: {},
            receipt: {},
            service: 'manual',
            shipment_status: null,
            status: 'success',
            tracking_company: tracking ? 'UPS' : null,
            tracking_number: tracking,
            tracking_numbers: tracking ? [tracking] : [],
            tracking_url: trackingUrl,
            tracking_urls: trackingUrl ? [trackingUrl] : [],
            updated_at: time(draft.fulfillment.ms),
            line_items: [...lineItems],
          },
        ]
      : [],
    line_items: lineItems,
    payment_terms: null,
    refunds: [],
    shipping_address: draft.shipping ? addressOf(draft.person) : null,
    shipping_lines: shippingLinesJson(shop, draft),
  };

  const transactionOrder = { id: draft.id, test: draft.test, gateway: draft.gateway, presentment: p, name };
  const parentKind = draft.payment === 'authorized' ? 'authorization' : 'sale';
  const transactions: RestRecord[] = [
    transactionJson(
      shop,
      transactionOrder,
      {
        id: draft.parentTransactionId,
        kind: parentKind,
        status: draft.payment === 'pending' ? 'pending' : 'success',
        ms: draft.createdMs,
        amount: m.total[1],
        parentId: null,
      },
      1,
    ),
  ];
  for (const refund of draft.refunds) {
    const refundJson = addRefund(shop, order, refund, transactions);
    transactions.push(...(refundJson.transactions as RestRecord[]));
  }
  if (draft.cancel) {
    order.cancelled_at = time(draft.cancel.ms);
    order.cancel_reason = draft.cancel.reason;
    order.closed_at = time(draft.cancel.ms);
    if (draft.payment !== 'paid') {
      order.financial_status = 'voided';
      order.total_outstanding = shopAmount(shop, 0);
      transactions.push(
        transactionJson(
          shop,
          transactionOrder,
          {
            id: draft.voidTransactionId,
            kind: 'void',
            status: 'success',
            ms: draft.cancel.ms,
            amount: m.total[1],
            parentId: draft.parentTransactionId,
          },
          transactions.length + 1,
        ),
      );
    }
  }
  return { order, transactions };
}

/** Reads an amount of an order's `*_set` back into a pair of minor units. */
function pairOf(set: unknown, shop: Currency, presentment: Currency): Pair {
  const value = set as MoneySet | null | undefined;
  if (!value) return [0, 0];
  return [
    parseMinor(value.shop_money.amount, shop.digits),
    parseMinor(value.presentment_money.amount, presentment.digits),
  ];
}

function sumSets(items: unknown, key: string, shop: Currency, presentment: Currency): Pair {
  const total: Pair = [0, 0];
  for (const item of (items as RestRecord[] | null | undefined) ?? []) {
    const [s, p] = pairOf(item[key], shop, presentment);
    total[0] += s;
    total[1] += p;
  }
  return total;
}

/** The money of an order read back from its REST JSON, and what earlier refunds took of each line. */
function moneyOfOrder(order: RestRecord): {
  money: OrderMoney;
  refundedBefore: number[];
  shippingRefunded: boolean;
} {
  const shop = currencyOf(String(order.currency));
  const presentment = currencyOf(String(order.presentment_currency));
  const lineItems = (order.line_items as RestRecord[]) ?? [];
  const lines: LineMoney[] = lineItems.map((line) => {
    const unit = pairOf(line.price_set, shop, presentment);
    const quantity = Number(line.quantity);
    return {
      quantity,
      unit,
      total: [unit[0] * quantity, unit[1] * quantity],
      discount: sumSets(line.discount_allocations, 'amount_set', shop, presentment),
      tax: sumSets(line.tax_lines, 'price_set', shop, presentment),
    };
  });
  const shippingLines = (order.shipping_lines as RestRecord[]) ?? [];
  const shipping = sumSets(shippingLines, 'discounted_price_set', shop, presentment);
  const shippingTax = shippingLines.reduce<Pair>(
    (total, line) => {
      const [s, p] = sumSets(line.tax_lines, 'price_set', shop, presentment);
      return [total[0] + s, total[1] + p];
    },
    [0, 0],
  );
  const lineIndex = new Map(lineItems.map((line, index) => [idText(line.id), index]));
  const refundedBefore = lines.map(() => 0);
  let shippingRefunded = false;
  for (const refund of (order.refunds as RestRecord[]) ?? []) {
    for (const item of (refund.refund_line_items as RestRecord[]) ?? []) {
      const index = lineIndex.get(idText(item.line_item_id));
      if (index !== undefined) refundedBefore[index] = (refundedBefore[index] ?? 0) + Number(item.quantity);
    }
    if (((refund.refund_shipping_lines as unknown[]) ?? []).length > 0) shippingRefunded = true;
  }
  return {
    money: totalsOf(lines, shipping, shippingTax, Boolean(order.taxes_included)),
    refundedBefore,
    shippingRefunded,
  };
}

function subtractFrom(order: RestRecord, field: string, amount: Pair, shop: Currency, presentment: Currency) {
  const [s, p] = pairOf(order[`${field}_set`], shop, presentment);
  const left: Pair = [s - amount[0], p - amount[1]];
  order[field] = formatMinor(left[0], shop.digits);
  order[`${field}_set`] = moneySet(left, shop, presentment);
}

/**
 * Builds a refund of `draft.request` on `order` (REST JSON, updated in place: current totals, line
 * quantities, financial status, `refunds`, `updated_at`) and returns the refund record (the `refunds/create`
 * body). `transactions` are the order's transactions so far; the refund's own is the refund's `transactions`.
 *
 * @throws Error when the request refunds more of a line than is left, or the shipping twice
 */
export function addRefund(
  shop: ShopContext,
  order: RestRecord,
  draft: RefundDraft,
  transactions: readonly RestRecord[],
): RestRecord {
  const shopCurrency = currencyOf(String(order.currency));
  const presentment = currencyOf(String(order.presentment_currency));
  const { money: orderMoney, refundedBefore, shippingRefunded } = moneyOfOrder(order);
  if (draft.request.shipping && shippingRefunded) throw new Error('the shipping was already refunded');
  const refundMoney: RefundMoney = priceRefund(orderMoney, refundedBefore, draft.request);
  const time = shop.clock.local(draft.ms);
  const lineItems = order.line_items as RestRecord[];
  const orderId = BigInt(idText(order.id));
  const set = (amount: Pair) => moneySet(amount, shopCurrency, presentment);
  const parent = transactions.find((t) => t.kind === 'sale' || t.kind === 'capture');
  const transaction = transactionJson(
    shop,
    {
      id: orderId,
      test: Boolean(order.test),
      gateway: String((order.payment_gateway_names as string[])[0] ?? 'manual'),
      presentment,
      name: String(order.name),
    },
    {
      id: draft.transactionId,
      kind: 'refund',
      status: 'success',
      ms: draft.ms,
      amount: refundMoney.total[1],
      parentId: parent ? BigInt(idText(parent.id)) : null,
    },
    transactions.length + 1,
  );
  const refundLineItems = refundMoney.lines.map((line, index) => {
    const lineItem = lineItems[line.line] as RestRecord;
    return {
      id: jsonInt(draft.lineIds[index] as bigint),
      line_item_id: lineItem.id,
      location_id: jsonInt(shop.locationId),
      quantity: line.quantity,
      restock_type: draft.restockType,
      // The REST reference sends these two as JSON numbers (rest_refunds_list.json); their *_set are strings.
      subtotal: Number(formatMinor(line.subtotal[0], shopCurrency.digits)),
      subtotal_set: set(line.subtotal),
      total_tax: Number(formatMinor(line.tax[0], shopCurrency.digits)),
      total_tax_set: set(line.tax),
      line_item: lineItem,
    };
  });
  const shippingLine = ((order.shipping_lines as RestRecord[]) ?? [])[0];
  const refund: RestRecord = {
    id: jsonInt(draft.id),
    admin_graphql_api_id: gid('Refund', draft.id),
    created_at: time,
    note: draft.note,
    order_id: order.id,
    processed_at: time,
    restock: draft.restockType !== 'no_restock',
    total_additional_fees_set: set(ZERO),
    total_duties_set: set(ZERO),
    user_id: null,
    order_adjustments: [],
    transactions: [transaction],
    refund_line_items: refundLineItems,
    refund_shipping_lines:
      draft.request.shipping && shippingLine
        ? [
            {
              id: jsonInt(draft.shippingLineRefundId),
              shipping_line_id: shippingLine.id,
              subtotal_amount_set: set(refundMoney.shipping),
              total_tax_set: set(refundMoney.shippingTax),
              shipping_line: shippingLine,
            },
          ]
        : [],
    duties: [],
    additional_fees: [],
    return: null,
  };

  // The refund carries a snapshot of each line as it was; the order's lines then lose the refunded quantity.
  for (const line of refundMoney.lines) {
    const lineItem = lineItems[line.line] as RestRecord;
    const current = Number(lineItem.current_quantity) - line.quantity;
    lineItems[line.line] = {
      ...lineItem,
      current_quantity: current,
      fulfillable_quantity: Math.min(Number(lineItem.fulfillable_quantity), current),
    };
  }
  const refundedTax: Pair = [
    refundMoney.shippingTax[0] + refundMoney.lines.reduce((sum, line) => sum + line.tax[0], 0),
    refundMoney.shippingTax[1] + refundMoney.lines.reduce((sum, line) => sum + line.tax[1], 0),
  ];
  const refundedSubtotal: Pair = [
    refundMoney.lines.reduce((sum, line) => sum + line.subtotal[0], 0),
    refundMoney.lines.reduce((sum, line) => sum + line.subtotal[1], 0),
  ];
  const refundedDiscount: Pair = [
    refundMoney.lines.reduce((sum, line) => sum + line.discount[0], 0),
    refundMoney.lines.reduce((sum, line) => sum + line.discount[1], 0),
  ];
  subtractFrom(order, 'current_subtotal_price', refundedSubtotal, shopCurrency, presentment);
  subtractFrom(order, 'current_total_tax', refundedTax, shopCurrency, presentment);
  subtractFrom(order, 'current_total_discounts', refundedDiscount, shopCurrency, presentment);
  subtractFrom(order, 'current_total_price', refundMoney.total, shopCurrency, presentment);
  if (draft.request.shipping) order.current_shipping_price_set = set(ZERO);
  const left = pairOf(order.current_total_price_set, shopCurrency, presentment);
  order.financial_status = left[0] <= 0 ? 'refunded' : 'partially_refunded';
  order.refunds = [...((order.refunds as RestRecord[]) ?? []), refund];
  if (Date.parse(String(order.updated_at)) < draft.ms) order.updated_at = time;
  return refund;
}

/** An abandoned checkout as the abandoned checkouts endpoint and checkouts/* webhooks send it. */
export function checkoutJson(shop: ShopContext, draft: CheckoutDraft): RestRecord {
  const time = (ms: number) => shop.clock.local(ms);
  const m = draft.money;
  // Plain amounts in shop currency, as on orders; `currency` is the shop's, `presentment_currency` the buyer's.
  const amount = (minor: number) => formatMinor(minor, shop.currency.digits);
  return {
    id: jsonInt(draft.id),
    token: draft.token,
    cart_token: draft.cartToken,
    email: draft.person.email,
    gateway: null,
    buyer_accepts_marketing: false,
    created_at: time(draft.createdMs),
    updated_at: time(draft.updatedMs),
    landing_site: '/',
    note: null,
    note_attributes: [],
    referring_site: null,
    shipping_lines: [],
    taxes_included: m.taxesIncluded,
    total_weight: draft.lines.reduce((sum, line) => sum + line.variant.grams * line.quantity, 0),
    currency: shop.currency.code,
    completed_at: null,
    closed_at: null,
    user_id: null,
    location_id: null,
    source_identifier: null,
    source_url: null,
    device_id: null,
    phone: null,
    customer_locale: 'en',
    line_items: draft.lines.map((line, index) => {
      const priced = m.lines[index] as LineMoney;
      return {
        applied_discounts: [],
        discount_allocations:
          priced.discount[0] === 0
            ? []
            : [
                {
                  id: null,
                  amount: amount(priced.discount[0]),
                  description: draft.discount?.code ?? null,
                  created_at: null,
                  application_type: 'discount_code',
                  discount_class: 'ORDER',
                },
              ],
        key: line.key,
        destination_location_id: null,
        fulfillment_service: 'manual',
        gift_card: line.product.giftCard,
        grams: line.variant.grams,
        origin_location_id: null,
        presentment_title: line.product.title,
        presentment_variant_title: line.variant.title,
        product_id: jsonInt(line.product.id),
        properties: null,
        quantity: line.quantity,
        requires_shipping: line.variant.requiresShipping,
        sku: line.variant.sku,
        tax_lines: [],
        taxable: line.variant.taxable,
        title: line.product.title,
        variant_id: jsonInt(line.variant.id),
        variant_title: line.variant.title,
        variant_price: null,
        vendor: line.product.vendor,
        user_id: null,
        unit_price_measurement: null,
        rank: null,
        compare_at_price: null,
        line_price: amount(priced.total[0]),
        price: amount(priced.unit[0]),
      };
    }),
    name: `#${draft.id}`,
    source: null,
    abandoned_checkout_url: `https://${shop.domain}/${shop.id}/checkouts/${draft.token}/recover?key=${draft.cartToken.slice(0, 16)}`,
    discount_codes: draft.discount
      ? [{ code: draft.discount.code, amount: amount(m.discounts[0]), type: draft.discount.kind }]
      : [],
    tax_lines:
      m.tax[0] === 0
        ? []
        : [{ price: amount(m.tax[0]), rate: draft.taxRate, title: draft.taxTitle, channel_liable: null }],
    source_name: 'web',
    presentment_currency: draft.presentment.code,
    buyer_accepts_sms_marketing: false,
    sms_marketing_phone: null,
    total_discounts: amount(m.discounts[0]),
    total_line_items_price: amount(m.lineItemsTotal[0]),
    total_price: amount(m.total[0]),
    total_tax: amount(m.tax[0]),
    subtotal_price: amount(m.subtotal[0]),
    total_duties: null,
    reservation_token: draft.token.slice(0, 30),
    billing_address: addressOf(draft.person),
    shipping_address: addressOf(draft.person),
    customer: draft.customer ? customerJson(shop, draft.customer) : null,
  };
}
