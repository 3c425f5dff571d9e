// Cursors are opaque to clients but must round-trip exactly (64-bit ids, microsecond times, decimals) and
// refuse anything forged as a 400 the client can act on, never a 500 from a bad cast in SQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../http/errors.ts';
import { containsPattern, decodeCursor, encodeCursor, resolveSort, type Direction, type SortColumn } from './cursor.ts';

const SORTS: Record<string, SortColumn & { direction: Direction }> = {
  processed_at: { sql: 'o.processed_at', type: 'timestamptz', direction: 'desc' },
  total_price: { sql: 'o.total_price', type: 'numeric', direction: 'desc' },
  name: { sql: 'o.name', type: 'text', direction: 'asc' },
};

const rejects = (fn: () => unknown, code: string) =>
  assert.throws(fn, (error: unknown) => error instanceof HttpError && error.statusCode === 400 && error.code === code);

describe('sorts', () => {
  it('takes a whitelisted name with its default or an explicit direction', () => {
    assert.equal(resolveSort(undefined, SORTS, 'processed_at').direction, 'desc');
    assert.equal(resolveSort('name', SORTS, 'processed_at').direction, 'asc');
    assert.equal(resolveSort('name:desc', SORTS, 'processed_at').direction, 'desc');
  });

  it('refuses other names, directions and inherited properties', () => {
    for (const bad of ['raw', 'name:up', 'name:asc:1', 'toString', '__proto__', '']) {
      rejects(() => resolveSort(bad, SORTS, 'processed_at'), 'invalid_sort');
    }
  });
});

describe('cursors', () => {
  const byTime = resolveSort('processed_at', SORTS, 'processed_at');
  const byPrice = resolveSort('total_price', SORTS, 'processed_at');

  it('round-trips keys and 64-bit ids exactly, nulls included', () => {
    for (const cursor of [
      { key: '2025-04-01T12:00:00.123456Z', id: '9223372036854775807' },
      { key: '0001-01-01T00:00:00.000000Z', id: '2' },
      { key: null, id: '1' },
    ]) {
      const encoded = encodeCursor(byTime, cursor);
      assert.match(encoded, /^[\w-]+$/);
      assert.deepEqual(decodeCursor(byTime, encoded), cursor);
    }
    assert.deepEqual(decodeCursor(byPrice, encodeCursor(byPrice, { key: '-12.50', id: '7' })), {
      key: '-12.50',
      id: '7',
    });
  });

  it('refuses garbage, another sort or direction, and keys or ids that do not fit', () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'a b',
      '!!!',
      forge('x'),
      forge(['processed_at:desc', null]),
      forge(['processed_at:asc', null, '1']),
      forge(['total_price:desc', null, '1']),
      forge(['processed_at:desc', 'not a time', '1']),
      forge(['processed_at:desc', 5, '1']),
      forge(['processed_at:desc', 'March 7, 2025', '1']),
      forge(['processed_at:desc', '2025-04-01T12:00:00Z', '1']),
      forge(['processed_at:desc', '2025-02-30T12:00:00.000000Z', '1']),
      forge(['processed_at:desc', '0000-01-01T00:00:00.000000Z', '1']),
      forge(['processed_at:desc', '2025-01-01T24:00:00.000000Z', '1']),
      forge(['processed_at:desc', null, '9223372036854775808']),
      forge(['processed_at:desc', null, '-1']),
      forge(['processed_at:desc', null, 1]),
    ];
    for (const value of bad) rejects(() => decodeCursor(byTime, value), 'invalid_cursor');
    rejects(() => decodeCursor(byPrice, forge(['total_price:desc', '1e5', '1'])), 'invalid_cursor');
    const byName = resolveSort('name', SORTS, 'processed_at');
    rejects(() => decodeCursor(byName, forge(['name:asc', 'a\u0000b', '1'])), 'invalid_cursor');
    assert.deepEqual(decodeCursor(byName, forge(['name:asc', 'a,"b"', '1'])), { key: 'a,"b"', id: '1' });
  });
});

describe('search patterns', () => {
  it('takes LIKE wildcards literally', () => {
    assert.equal(containsPattern('50%_off\\'), '%50\\%\\_off\\\\%');
  });
});
