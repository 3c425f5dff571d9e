/**
 * Normalization: a validated Shopify payload becomes rows of the tenant tables (src/db/schema.ts), keyed by
 * column name. Pure functions; the repository writes the rows.
 *
 * The order-date and refund-date parts of Shopify's sales figures are computed here, once, from the
 * payload (definitions and sources in src/analytics/sales.ts):
 * - line: gross sales = price x quantity; discounts = sum of the line's discount allocations (its own
 *   discounts and its share of order-level ones). Gift card lines are left out: Shopify counts gift card
 *   sales as a liability, not as sales. When prices include tax the line's tax is taken out of gross sales.
 * - order: shipping = shipping lines' price less their discount allocations (and less their tax when prices
 *   include tax); taxes = the order's total tax.
 * - refund: returns = refunded line items' subtotal (after discounts, before tax); refunded shipping and
 *   refunded taxes lower shipping and taxes on the refund's date.
 * - duties: the order's `original_total_duties_set` (duties charged at checkout; 0 without duties) and the
 *   refund's `duties[].amount_set` (shopify.dev/docs/api/admin-rest/latest/resources/order,
 *   .../resources/refund).
 * Every amount is in shop currency (`*_set.shop_money`).
 *
 * Checkouts, carts, inventory items, inventory levels and locations are normalized here too (their rows
 * carry no computed figures; the inventory report and the checkout reports read them).
 */
import type { JsonObject, JsonValue } from '../lib/json.ts';
import { minus, negate, sum, times } from '../lib/money.ts';
import {
  customerPayload,
  deletePayload,
  orderPayload,
  productPayload,
  refundPayload,
  shopMoney,
  type CustomerPayload,
  type RefundPayload,
} from '../shopify/payloads.ts';
import { cartPayload, checkoutPayload } from '../shopify/checkout-payloads.ts';
import {
  inventoryItemPayload,
  inventoryLevelPayload,
  locationPayload,
} from '../shopify/inventory-payloads.ts';

export type CustomerRow = {
  tenant_id: string;
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  state: string | null;
  tags: string | null;
  currency: string | null;
  orders_count: number | null;
  total_spent: string | null;
  created_at: string | null;
  updated_at: string | null;
  raw: JsonValue;
};

export type ProductRow = {
  tenant_id: string;
  id: string;
  title: string | null;
  handle: string | null;
  vendor: string | null;
  product_type: string | null;
  status: string | null;
  tags: string | null;
  created_at: string | null;
  updated_at: string | null;
  published_at: string | null;
  raw: JsonValue;
};

export type VariantRow = {
  tenant_id: string;
  id: string;
  product_id: string;
  title: string | null;
  sku: string | null;
  price: string | null;
  compare_at_price: string | null;
  position: number | null;
  inventory_item_id: string | null;
  created_at: string | null;
  updated_at: string | null;
  raw: JsonValue;
};

export type OrderRow = {
  tenant_id: string;
  id: string;
  name: string | null;
  order_number: number | null;
  email: string | null;
  customer_id: string | null;
  currency: string | null;
  presentment_currency: string | null;
  financial_status: string | null;
  fulfillment_status: string | null;
  test: boolean;
  taxes_included: boolean;
  source_name: string | null;
  checkout_id: string | null;
  checkout_token: string | null;
  cart_token: string | null;
  created_at: string;
  processed_at: string;
  updated_at: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  closed_at: string | null;
  subtotal_price: string | null;
  total_discounts: string | null;
  total_tax: string | null;
  total_price: string | null;
  gross_sales: string;
  discounts: string;
  shipping: string;
  taxes: string;
  duties: string;
  raw: JsonValue;
};

export type LineItemRow = {
  tenant_id: string;
  id: string;
  order_id: string;
  product_id: string | null;
  variant_id: string | null;
  title: string | null;
  variant_title: string | null;
  sku: string | null;
  quantity: number;
  price: string;
  gift_card: boolean;
  gross_sales: string;
  discounts: string;
  taxes: string;
  raw: JsonValue;
};

export type RefundRow = {
  tenant_id: string;
  id: string;
  order_id: string;
  note: string | null;
  restock: boolean | null;
  created_at: string | null;
  processed_at: string | null;
  returns: string;
  refunded_shipping: string;
  refunded_taxes: string;
  refunded_duties: string;
  raw: JsonValue;
};

export type RefundLineItemRow = {
  tenant_id: string;
  id: string;
  refund_id: string;
  order_id: string;
  line_item_id: string | null;
  quantity: number;
  subtotal: string;
  total_tax: string;
  restock_type: string | null;
  raw: JsonValue;
};

export type NormalizedOrder = {
  order: OrderRow;
  lineItems: LineItemRow[];
  refunds: NormalizedRefund[];
  customer: CustomerRow | null;
};
export type NormalizedRefund = { refund: RefundRow; lineItems: RefundLineItemRow[] };
export type NormalizedProduct = { product: ProductRow; variants: VariantRow[] };

/** Thrown for a payload that does not have the shape Shopify sends; retrying cannot fix it. */
export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
}

function parse<T>(
  schema: { safeParse(input: unknown): { success: true; data: T } | { success: false; error: Error } },
  input: unknown,
  what: string,
) {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidPayloadError(`invalid ${what} payload: ${result.error.message}`);
  return result.data;
}

const arrayAt = (input: JsonValue | undefined, key: string): JsonValue[] => {
  const value = (input as JsonObject | undefined)?.[key];
  return Array.isArray(value) ? value : [];
};

const amounts = (
  items: { amount?: string | null; amount_set?: { shop_money: { amount: string } } | null }[],
) => sum(items.map((item) => shopMoney(item.amount_set, item.amount)));
const taxAmounts = (
  items: { price?: string | null; price_set?: { shop_money: { amount: string } } | null }[],
) => sum(items.map((item) => shopMoney(item.price_set, item.price)));

/**
 * Normalizes an order payload (orders/create, updated, paid, cancelled, edited with a full order).
 *
 * @throws InvalidPayloadError when the payload is not an order.
 */
export function normalizeOrder(tenantId: string, input: JsonValue): NormalizedOrder {
  const order = parse(orderPayload, input, 'order');
  const taxesIncluded = order.taxes_included ?? false;
  const rawLines = arrayAt(input, 'line_items');

  const lineItems: LineItemRow[] = (order.line_items ?? []).map((line, index) => {
    const price = shopMoney(line.price_set, line.price);
    const taxes = taxAmounts(line.tax_lines ?? []);
    const giftCard = line.gift_card ?? false;
    const listed = times(price, line.quantity);
    return {
      tenant_id: tenantId,
      id: line.id,
      order_id: order.id,
      product_id: line.product_id ?? null,
      variant_id: line.variant_id ?? null,
      title: line.title ?? null,
      variant_title: line.variant_title ?? null,
      sku: line.sku ?? null,
      quantity: line.quantity,
      price,
      gift_card: giftCard,
      gross_sales: giftCard ? '0' : taxesIncluded ? minus(listed, taxes) : listed,
      discounts: giftCard ? '0' : amounts(line.discount_allocations ?? []),
      taxes,
      raw: rawLines[index] ?? null,
    };
  });

  const shippingLines = order.shipping_lines ?? [];
  const shippingCharged = sum(shippingLines.map((line) => shopMoney(line.price_set, line.price)));
  const shippingDiscounts = sum(shippingLines.map((line) => amounts(line.discount_allocations ?? [])));
  const shippingTax = sum(shippingLines.map((line) => taxAmounts(line.tax_lines ?? [])));
  const shipping = minus(minus(shippingCharged, shippingDiscounts), taxesIncluded ? shippingTax : '0');

  const rawRefunds = arrayAt(input, 'refunds');
  const refunds = (order.refunds ?? []).map((refund, index) =>
    buildRefund(tenantId, refund, rawRefunds[index] ?? null, order.id),
  );

  const rawCustomer = (input as JsonObject).customer ?? null;
  const customer = order.customer ? buildCustomer(tenantId, order.customer, rawCustomer) : null;

  return {
    order: {
      tenant_id: tenantId,
      id: order.id,
      name: order.name ?? null,
      order_number: order.order_number ?? null,
      email: order.email ?? null,
      customer_id: order.customer?.id ?? null,
      currency: order.total_tax_set?.shop_money.currency_code ?? order.currency ?? null,
      presentment_currency: order.presentment_currency ?? null,
      financial_status: order.financial_status ?? null,
      fulfillment_status: order.fulfillment_status ?? null,
      test: order.test ?? false,
      taxes_included: taxesIncluded,
      source_name: order.source_name ?? null,
      checkout_id: order.checkout_id ?? null,
      checkout_token: order.checkout_token ?? null,
      cart_token: order.cart_token ?? null,
      created_at: order.created_at,
      // Shopify's reports date a sale by the order's processed date (the created date of imported orders).
      processed_at: order.processed_at ?? order.created_at,
      updated_at: order.updated_at ?? order.created_at,
      cancelled_at: order.cancelled_at ?? null,
      cancel_reason: order.cancel_reason ?? null,
      closed_at: order.closed_at ?? null,
      subtotal_price: order.subtotal_price ?? null,
      total_discounts: order.total_discounts ?? null,
      total_tax: order.total_tax ?? null,
      total_price: order.total_price ?? null,
      gross_sales: sum(lineItems.map((line) => line.gross_sales)),
      discounts: sum(lineItems.map((line) => line.discounts)),
      shipping,
      taxes: shopMoney(order.total_tax_set, order.total_tax),
      duties: shopMoney(order.original_total_duties_set, null),
      raw: input,
    },
    lineItems,
    refunds,
    customer,
  };
}

/**
 * Normalizes a refund payload (refunds/create, or a refund embedded in an order).
 *
 * @throws InvalidPayloadError when the payload is not a refund or names no order.
 */
export function normalizeRefund(tenantId: string, input: JsonValue, orderId?: string): NormalizedRefund {
  const refund = parse(refundPayload, input, 'refund');
  return buildRefund(tenantId, refund, input, orderId);
}

function buildRefund(
  tenantId: string,
  refund: RefundPayload,
  raw: JsonValue,
  orderId?: string,
): NormalizedRefund {
  const order = refund.order_id ?? orderId;
  if (!order) throw new InvalidPayloadError('invalid refund payload: order_id is missing');
  const rawLines = arrayAt(raw, 'refund_line_items');
  const lineItems: RefundLineItemRow[] = (refund.refund_line_items ?? []).map((line, index) => ({
    tenant_id: tenantId,
    id: line.id,
    refund_id: refund.id,
    order_id: order,
    line_item_id: line.line_item_id ?? null,
    quantity: line.quantity,
    subtotal: line.line_item?.gift_card ? '0' : shopMoney(line.subtotal_set, line.subtotal),
    total_tax: shopMoney(line.total_tax_set, line.total_tax),
    restock_type: line.restock_type ?? null,
    raw: rawLines[index] ?? null,
  }));
  // Refunded shipping: `refund_shipping_lines` (API 2024-07+) when the refund has them, else the older
  // `shipping_refund` order adjustments (negative amounts). Never both, so a payload carrying the two forms
  // of the same refund is not counted twice.
  const shippingLines = refund.refund_shipping_lines ?? [];
  const shippingAdjustments =
    shippingLines.length > 0
      ? []
      : (refund.order_adjustments ?? []).filter((a) => a.kind === 'shipping_refund');
  const refundedShipping = sum([
    ...shippingLines.map((line) => shopMoney(line.subtotal_amount_set, null)),
    ...shippingAdjustments.map((a) => negate(shopMoney(a.amount_set, a.amount))),
  ]);
  const refundedShippingTax = sum([
    ...shippingLines.map((line) => shopMoney(line.total_tax_set, null)),
    ...shippingAdjustments.map((a) => negate(shopMoney(a.tax_amount_set, a.tax_amount))),
  ]);
  return {
    refund: {
      tenant_id: tenantId,
      id: refund.id,
      order_id: order,
      note: refund.note ?? null,
      restock: refund.restock ?? null,
      created_at: refund.created_at ?? null,
      processed_at: refund.processed_at ?? refund.created_at ?? null,
      returns: sum(lineItems.map((line) => line.subtotal)),
      refunded_shipping: refundedShipping,
      refunded_taxes: sum([...lineItems.map((line) => line.total_tax), refundedShippingTax]),
      refunded_duties: sum((refund.duties ?? []).map((duty) => shopMoney(duty.amount_set, null))),
      raw,
    },
    lineItems,
  };
}

/**
 * Normalizes a customer payload (customers/create, customers/update).
 *
 * @throws InvalidPayloadError when the payload is not a customer.
 */
export function normalizeCustomer(tenantId: string, input: JsonValue): CustomerRow {
  return buildCustomer(tenantId, parse(customerPayload, input, 'customer'), input);
}

function buildCustomer(tenantId: string, customer: CustomerPayload, raw: JsonValue): CustomerRow {
  return {
    tenant_id: tenantId,
    id: customer.id,
    email: customer.email ?? null,
    first_name: customer.first_name ?? null,
    last_name: customer.last_name ?? null,
    phone: customer.phone ?? null,
    state: customer.state ?? null,
    tags: customer.tags ?? null,
    currency: customer.currency ?? null,
    orders_count: customer.orders_count ?? null,
    total_spent: customer.total_spent ?? null,
    created_at: customer.created_at ?? null,
    updated_at: customer.updated_at ?? null,
    raw,
  };
}

/**
 * Normalizes a product payload (products/create, products/update) with its variants.
 *
 * @throws InvalidPayloadError when the payload is not a product.
 */
export function normalizeProduct(tenantId: string, input: JsonValue): NormalizedProduct {
  const product = parse(productPayload, input, 'product');
  const rawVariants = arrayAt(input, 'variants');
  return {
    product: {
      tenant_id: tenantId,
      id: product.id,
      title: product.title ?? null,
      handle: product.handle ?? null,
      vendor: product.vendor ?? null,
      product_type: product.product_type ?? null,
      status: product.status ?? null,
      tags: product.tags ?? null,
      created_at: product.created_at ?? null,
      updated_at: product.updated_at ?? product.created_at ?? null,
      published_at: product.published_at ?? null,
      raw: input,
    },
    variants: (product.variants ?? []).map((variant, index) => ({
      tenant_id: tenantId,
      id: variant.id,
      product_id: product.id,
      title: variant.title ?? null,
      sku: variant.sku ?? null,
      price: variant.price ?? null,
      compare_at_price: variant.compare_at_price ?? null,
      position: variant.position ?? null,
      inventory_item_id: variant.inventory_item_id ?? null,
      created_at: variant.created_at ?? null,
      updated_at: variant.updated_at ?? null,
      raw: rawVariants[index] ?? null,
    })),
  };
}

/**
 * The id in the body of a delete topic (orders/delete, customers/delete, products/delete, checkouts/delete,
 * inventory_items/delete, locations/delete).
 *
 * @throws InvalidPayloadError when the payload has no valid id.
 */
export function deletedId(input: JsonValue): string {
  return parse(deletePayload, input, 'delete').id;
}

export type CheckoutRow = {
  tenant_id: string;
  id: string;
  token: string | null;
  cart_token: string | null;
  email: string | null;
  customer_id: string | null;
  currency: string | null;
  presentment_currency: string | null;
  subtotal_price: string | null;
  total_discounts: string | null;
  total_tax: string | null;
  total_price: string | null;
  line_items_count: number;
  abandoned_checkout_url: string | null;
  source_name: string | null;
  created_at: string | null;
  updated_at: string | null;
  /** `updated_at` while the checkout is not completed, else null (the stored value is kept). */
  activity_at: string | null;
  completed_at: string | null;
  raw: JsonValue;
};

export type CartRow = {
  tenant_id: string;
  id: string;
  token: string | null;
  note: string | null;
  currency: string | null;
  total_price: string;
  line_items_count: number;
  created_at: string | null;
  updated_at: string | null;
  raw: JsonValue;
};

export type InventoryItemRow = {
  tenant_id: string;
  id: string;
  sku: string | null;
  cost: string | null;
  tracked: boolean | null;
  requires_shipping: boolean | null;
  country_code_of_origin: string | null;
  created_at: string | null;
  updated_at: string | null;
  raw: JsonValue;
};

export type InventoryLevelRow = {
  tenant_id: string;
  inventory_item_id: string;
  location_id: string;
  available: number | null;
  updated_at: string;
  raw: JsonValue;
};

/** inventory_levels/disconnect: the level stops counting from `disconnected_at` (UTC ISO-8601). */
export type LevelDisconnection = {
  tenant_id: string;
  inventory_item_id: string;
  location_id: string;
  disconnected_at: string;
};

export type LocationRow = {
  tenant_id: string;
  id: string;
  name: string | null;
  active: boolean;
  address1: string | null;
  city: string | null;
  province: string | null;
  country_code: string | null;
  zip: string | null;
  created_at: string | null;
  updated_at: string | null;
  raw: JsonValue;
};

/**
 * Normalizes a checkout (checkouts/create, checkouts/update; REST Checkout). Money as Shopify sends it on
 * the checkout. `activity_at` is the version's `updated_at` unless the checkout is completed: the buyer's
 * last activity is the newest version before completion.
 *
 * @throws InvalidPayloadError when the payload is not a checkout (it must carry its `id`).
 */
export function normalizeCheckout(tenantId: string, input: JsonValue): CheckoutRow {
  const checkout = parse(checkoutPayload, input, 'checkout');
  const updatedAt = checkout.updated_at ?? checkout.created_at ?? null;
  const completedAt = checkout.completed_at ?? null;
  return {
    tenant_id: tenantId,
    id: checkout.id,
    token: checkout.token ?? null,
    cart_token: checkout.cart_token ?? null,
    email: checkout.email ?? null,
    customer_id: checkout.customer?.id ?? null,
    currency: checkout.currency ?? null,
    presentment_currency: checkout.presentment_currency ?? null,
    subtotal_price: checkout.subtotal_price ?? null,
    total_discounts: checkout.total_discounts ?? null,
    total_tax: checkout.total_tax ?? null,
    total_price: checkout.total_price ?? null,
    line_items_count: checkout.line_items?.length ?? 0,
    abandoned_checkout_url: checkout.abandoned_checkout_url ?? null,
    source_name: checkout.source_name ?? null,
    created_at: checkout.created_at ?? null,
    updated_at: updatedAt,
    activity_at: completedAt === null ? updatedAt : null,
    completed_at: completedAt,
    raw: input,
  };
}

/**
 * Normalizes a cart (carts/create, carts/update). The row id is the cart token; `total_price` is the sum
 * of the line items' `line_price` (shop money when the line has a `line_price_set`), and `currency` the
 * currency of that shop money.
 *
 * @throws InvalidPayloadError when the payload has neither `id` nor `token`.
 */
export function normalizeCart(tenantId: string, input: JsonValue): CartRow {
  const cart = parse(cartPayload, input, 'cart');
  const id = cart.id ?? cart.token;
  if (!id) throw new InvalidPayloadError('invalid cart payload: id and token are missing');
  const lines = cart.line_items ?? [];
  const currency =
    lines.map((line) => line.line_price_set?.shop_money.currency_code).find((code) => code) ?? null;
  return {
    tenant_id: tenantId,
    id,
    token: cart.token ?? null,
    note: cart.note ?? null,
    currency,
    total_price: sum(lines.map((line) => shopMoney(line.line_price_set, line.line_price))),
    line_items_count: lines.length,
    created_at: cart.created_at ?? null,
    updated_at: cart.updated_at ?? cart.created_at ?? null,
    raw: input,
  };
}

/**
 * Normalizes an inventory item (inventory_items/create, inventory_items/update). `cost`: unit cost in shop
 * currency, null when not set.
 *
 * @throws InvalidPayloadError when the payload is not an inventory item.
 */
export function normalizeInventoryItem(tenantId: string, input: JsonValue): InventoryItemRow {
  const item = parse(inventoryItemPayload, input, 'inventory item');
  return {
    tenant_id: tenantId,
    id: item.id,
    sku: item.sku ?? null,
    cost: item.cost ?? null,
    tracked: item.tracked ?? null,
    requires_shipping: item.requires_shipping ?? null,
    country_code_of_origin: item.country_code_of_origin ?? null,
    created_at: item.created_at ?? null,
    updated_at: item.updated_at ?? item.created_at ?? null,
    raw: input,
  };
}

/**
 * Normalizes an inventory level (inventory_levels/connect, inventory_levels/update). A level without
 * `updated_at` is dated `occurredAt` (the delivery's trigger time), so that it still orders against others.
 *
 * @throws InvalidPayloadError when the payload does not name an inventory item and a location.
 */
export function normalizeInventoryLevel(
  tenantId: string,
  input: JsonValue,
  occurredAt: string,
): InventoryLevelRow {
  const level = parse(inventoryLevelPayload, input, 'inventory level');
  return {
    tenant_id: tenantId,
    inventory_item_id: level.inventory_item_id,
    location_id: level.location_id,
    available: level.available ?? null,
    updated_at: level.updated_at ?? new Date(occurredAt).toISOString(),
    raw: input,
  };
}

/**
 * The level an inventory_levels/disconnect names, disconnected at `occurredAt` (the delivery's trigger time:
 * the body has no time of its own).
 *
 * @throws InvalidPayloadError when the payload does not name an inventory item and a location.
 */
export function levelDisconnection(
  tenantId: string,
  input: JsonValue,
  occurredAt: string,
): LevelDisconnection {
  const level = parse(inventoryLevelPayload, input, 'inventory level');
  return {
    tenant_id: tenantId,
    inventory_item_id: level.inventory_item_id,
    location_id: level.location_id,
    disconnected_at: new Date(occurredAt).toISOString(),
  };
}

/**
 * Normalizes a location (locations/create, locations/update). `active` defaults to true when absent.
 *
 * @throws InvalidPayloadError when the payload is not a location.
 */
export function normalizeLocation(tenantId: string, input: JsonValue): LocationRow {
  const location = parse(locationPayload, input, 'location');
  return {
    tenant_id: tenantId,
    id: location.id,
    name: location.name ?? null,
    active: location.active ?? true,
    address1: location.address1 ?? null,
    city: location.city ?? null,
    province: location.province ?? null,
    country_code: location.country_code ?? null,
    zip: location.zip ?? null,
    created_at: location.created_at ?? null,
    updated_at: location.updated_at ?? location.created_at ?? null,
    raw: input,
  };
}
