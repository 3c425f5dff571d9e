/**
 * Rates and period-over-period deltas of the reports, in decimal arithmetic (big.js): money and counts
 * never pass through floats.
 */
import Big from 'big.js';

/** `numerator / denominator` as a percent with 2 decimals ("37.50"); null when the denominator is zero. */
export function percent(numerator: Big.BigSource, denominator: Big.BigSource): string | null {
  const base = new Big(denominator);
  if (base.eq(0)) return null;
  return new Big(numerator).div(base).times(100).round(2).toFixed(2);
}

/**
 * `total / count` to 2 decimals ("12.35"): money, orders or units per customer or per order; "0.00" when
 * the count is zero.
 */
export function average(total: Big.BigSource, count: Big.BigSource): string {
  const base = new Big(count);
  if (base.eq(0)) return '0.00';
  return new Big(total).div(base).round(2).toFixed(2);
}

export type Delta = {
  /** Absolute change from the compared range to this one (decimal string). */
  change: string;
  /** Relative change in percent, 1 decimal; null when the compared figure is zero or missing. */
  percent: string | null;
};

/**
 * The change of each of `fields` from `before` to `now`. A figure that is null on either side (e.g. a rate
 * over no orders) has no change: `{ change: '0', percent: null }` when both are null, and the missing side
 * counts as zero otherwise.
 */
export function deltas<K extends string>(
  now: Record<K, string | number | null>,
  before: Record<K, string | number | null>,
  fields: readonly K[],
): Record<K, Delta> {
  const result = {} as Record<K, Delta>;
  for (const field of fields) {
    const current = new Big(now[field] ?? 0);
    const previous = new Big(before[field] ?? 0);
    const change = current.minus(previous);
    result[field] = {
      change: change.toFixed(),
      percent:
        previous.eq(0) || before[field] === null
          ? null
          : change.div(previous.abs()).times(100).round(1).toFixed(1),
    };
  }
  return result;
}
