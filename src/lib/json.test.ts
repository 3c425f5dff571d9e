// Lossless JSON: Shopify's 64-bit ids and decimal money must survive parse -> stringify digit for digit,
// because ids are join keys and raw payloads are stored for replay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { isJsonObject, isRawJsonNumber, parseJsonLossless, type JsonObject, type JsonValue } from './json.ts';

/** The `rawJSON` text of a kept number; fails the test when `value` was not kept as source text. */
function rawText(value: JsonValue | undefined): string {
  assert.ok(isRawJsonNumber(value), `expected a RawJsonNumber, got ${typeof value}`);
  return value.rawJSON;
}

function objectAt(value: JsonValue): JsonObject {
  assert.ok(isJsonObject(value), 'expected a JSON object');
  return value;
}

describe('parseJsonLossless', () => {
  it('keeps the exact digits of integers above 2^53', () => {
    const parsed = objectAt(parseJsonLossless('{"id":820982911946154508,"max":9223372036854775807}'));
    // JSON.parse would give 820982911946154500 and 9223372036854775808.
    assert.equal(rawText(parsed.id), '820982911946154508');
    assert.equal(rawText(parsed.max), '9223372036854775807');
  });

  it('writes big integers back unchanged with JSON.stringify', () => {
    const text = '{"id":820982911946154508,"ids":[9223372036854775807,-9223372036854775808]}';
    assert.equal(JSON.stringify(parseJsonLossless(text)), text);
  });

  it('keeps the source text of non-integers, trailing zeros included', () => {
    const parsed = objectAt(parseJsonLossless('{"subtotal":195.66,"price":1.50,"tiny":0.1}'));
    assert.equal(rawText(parsed.subtotal), '195.66');
    assert.equal(rawText(parsed.price), '1.50');
    assert.equal(rawText(parsed.tiny), '0.1');
    assert.equal(JSON.stringify(parsed), '{"subtotal":195.66,"price":1.50,"tiny":0.1}');
  });

  it('keeps numbers that overflow a double as text instead of Infinity', () => {
    const parsed = objectAt(parseJsonLossless('{"huge":1e400}'));
    assert.equal(rawText(parsed.huge), '1e400');
  });

  it('leaves safe integers as plain numbers', () => {
    const parsed = objectAt(parseJsonLossless('{"a":0,"b":-17,"c":9007199254740991,"d":450789469}'));
    assert.deepEqual(parsed, { a: 0, b: -17, c: 9007199254740991, d: 450789469 });
  });

  it('treats an integer-valued decimal literal as a safe integer (value kept, text not)', () => {
    // Documented rule: only numbers that are not safe integers keep their text. `2.00` is the integer 2,
    // which is still the right amount for the money schema.
    const parsed = objectAt(parseJsonLossless('{"price":2.00}'));
    assert.equal(parsed.price, 2);
  });

  it('handles kept numbers inside nested arrays and objects', () => {
    const text =
      '{"order":{"line_items":[{"id":487817672276298560,"price":89.99,"qty":1}],"tags":[]},"n":null}';
    const parsed = objectAt(parseJsonLossless(text));
    const order = objectAt(parsed.order!);
    const lines = order.line_items;
    assert.ok(Array.isArray(lines));
    const line = objectAt(lines[0]!);
    assert.equal(rawText(line.id), '487817672276298560');
    assert.equal(rawText(line.price), '89.99');
    assert.equal(line.qty, 1);
    assert.deepEqual(order.tags, []);
    assert.equal(parsed.n, null);
    assert.equal(JSON.stringify(parsed), text);
  });

  it('parses strings, booleans and null like JSON.parse', () => {
    assert.deepEqual(parseJsonLossless('["a", true, false, null, "820982911946154508"]'), [
      'a',
      true,
      false,
      null,
      '820982911946154508',
    ]);
  });

  it('throws SyntaxError for text that is not JSON', () => {
    for (const text of ['', '{', '{"a":1,}', "{'a':1}", 'NaN', '01', '[1 2]', 'undefined']) {
      assert.throws(() => parseJsonLossless(text), SyntaxError, `accepted ${JSON.stringify(text)}`);
    }
  });

  it('round-trips any 64-bit integer exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const text = `{"id":${n}}`;
        const parsed = objectAt(parseJsonLossless(text));
        if (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)) {
          assert.equal(parsed.id, Number(n));
        } else {
          assert.equal(rawText(parsed.id), n.toString());
        }
        assert.equal(JSON.stringify(parsed), text);
      }),
    );
  });

  it('round-trips any non-integer decimal literal exactly', () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.stringMatching(/^\d{0,6}[1-9]\d{0,3}$/),
      )
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${fraction}`);
    fc.assert(
      fc.property(decimal, (literal) => {
        // Kept as source text or parsed as a double that prints the same digits: either way, exact.
        const parsed = parseJsonLossless(`[${literal}]`);
        assert.ok(Array.isArray(parsed));
        assert.equal(JSON.stringify(parsed[0]), literal);
        assert.equal(JSON.stringify(parsed), `[${literal}]`);
      }),
    );
  });

  it('stringifies to what JSON.parse gives for any JSON without unsafe numbers', () => {
    // fc.json() writes numbers with JSON.stringify, so their text is the shortest form and the two agree.
    fc.assert(
      fc.property(fc.json(), (text) => {
        assert.equal(JSON.stringify(parseJsonLossless(text)), JSON.stringify(JSON.parse(text)));
      }),
    );
  });
});

describe('isRawJsonNumber', () => {
  it('is true only for numbers kept by the parser', () => {
    const parsed = objectAt(parseJsonLossless('{"big":820982911946154508,"small":1,"obj":{"rawJSON":"1"}}'));
    assert.equal(isRawJsonNumber(parsed.big), true);
    assert.equal(isRawJsonNumber(parsed.small), false);
    // A payload object that happens to have a `rawJSON` key must not pass for a number.
    assert.equal(isRawJsonNumber(parsed.obj), false);
    for (const value of [null, undefined, 0, '820982911946154508', [], {}]) {
      assert.equal(isRawJsonNumber(value), false);
    }
  });
});

describe('isJsonObject', () => {
  it('is true for plain objects, including one with a rawJSON key', () => {
    assert.equal(isJsonObject({}), true);
    assert.equal(isJsonObject(parseJsonLossless('{"rawJSON":"1"}')), true);
  });

  it('is false for null, arrays, primitives and kept numbers', () => {
    const parsed = objectAt(parseJsonLossless('{"big":820982911946154508}'));
    const values = [null, undefined, [], [{}], 'x', 1, true, parsed.big];
    values.forEach((value, index) => assert.equal(isJsonObject(value), false, `accepted values[${index}]`));
  });
});
