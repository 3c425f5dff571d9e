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
 * Every amount is in shop currency (`*_set.shop_money`).
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
 * The id in the body of a delete topic (orders/delete, customers/delete, products/delete).
 *
 * @throws InvalidPayloadError when the payload has no valid id.
 */
export function deletedId(input: JsonValue): string {
  return parse(deletePayload, input, 'delete').id;
}
