/**
 * Decimal arithmetic for money (big.js): amounts are decimal strings in shop currency, never floats.
 */
import Big from 'big.js';

/** A money amount as a decimal string, e.g. "598.94" or "-3.98". */
export type Money = string;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** True when `value` is a plain decimal string (no exponent, no spaces). */
export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** Sum of decimal strings, as a decimal string. */
export function sum(values: Iterable<Money>): Money {
  let total = new Big(0);
  for (const value of values) total = total.plus(value);
  return total.toFixed();
}

/** `a x b`, as a decimal string. */
export function times(a: Money, b: Money | number): Money {
  return new Big(a).times(b).toFixed();
}

/** `a - b`, as a decimal string. */
export function minus(a: Money, b: Money): Money {
  return new Big(a).minus(b).toFixed();
}

/** `-a`, as a decimal string. */
export function negate(a: Money): Money {
  return new Big(a).times(-1).toFixed();
}

/** Rounds to `places` decimals, half away from zero (PostgreSQL `round(numeric)`), as a fixed string. */
export function round(value: Money, places = 2): Money {
  return new Big(value).round(places, Big.roundHalfUp).toFixed(places);
}
