/**
 * Time buckets of the over-time reports, shared so that every series cuts its buckets exactly like
 * `salesOverTime` (src/analytics/sales.ts): `date_trunc(interval, local time)` in the store's time zone,
 * ISO weeks from Monday, every bucket of the range present (empty ones as zeros).
 */

/**
 * A `buckets(bucket)` CTE: the local-time starts of every bucket from the one holding `from` to the one
 * holding `to`. `from`, `to` (dates) and `interval` are the given SQL parameters, e.g. `$2`, `$3`, `$5`.
 */
export function bucketsSql(from: string, to: string, interval: string): string {
  return `buckets AS (
  SELECT generate_series(
    date_trunc(${interval}, ${from}::date::timestamp), ${to}::date::timestamp,
    CASE ${interval} WHEN 'quarter' THEN interval '3 months' ELSE ('1 ' || ${interval})::interval END
  ) AS bucket
)`;
}

/** Bounds of a range as UTC instants: [start of `from`, start of the day after `to`) in time zone `tz`. */
export function boundsSql(from: string, to: string, tz: string): string {
  return `bounds AS (
  SELECT (${from}::date::timestamp AT TIME ZONE ${tz}) AS start_at,
         ((${to}::date + 1)::timestamp AT TIME ZONE ${tz}) AS end_at
)`;
}
