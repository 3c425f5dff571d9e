/**
 * Money inside the simulator: integer minor units (cents; yen for JPY), never floats, turned into Shopify's
 * decimal strings at the edge. A `Pair` carries one amount in shop currency and the same amount in the
 * order's presentment currency (shopify.dev/docs/api/admin-rest/latest/resources/order: every `*_set` field
 * has `shop_money` and `presentment_money`).
 */
import type { Currency } from './catalog.ts';

/** [shop currency, presentment currency], in minor units. */
export type Pair = [number, number];

/** A REST `*_set`: the amount in shop and presentment money. */
export type MoneySet = {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
};

/** Minor units as a decimal string with the currency's digits: 12345 -> "123.45", 1500 JPY -> "1500". */
export function formatMinor(minor: number, digits: number): string {
  if (digits === 0) return String(minor);
  if (digits === 2) {
    // The common case, written out: this runs a hundred times per generated order.
    const abs = Math.abs(minor);
    const cents = abs % 100;
    return `${minor < 0 ? '-' : ''}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
  }
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * A decimal string as minor units of a currency with `digits` digits ("19.9" -> 1990).
 * @throws Error when the text is not a decimal or has more digits than the currency.
 */
export function parseMinor(text: string, digits: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign = '', units = '0', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > digits) throw new Error(`${text} has more than ${digits} decimal digits`);
  const minor = Number(units) * 10 ** digits + Number(trimmed.padEnd(digits, '0') || '0');
  return sign === '-' ? -minor : minor;
}

/**
 * A Shopify GraphQL `Decimal` ("199.00" -> "199.0", "10.50" -> "10.5", "1500" -> "1500.0"): Admin GraphQL
 * serializes decimals without trailing zeros but with at least one fractional digit
 * (shopify.dev/docs/api/admin-graphql/latest/scalars/Decimal).
 */
export function graphqlDecimal(amount: string): string {
  if (!amount.includes('.')) return `${amount}.0`;
  const trimmed = amount.replace(/0+$/, '');
  return trimmed.endsWith('.') ? `${trimmed}0` : trimmed;
}

/** `minor` of currency `from` in currency `to`, rounded half away from zero to `to`'s minor unit. */
export function convertMinor(minor: number, from: Currency, to: Currency): number {
  if (from.code === to.code) return minor;
  const value = (minor / 10 ** from.digits) * (to.perUsd / from.perUsd) * 10 ** to.digits;
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** `value x numerator / denominator` rounded half away from zero, for shares of an amount. */
export function share(value: number, numerator: number, denominator: number): number {
  if (denominator === 0) return 0;
  const exact = (value * numerator) / denominator;
  return Math.sign(exact) * Math.round(Math.abs(exact));
}

/**
 * Splits `total` over `weights` in proportion, by largest remainder, so that the parts add up to `total`
 * exactly (how an order-level discount is spread over the lines it applies to).
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  if (weightSum === 0) return weights.map(() => 0);
  const exact = weights.map((weight) => (total * weight) / weightSum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((sum, part) => sum + part, 0);
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) }));
  byRemainder.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left <= 0) break;
    parts[index] = (parts[index] ?? 0) + 1;
    left -= 1;
  }
  return parts;
}

/** Adds pairs component-wise. */
export function addPairs(...pairs: readonly Pair[]): Pair {
  const total: Pair = [0, 0];
  for (const [shop, presentment] of pairs) {
    total[0] += shop;
    total[1] += presentment;
  }
  return total;
}

/** Formats amounts in shop and presentment currency as Shopify's `*_set`. */
export function moneySet(amount: Pair, shop: Currency, presentment: Currency): MoneySet {
  return {
    shop_money: { amount: formatMinor(amount[0], shop.digits), currency_code: shop.code },
    presentment_money: {
      amount: formatMinor(amount[1], presentment.digits),
      currency_code: presentment.code,
    },
  };
}
