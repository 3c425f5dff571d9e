/**
 * Lossless JSON for Shopify payloads. Shopify ids are 64-bit integers, and `JSON.parse` rounds every integer
 * above 2^53 (820982911946154508 becomes 820982911946154500); older REST shapes also carry money as JSON
 * numbers (`"subtotal": 195.66`). This parser keeps every number that is not a safe integer as its exact
 * source text, wrapped by `JSON.rawJSON` so that `JSON.stringify` writes the same digits back. It relies on
 * the reviver's source-text access and `JSON.rawJSON` (TC39 "JSON.parse source text access", Node >= 22).
 */

/** A number kept as its exact source text; `JSON.stringify` writes the text back unchanged. */
export type RawJsonNumber = { readonly rawJSON: string };

/** A parsed JSON value in which unsafe integers and non-integers are `RawJsonNumber`s. */
export type JsonValue =
  null | boolean | number | string | RawJsonNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

type JsonWithSource = typeof JSON & {
  rawJSON(text: string): RawJsonNumber;
  isRawJSON(value: unknown): value is RawJsonNumber;
};
const Json = JSON as JsonWithSource;

function keepExactNumbers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined) {
    return Json.rawJSON(context.source);
  }
  return value;
}

/**
 * A number token that `JSON.parse` could change: 16 or more digits (an id above 2^53, or more precision
 * than a double holds), an exponent, or a decimal with a trailing zero (`1.50` would read back as `1.5`).
 * Every other number survives a plain parse exactly. Money inside strings ("199.00") never matches, since
 * a number token follows `:`, `[` or `,` directly. False positives only cost the slower exact path.
 */
const NUMBER_NEEDING_SOURCE = /[:[,]\s*-?(?:\d[\d.]{15}|\d[\d.]*[eE]|\d*\.\d*0(?![\d.]))/;

/**
 * Parses JSON text, keeping every number that is not a safe integer exact (as a `RawJsonNumber`). Texts in
 * which no number needs it take the plain, several times faster `JSON.parse` (same result).
 *
 * @throws SyntaxError when the text is not JSON.
 */
export function parseJsonLossless(text: string): JsonValue {
  if (!NUMBER_NEEDING_SOURCE.test(text)) return JSON.parse(text) as JsonValue;
  return JSON.parse(text, keepExactNumbers as (key: string, value: unknown) => unknown) as JsonValue;
}

/** True for a number kept as source text by `parseJsonLossless`. */
export function isRawJsonNumber(value: unknown): value is RawJsonNumber {
  return Json.isRawJSON(value);
}

/** True for a plain JSON object (not null, not an array, not a kept number). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Json.isRawJSON(value);
}

/**
 * How deep a Shopify payload may nest. Shopify's bodies nest under ten levels; a deeper document is not a
 * Shopify payload, and recursive code (validation, `JSON.stringify`) would overflow the stack on it.
 */
export const MAX_JSON_DEPTH = 64;

/** True when arrays and objects in `value` nest deeper than `limit` levels. Iterative, so it cannot overflow. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null || Json.isRawJSON(node)) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
