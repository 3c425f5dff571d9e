/**
 * Times as Shopify writes them: REST and webhook bodies carry ISO-8601 in the shop's time zone with its
 * offset ("2025-04-02T11:29:59-05:00", as in every sample of test/fixtures/shopify), GraphQL `DateTime` is
 * UTC with a `Z` and no fraction (shopify.dev/docs/api/admin-graphql/latest/scalars/DateTime).
 */

/** Offsets change on a quarter hour at most (Newfoundland switches at :30 UTC), so they are cached per quarter. */
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const RECENT_TIMES = 64;

/** Formats instants in one IANA time zone; offsets are cached, since `Intl` is slow per call. */
export type ShopClock = {
  readonly timezone: string;
  /** `ms` (Unix epoch milliseconds) as local ISO-8601 with the zone's offset, seconds precision. */
  local(ms: number): string;
  /** The zone's offset from UTC at `ms`, in minutes (-300 for New York in winter). */
  offsetMinutes(ms: number): number;
};

/** A clock for `timezone`. @throws RangeError when `timezone` is not an IANA zone this Node knows. */
export function shopClock(timezone: string): ShopClock {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
  const cache = new Map<number, number>();
  // An order's times repeat (created_at is also processed_at, the transaction's time, ...): remember a few.
  const recent = new Map<number, string>();

  function offsetAt(bucket: number): number {
    let offset = cache.get(bucket);
    if (offset === undefined) {
      // "GMT-05:00", or plain "GMT" for UTC itself.
      const name = format
        .formatToParts(bucket * QUARTER_HOUR_MS)
        .find((p) => p.type === 'timeZoneName')?.value;
      const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
      offset = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
      cache.set(bucket, offset);
    }
    return offset;
  }

  function offsetMinutes(ms: number): number {
    // A zone changes offset at most once a day: when a day starts and ends on the same offset, the whole
    // day has it, and two lookups serve every instant of the day. Otherwise look up the quarter hour.
    const day = Math.floor(ms / DAY_MS);
    const first = offsetAt((day * DAY_MS) / QUARTER_HOUR_MS);
    if (first === offsetAt(((day + 1) * DAY_MS) / QUARTER_HOUR_MS)) return first;
    return offsetAt(Math.floor(ms / QUARTER_HOUR_MS));
  }

  return {
    timezone,
    offsetMinutes,
    local(ms) {
      const known = recent.get(ms);
      if (known !== undefined) return known;
      const offset = offsetMinutes(ms);
      const wall = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19);
      const sign = offset < 0 ? '-' : '+';
      const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
      const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
      const text = `${wall}${sign}${hours}:${minutes}`;
      if (recent.size >= RECENT_TIMES) recent.clear();
      recent.set(ms, text);
      return text;
    },
  };
}

/** A Shopify GraphQL `DateTime`: UTC, seconds precision ("2025-04-02T16:29:59Z"). */
export function graphqlDateTime(isoWithOffset: string): string {
  return new Date(Date.parse(isoWithOffset)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
