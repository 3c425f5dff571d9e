import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { count, fraction, money, percent } from './format.ts';

describe('rates as the API gives them', () => {
  it('reads refund, returning-customer and retention rates as percents', () => {
    assert.equal(percent('12.50'), '12.5%');
    assert.equal(percent('100.00'), '100.0%');
    assert.equal(percent('57.14', 0), '57%');
    assert.equal(percent(null), '—');
  });

  it('reads checkout conversion and abandonment rates as fractions, from the decimal string', () => {
    assert.equal(fraction('0.1875'), '18.8%');
    assert.equal(fraction('0.3333'), '33.3%');
    assert.equal(fraction('1.0000'), '100.0%');
    assert.equal(fraction('0.0005', 2), '0.05%');
    assert.equal(fraction(null), '—');
  });

  it('formats money from decimal strings and counts', () => {
    assert.equal(money('1234.50', 'USD'), '$1,234.50');
    assert.equal(money(null, 'USD'), '—');
    assert.equal(count(12345), '12,345');
  });
});
