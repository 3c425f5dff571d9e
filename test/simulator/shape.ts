/**
 * Compares the shape of a JSON value with a real Shopify sample: every key of the sample must be present
 * with the same JSON type. Used by the tests, to hold what the simulator sends to Shopify's shape.
 */

type JsonType = 'null' | 'object' | 'array' | 'string' | 'number' | 'boolean';

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

export type ShapeExceptions = {
  /** Paths (or path endings, like `.province`) where `value` may be null although the sample is not. */
  nullable?: readonly string[];
  /** Paths (or endings) of free-form objects, such as a gateway's `receipt`: only the type is compared. */
  freeForm?: readonly string[];
};

const matches = (path: string, patterns: readonly string[] = []) =>
  patterns.some((pattern) => path === pattern || path.endsWith(pattern));

/**
 * The differences between `sample` and `value` (both parsed JSON), as `path: problem` lines (paths like
 * `$.line_items[].price`); empty when `value` has every key of `sample` with its type. Where the sample holds
 * null, any value matches (the sample does not say the type). Where the sample holds a non-empty array, every
 * element of `value`'s array is compared with the sample's first element.
 */
export function shapeDifferences(
  sample: unknown,
  value: unknown,
  exceptions: ShapeExceptions = {},
  path = '$',
): string[] {
  const expected = typeOf(sample);
  const actual = typeOf(value);
  if (expected === 'null') return [];
  if (actual === 'null')
    return matches(path, exceptions.nullable) ? [] : [`${path}: null, sample has ${expected}`];
  if (expected !== actual) return [`${path}: ${actual}, sample has ${expected}`];
  if (expected === 'array') {
    const first = (sample as unknown[])[0];
    if (first === undefined) return [];
    return (value as unknown[]).flatMap((item) => shapeDifferences(first, item, exceptions, `${path}[]`));
  }
  if (expected !== 'object' || matches(path, exceptions.freeForm)) return [];
  const object = value as Record<string, unknown>;
  return Object.entries(sample as Record<string, unknown>).flatMap(([key, child]) =>
    key in object
      ? shapeDifferences(child, object[key], exceptions, `${path}.${key}`)
      : [`${path}.${key}: missing`],
  );
}
