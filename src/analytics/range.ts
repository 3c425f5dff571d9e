/**
 * Report ranges: `from`/`to` are calendar dates (inclusive) in the tenant's time zone. The SQL turns them
 * into UTC bounds with `AT TIME ZONE`, so days are cut at the store's midnight, DST included.
 */
import { z } from 'zod';
import { HttpError } from '../http/errors.ts';

export const INTERVALS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Query string of every report: `from`, `to` (default: the last 30 days in the store's time zone). */
export const rangeQuery = z.object({ from: date.optional(), to: date.optional() });

export type DateRange = { from: string; to: string; timezone: string };

/** The longest range a report takes, in days: ten years for daily series, a century otherwise. */
export const MAX_DAYS = {
  day: 3660,
  week: 36600,
  month: 36600,
  quarter: 36600,
  year: 36600,
  total: 36600,
} as const;

export const COMPARISONS = ['previous_period', 'previous_year'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/**
 * The range to compare with: `previous_period` is the same number of days just before `from`;
 * `previous_year` is the same dates a year earlier (29 February falls back to the 28th).
 */
export function comparisonRange(range: DateRange, comparison: Comparison): DateRange {
  const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000);
  if (comparison === 'previous_period') {
    const to = shiftDays(range.from, -1);
    return { from: shiftDays(to, -days), to, timezone: range.timezone };
  }
  return { from: shiftYears(range.from, -1), to: shiftYears(range.to, -1), timezone: range.timezone };
}

function shiftYears(value: string, years: number): string {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year + years, month - 1, day));
  // 29 February of a leap year has no twin: JavaScript would roll over to 1 March; take the 28th.
  if (target.getUTCMonth() !== month - 1) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

/** Today's date in `timezone`, as YYYY-MM-DD. */
export function todayIn(timezone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/**
 * Resolves the requested range for a tenant.
 *
 * @param maxDays the longest allowed span (`MAX_DAYS`; default: ten years).
 * @throws HttpError 400 `invalid_range` for impossible dates, `from` after `to`, or a span over `maxDays`.
 */
export function resolveRange(
  query: { from?: string | undefined; to?: string | undefined },
  timezone: string,
  maxDays: number = MAX_DAYS.day,
): DateRange {
  const to = query.to ?? todayIn(timezone);
  assertCalendarDate(to);
  const from = query.from ?? shiftDays(to, -29);
  assertCalendarDate(from);
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days < 0) throw new HttpError(400, 'invalid_range', '`from` must not be after `to`');
  if (days > maxDays) {
    throw new HttpError(400, 'invalid_range', `a range may span at most ${maxDays} days for this report`);
  }
  return { from, to, timezone };
}

function assertCalendarDate(value: string) {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new HttpError(400, 'invalid_range', `${value} is not a calendar date`);
  }
}

function shiftDays(value: string, days: number): string {
  return new Date(Date.parse(`${value}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
