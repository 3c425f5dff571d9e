/**
 * Date range presets of the range picker, resolved in the store's time zone into the API's inclusive
 * `from`/`to` calendar dates (src/analytics/range.ts). The URL holds the preset (`range=`) or, for a custom
 * range, `from` and `to`; `compare` holds the comparison.
 */
import type { Comparison } from '../../src/analytics/range.ts';
import { shiftDays, todayIn } from './format.ts';

export const PRESETS = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: 'last_7_days', label: 'Last 7 days' },
  { id: 'last_30_days', label: 'Last 30 days' },
  { id: 'last_90_days', label: 'Last 90 days' },
  { id: 'month_to_date', label: 'Month to date' },
  { id: 'year_to_date', label: 'Year to date' },
  { id: 'last_12_months', label: 'Last 12 months' },
  { id: 'custom', label: 'Custom' },
] as const;

export type Preset = (typeof PRESETS)[number]['id'];
export const DEFAULT_PRESET: Preset = 'last_30_days';

export type SelectedRange = { preset: Preset; from: string; to: string; compare: Comparison | null };

/** The dates of `preset` as seen on `today` (both inclusive). */
export function presetDates(preset: Exclude<Preset, 'custom'>, today: string): { from: string; to: string } {
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: shiftDays(today, -1), to: shiftDays(today, -1) };
    case 'last_7_days':
      return { from: shiftDays(today, -6), to: today };
    case 'last_30_days':
      return { from: shiftDays(today, -29), to: today };
    case 'last_90_days':
      return { from: shiftDays(today, -89), to: today };
    case 'month_to_date':
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case 'year_to_date':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
    case 'last_12_months':
      return { from: shiftDays(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`, 1), to: today };
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The range the URL asks for, in the store's time zone; a malformed URL falls back to the default preset. */
export function rangeFromParams(params: URLSearchParams, timeZone: string): SelectedRange {
  const compareParam = params.get('compare');
  const compare: Comparison | null =
    compareParam === 'previous_period' || compareParam === 'previous_year' ? compareParam : null;
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && DATE.test(from) && DATE.test(to) && from <= to) {
    return { preset: 'custom', from, to, compare };
  }
  const asked = params.get('range');
  const preset = PRESETS.some((p) => p.id === asked && p.id !== 'custom')
    ? (asked as Exclude<Preset, 'custom'>)
    : (DEFAULT_PRESET as Exclude<Preset, 'custom'>);
  return { preset, ...presetDates(preset, todayIn(timeZone)), compare };
}

/** Days in the range, both ends included. */
export function rangeDays(range: { from: string; to: string }): number {
  return Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000) + 1;
}

/** The chart interval that keeps a series readable for the range. */
export function intervalFor(range: { from: string; to: string }): 'day' | 'week' | 'month' {
  const days = rangeDays(range);
  if (days <= 62) return 'day';
  if (days <= 366) return 'week';
  return 'month';
}
