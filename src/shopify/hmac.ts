/**
 * Shopify's webhook signature (shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook):
 * the `X-Shopify-Hmac-SHA256` header is the base64 HMAC-SHA256 of the raw request body, keyed with the app's
 * client secret (or the webhook secret of a custom app).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SHA256_BYTES = 32;

/** The base64 HMAC-SHA256 of `rawBody` keyed with `secret`, as Shopify puts it in `X-Shopify-Hmac-SHA256`. */
export function signWebhookBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Checks a webhook signature, timing-safe. A missing header, a header that is not base64 of 32 bytes, or a
 * wrong signature all answer `false`; nothing throws.
 */
export function verifyWebhookHmac(rawBody: Buffer, hmacHeader: string | undefined, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!hmacHeader) return false;
  const given = Buffer.from(hmacHeader, 'base64');
  // A header of the wrong length (or not base64 at all) cannot match; timingSafeEqual would throw on it.
  if (given.length !== SHA256_BYTES || given.toString('base64') !== hmacHeader.trim()) return false;
  return timingSafeEqual(expected, given);
}
