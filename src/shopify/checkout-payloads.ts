/**
 * Zod schemas of the checkout and cart webhook bodies (shopify.dev/docs/api/webhooks: checkouts/create,
 * checkouts/update, checkouts/delete, carts/create, carts/update). Checkouts send the REST Checkout
 * (abandoned checkout) resource; carts send the storefront cart with its line items. Loose objects, same
 * conventions as src/shopify/payloads.ts: ids as decimal strings, money as decimal strings, times as UTC
 * ISO-8601.
 */
import { z } from 'zod';
import { money, moneySet, shopifyId, timestamp } from './payloads.ts';

const optionalText = z.string().nullish();

/** checkouts/create and checkouts/update: the REST Checkout resource. */
export const checkoutPayload = z.looseObject({
  id: shopifyId,
  token: optionalText,
  cart_token: optionalText,
  email: optionalText,
  customer: z.looseObject({ id: shopifyId.nullish() }).nullish(),
  currency: optionalText,
  presentment_currency: optionalText,
  subtotal_price: money.nullish(),
  total_discounts: money.nullish(),
  total_tax: money.nullish(),
  total_price: money.nullish(),
  line_items: z.array(z.unknown()).nullish(),
  abandoned_checkout_url: optionalText,
  source_name: optionalText,
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  completed_at: timestamp.nullish(),
});

/** carts/create and carts/update. `id` and `token` are both the cart token. */
export const cartPayload = z.looseObject({
  id: z.string().min(1).max(255).nullish(),
  token: z.string().min(1).max(255).nullish(),
  note: optionalText,
  line_items: z
    .array(z.looseObject({ line_price: money.nullish(), line_price_set: moneySet.nullish() }))
    .nullish(),
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
});

export type CheckoutPayload = z.infer<typeof checkoutPayload>;
export type CartPayload = z.infer<typeof cartPayload>;
