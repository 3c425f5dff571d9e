/**
 * Shopify ids in the simulator. REST and webhook bodies carry ids as JSON integers of up to 64 bits, many of
 * them above 2^53 (shopify.dev/docs/api/usage/gids), so generated records hold them as `JSON.rawJSON` values
 * that `JSON.stringify` writes digit for digit. GraphQL carries them as global ids,
 * `gid://shopify/Order/820982911946154508`, and as `legacyResourceId` strings.
 */

/** A JSON integer kept exact: `JSON.stringify` writes its digits unchanged. */
export type JsonInt = { readonly rawJSON: string };

type JsonWithRaw = typeof JSON & {
  rawJSON(text: string): JsonInt;
  isRawJSON(value: unknown): value is JsonInt;
};
const Json = JSON as JsonWithRaw;

/** `id` as an exact JSON integer. */
export function jsonInt(id: bigint | string): JsonInt {
  return Json.rawJSON(String(id));
}

/**
 * The decimal digits of an id: a `JsonInt`, a bigint, a JSON number (exact below 2^53) or a digit string.
 * @throws TypeError for anything else.
 */
export function idText(value: unknown): string {
  if (Json.isRawJSON(value)) return value.rawJSON;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  throw new TypeError(`not a Shopify id: ${String(value)}`);
}

/** `gid://shopify/{type}/{id}`. */
export function gid(type: string, id: bigint | string): string {
  return `gid://shopify/${type}/${id}`;
}

/** The type and numeric id of a global id, or null when `value` is not one. */
export function parseGid(value: string): { type: string; id: bigint } | null {
  const match = /^gid:\/\/shopify\/(\w+)\/(\d{1,19})(?:\?.*)?$/.exec(value);
  if (!match) return null;
  return { type: match[1] as string, id: BigInt(match[2] as string) };
}
