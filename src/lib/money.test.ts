// Money is decimal text end to end: every sum must match exact cents, and rounding must match PostgreSQL's
// round(numeric), which rounds half away from zero, so reports computed here and in SQL agree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { isDecimal, minus, negate, round, sum, times } from './money.ts';

/** Exact value of a decimal string as an integer number of `10^-scale` units. */
function units(value: string, scale: number): bigint {
  assert.ok(isDecimal(value), `not a decimal: ${value}`);
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  assert.ok(fraction.length <= scale, `${value} has more than ${scale} decimals`);
  const magnitude = BigInt(whole! + fraction.padEnd(scale, '0'));
  return negative ? -magnitude : magnitude;
}

/** An integer number of `10^-scale` units as a decimal string with exactly `scale` decimals. */
function decimalOf(count: bigint, scale: number): string {
  const digits = (count < 0n ? -count : count).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return count < 0n ? `-${text}` : text;
}

const cents = fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n });

describe('isDecimal', () => {
  it('accepts plain decimal strings', () => {
    for (const value of ['0', '597', '598.94', '-3.98', '0.001', '-0', '00.10']) {
      assert.equal(isDecimal(value), true, value);
    }
  });

  it('rejects exponents, spaces, signs other than a leading minus, and partial numbers', () => {
    for (const value of [
      '1e5',
      '1E5',
      ' 1',
      '1 ',
      '1.',
      '.5',
      '',
      '-',
      '+1',
      '1,000',
      '1.2.3',
      'NaN',
      'Infinity',
      '--1',
    ]) {
      assert.equal(isDecimal(value), false, JSON.stringify(value));
    }
  });
});

describe('sum', () => {
  it('adds without binary floating-point error', () => {
    assert.equal(0.1 + 0.2 === 0.3, false);
    assert.equal(sum(['0.1', '0.2']), '0.3');
    assert.equal(sum(['3.34', '3.33', '3.33']), '10');
  });

  it('is "0" for no values and drops trailing zeros', () => {
    assert.equal(sum([]), '0');
    assert.equal(sum(['199.00', '199.00', '199.00']), '597');
    assert.equal(sum(['195.66', '195.67']), '391.33');
  });

  it('accepts any iterable, including a generator', () => {
    function* amounts() {
      yield '1.10';
      yield '-0.10';
    }
    assert.equal(sum(amounts()), '1');
  });

  it('equals the exact sum in cents for any amounts', () => {
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 50 }), (values) => {
        const total = sum(values.map((value) => decimalOf(value, 2)));
        assert.equal(
          units(total, 2),
          values.reduce((a, b) => a + b, 0n),
        );
      }),
    );
  });
});

describe('times', () => {
  it('multiplies a price by a quantity exactly', () => {
    assert.equal(times('199.00', 3), '597');
    assert.equal(times('19.99', 3), '59.97');
    assert.equal(times('0.1', 3), '0.3');
    assert.equal(times('89.99', 0), '0');
    assert.equal(times('10.00', -2), '-20');
  });

  it('multiplies by a decimal string', () => {
    assert.equal(times('19.99', '0.5'), '9.995');
  });

  it('equals the exact product for any price and quantity', () => {
    fc.assert(
      fc.property(cents, fc.integer({ min: -10_000, max: 10_000 }), (price, quantity) => {
        assert.equal(units(times(decimalOf(price, 2), quantity), 2), price * BigInt(quantity));
      }),
    );
  });
});

describe('minus and negate', () => {
  it('subtracts exactly', () => {
    assert.equal(minus('199', '3.98'), '195.02');
    assert.equal(minus('0.3', '0.1'), '0.2');
    assert.equal(minus('1.00', '1.00'), '0');
    assert.equal(minus('0', '5.5'), '-5.5');
  });

  it('flips the sign, without producing "-0"', () => {
    assert.equal(negate('-5.00'), '5');
    assert.equal(negate('0.40'), '-0.4');
    assert.equal(negate('0'), '0');
    assert.equal(negate('-0.00'), '0');
  });
});

describe('round', () => {
  it('rounds half away from zero to two places by default', () => {
    assert.equal(round('298.015'), '298.02');
    assert.equal(round('298.014'), '298.01');
    assert.equal(round('-2.345'), '-2.35');
    assert.equal(round('-2.344'), '-2.34');
    assert.equal(round('0.005'), '0.01');
    assert.equal(round('-0.005'), '-0.01');
  });

  it('pads to the requested number of places', () => {
    assert.equal(round('1'), '1.00');
    assert.equal(round('597'), '597.00');
    assert.equal(round('2.5', 0), '3');
    assert.equal(round('-2.5', 0), '-3');
    assert.equal(round('1.23456', 4), '1.2346');
  });

  it('does not write "-0.00" for small negative amounts', () => {
    // PostgreSQL's round(-0.001, 2) is 0.00; a "-0.00" would not compare equal as text.
    assert.equal(round('-0.001'), '0.00');
    assert.equal(round('-0.004'), '0.00');
  });

  it('matches half-away-from-zero rounding of thousandths for any amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (thousandths) => {
        const magnitude = thousandths < 0n ? -thousandths : thousandths;
        const roundedCents = (magnitude + 5n) / 10n;
        const expected = decimalOf(thousandths < 0n ? -roundedCents : roundedCents, 2);
        assert.equal(round(decimalOf(thousandths, 3)), expected === '-0.00' ? '0.00' : expected);
      }),
    );
  });
});
