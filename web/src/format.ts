/**
 * Intl formatting in the store's currency and the viewer's locale; dates in the store's time zone. Money
 * arrives as decimal strings and is formatted from the string (Intl.NumberFormat accepts decimal strings
 * exactly), never through arithmetic on floats.
 */
export const locale = navigator.language || 'en-US';

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, options: Intl.NumberFormatOptions) {
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

type Decimal = `${number}` | number;

/** `12.5` in USD -> `$12.50`. */
export function money(value: string | number | null | undefined, currency: string): string {
  if (value === null || value === undefined || value === '') return '—';
  return numberFormat(`money:${currency}`, { style: 'currency', currency }).format(value as Decimal);
}

/** A compact money figure for chart axes: `$12K`. */
export function moneyCompact(value: number, currency: string): string {
  return numberFormat(`compact:${currency}`, {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

export function count(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return numberFormat('count', { maximumFractionDigits: 0 }).format(value as Decimal);
}

/**
 * A rate given in percent units, as the refund, returning-customer and retention rates are (`"12.50"` ->
 * `12.5%`).
 */
export function percent(value: number | string | null | undefined, digits = 1): string {
  if (value === null || value === undefined || value === '') return '—';
  return numberFormat(`percent:${digits}`, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(value) / 100);
}

/**
 * A rate given as a fraction, as the checkout conversion and abandonment rates are (`"0.3333"` ->
 * `33.3%`). Formatted from the decimal string, so no float rounding creeps in.
 */
export function fraction(value: string | null | undefined, digits = 1): string {
  if (value === null || value === undefined || value === '') return '—';
  return numberFormat(`percent:${digits}`, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value as Decimal);
}

/** A calendar date (`YYYY-MM-DD`, already in the store's zone) -> `Nov 3, 2026`. */
export function calendarDate(value: string): string {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

/** A UTC instant (ISO-8601) shown in the store's time zone. */
export function dateTime(value: string | null | undefined, timeZone: string): string {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(value),
  );
}

/** Seconds -> `3 min`, `2 h 5 min`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Today's date in `timeZone`, `YYYY-MM-DD`. */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

/** `date` shifted by whole days (calendar arithmetic in UTC, no DST involved). */
export function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
