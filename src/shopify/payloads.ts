/**
 * Zod schemas of the Shopify payloads Shopsight normalizes: the REST/webhook JSON shapes of order, line item,
 * refund, customer and product (shopify.dev/docs/api/webhooks: order, customer, product and refund topics
 * send "the full REST resource payload"). Objects are loose: unknown fields are kept, only the fields
 * Shopsight reads are checked.
 *
 * Values arrive from `parseJsonLossless`, so ids may be numbers, digit strings or exact `RawJsonNumber`s; the
 * schemas turn ids into decimal strings, money into decimal strings and times into UTC ISO-8601 strings.
 */
import { z } from 'zod';
import { isRawJsonNumber, type RawJsonNumber } from '../lib/json.ts';
import { isDecimal } from '../lib/money.ts';

const MAX_INT64 = 9223372036854775807n;
const rawNumber = z.custom<RawJsonNumber>(isRawJsonNumber, { message: 'expected a number' });

/** A Shopify id: a positive 64-bit integer, as a canonical decimal string (no leading zeros). */
export const shopifyId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/), rawNumber])
  .transform((value, ctx) => {
    const text = typeof value === 'object' ? value.rawJSON : String(value);
    const id = /^\d{1,19}$/.test(text) ? BigInt(text) : 0n;
    if (id <= 0n || id > MAX_INT64) {
      ctx.addIssue({ code: 'custom', message: 'expected a positive 64-bit id' });
      return z.NEVER;
    }
    return id.toString();
  });

/** A money amount (decimal string or JSON number) as a decimal string. */
export const money = z.union([z.string(), z.number(), rawNumber]).transform((value, ctx) => {
  const text = typeof value === 'object' ? value.rawJSON : String(value).trim();
  if (!isDecimal(text) || text.replace(/[-.]/g, '').length > 30) {
    ctx.addIssue({ code: 'custom', message: 'expected a decimal amount' });
    return z.NEVER;
  }
  return text;
});

// Shopify writes times as ISO-8601 with an offset; a time without one would be read in the server's zone.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A Shopify timestamp (ISO-8601 with an offset or Z) as a UTC ISO-8601 string. */
export const timestamp = z.string().transform((value, ctx) => {
  const ms = ISO_WITH_OFFSET.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms) || ms < Date.UTC(1970, 0, 1) || ms > Date.UTC(2200, 0, 1)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 timestamp' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

const optionalText = z.string().nullish();
const optionalId = shopifyId.nullish();
const optionalTime = timestamp.nullish();
const quantity = z.number().int().min(-1_000_000_000).max(1_000_000_000);

/** `*_set` money bag; Shopsight reads `shop_money`, the amount in the shop currency. */
export const moneySet = z.looseObject({
  shop_money: z.looseObject({ amount: money, currency_code: z.string().nullish() }),
});

const discountAllocation = z.looseObject({ amount: money.nullish(), amount_set: moneySet.nullish() });
const taxLine = z.looseObject({ price: money.nullish(), price_set: moneySet.nullish() });

export const customerPayload = z.looseObject({
  id: shopifyId,
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
  state: optionalText,
  tags: optionalText,
  currency: optionalText,
  orders_count: z.number().int().nullish(),
  total_spent: money.nullish(),
  created_at: optionalTime,
  updated_at: optionalTime,
});

export const lineItemPayload = z.looseObject({
  id: shopifyId,
  product_id: optionalId,
  variant_id: optionalId,
  title: optionalText,
  variant_title: optionalText,
  sku: optionalText,
  quantity,
  price: money,
  price_set: moneySet.nullish(),
  gift_card: z.boolean().nullish(),
  discount_allocations: z.array(discountAllocation).nullish(),
  tax_lines: z.array(taxLine).nullish(),
});

export const shippingLinePayload = z.looseObject({
  price: money.nullish(),
  price_set: moneySet.nullish(),
  discount_allocations: z.array(discountAllocation).nullish(),
  tax_lines: z.array(taxLine).nullish(),
});

export const refundLineItemPayload = z.looseObject({
  id: shopifyId,
  line_item_id: optionalId,
  quantity,
  restock_type: optionalText,
  subtotal: money.nullish(),
  subtotal_set: moneySet.nullish(),
  total_tax: money.nullish(),
  total_tax_set: moneySet.nullish(),
  line_item: z.looseObject({ gift_card: z.boolean().nullish() }).nullish(),
});

export const refundPayload = z.looseObject({
  id: shopifyId,
  order_id: optionalId,
  note: optionalText,
  restock: z.boolean().nullish(),
  created_at: optionalTime,
  processed_at: optionalTime,
  refund_line_items: z.array(refundLineItemPayload).nullish(),
  order_adjustments: z
    .array(
      z.looseObject({
        kind: optionalText,
        amount: money.nullish(),
        amount_set: moneySet.nullish(),
        tax_amount: money.nullish(),
        tax_amount_set: moneySet.nullish(),
      }),
    )
    .nullish(),
  refund_shipping_lines: z
    .array(
      z.looseObject({
        subtotal_amount_set: moneySet.nullish(),
        total_tax_set: moneySet.nullish(),
      }),
    )
    .nullish(),
  /** Refunded duties (REST Refund `duties[]`: `duty_id`, `amount_set`). */
  duties: z.array(z.looseObject({ amount_set: moneySet.nullish() })).nullish(),
});

export const orderPayload = z.looseObject({
  id: shopifyId,
  name: optionalText,
  order_number: z.number().int().nullish(),
  email: optionalText,
  customer: customerPayload.nullish(),
  currency: optionalText,
  presentment_currency: optionalText,
  financial_status: optionalText,
  fulfillment_status: optionalText,
  test: z.boolean().nullish(),
  taxes_included: z.boolean().nullish(),
  source_name: optionalText,
  checkout_id: optionalId,
  checkout_token: optionalText,
  cart_token: optionalText,
  created_at: timestamp,
  processed_at: optionalTime,
  updated_at: optionalTime,
  cancelled_at: optionalTime,
  cancel_reason: optionalText,
  closed_at: optionalTime,
  subtotal_price: money.nullish(),
  total_discounts: money.nullish(),
  total_tax: money.nullish(),
  total_tax_set: moneySet.nullish(),
  total_price: money.nullish(),
  /** Duties charged when the order was placed (REST Order `original_total_duties_set`); absent without duties. */
  original_total_duties_set: moneySet.nullish(),
  line_items: z.array(lineItemPayload).nullish(),
  shipping_lines: z.array(shippingLinePayload).nullish(),
  refunds: z.array(refundPayload).nullish(),
});

export const variantPayload = z.looseObject({
  id: shopifyId,
  product_id: optionalId,
  title: optionalText,
  sku: optionalText,
  price: money.nullish(),
  compare_at_price: money.nullish(),
  position: z.number().int().nullish(),
  inventory_item_id: optionalId,
  created_at: optionalTime,
  updated_at: optionalTime,
});

export const productPayload = z.looseObject({
  id: shopifyId,
  title: optionalText,
  handle: optionalText,
  vendor: optionalText,
  product_type: optionalText,
  status: optionalText,
  tags: optionalText,
  created_at: optionalTime,
  updated_at: optionalTime,
  published_at: optionalTime,
  variants: z.array(variantPayload).nullish(),
});

/** The body of a delete topic (orders/delete, customers/delete, products/delete): the resource id. */
export const deletePayload = z.looseObject({ id: shopifyId });

export type OrderPayload = z.infer<typeof orderPayload>;
export type RefundPayload = z.infer<typeof refundPayload>;
export type CustomerPayload = z.infer<typeof customerPayload>;
export type ProductPayload = z.infer<typeof productPayload>;

/** The amount in shop currency: the `*_set.shop_money.amount` when present, else the plain field. */
export function shopMoney(
  set: { shop_money: { amount: string } } | null | undefined,
  plain: string | null | undefined,
): string {
  return set?.shop_money.amount ?? plain ?? '0';
}

/**
 * The body of customers/data_request and customers/redact
 * (shopify.dev/docs/apps/build/privacy-law-compliance#customers-data_request): the customer (id, email,
 * phone; any may be missing), the orders concerned (`orders_requested` or `orders_to_redact`) and, for a
 * data request, Shopify's request id. `shop_id` and `shop_domain` are not read: the tenant comes from the
 * verified shop domain header.
 */
export const customerPrivacyPayload = z.looseObject({
  customer: z.looseObject({ id: optionalId, email: optionalText, phone: optionalText }),
  orders_requested: z.array(shopifyId).nullish(),
  orders_to_redact: z.array(shopifyId).nullish(),
  data_request: z.looseObject({ id: shopifyId }).nullish(),
});

export type CustomerPrivacyPayload = z.infer<typeof customerPrivacyPayload>;
