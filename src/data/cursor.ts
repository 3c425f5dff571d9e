/**
 * Keyset (cursor) pagination for the data lists. A page is `ORDER BY <sort key> <dir> NULLS LAST, id <dir>`
 * and the next page starts strictly after the last row's (sort key, id), so that pages neither skip nor
 * repeat rows, ties on the sort key included. Rows whose sort key is null come last in both directions.
 *
 * The cursor is opaque to clients: base64url of the JSON `[sort, key, id]` (`sort` as `name:direction`,
 * `key` the sort key as text or null, `id` the row's decimal id). A cursor that does not decode, belongs to
 * another sort, or carries a key that is not of the sort's type is refused with 400 `invalid_cursor`.
 */
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { HttpError } from '../http/errors.ts';

/** SQL type of a sort key: how the cursor's key is cast back and checked. */
export type KeyType = 'text' | 'numeric' | 'timestamptz' | 'bigint';

/** A sortable column of a list: `sql` is an expression over the list's row alias. */
export type SortColumn = { sql: string; type: KeyType };

export type Direction = 'asc' | 'desc';

/** A resolved sort: the whitelisted name, its column and direction. */
export type Sort = { name: string; column: SortColumn; direction: Direction };

/** Where the previous page stopped: its last row's sort key (text, null for a null key) and id. */
export type Cursor = { key: string | null; id: string };

/** Common paging query: `limit` (1..250, default 50), `cursor`, `sort` (`name` or `name:asc|desc`). */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z.string().max(2048).optional(),
  sort: z.string().max(64).optional(),
});

/**
 * Resolves `sort` (`name`, `name:asc` or `name:desc`) against a list's whitelist.
 *
 * @throws HttpError 400 `invalid_sort` for a name not in `columns` or another direction.
 */
export function resolveSort(
  value: string | undefined,
  columns: Record<string, SortColumn & { direction: Direction }>,
  fallback: string,
): Sort {
  const [name = '', direction, ...rest] = (value ?? fallback).split(':');
  const column = Object.hasOwn(columns, name) ? columns[name] : undefined;
  if (!column || rest.length > 0 || (direction !== undefined && direction !== 'asc' && direction !== 'desc')) {
    const names = Object.keys(columns).join(', ');
    throw new HttpError(400, 'invalid_sort', `sort must be one of ${names}, optionally with :asc or :desc`);
  }
  return { name, column, direction: (direction as Direction | undefined) ?? column.direction };
}

const label = (sort: Sort) => `${sort.name}:${sort.direction}`;

/** The opaque cursor of the page that follows `cursor` (a page's last row) under `sort`. */
export function encodeCursor(sort: Sort, cursor: Cursor): string {
  return Buffer.from(JSON.stringify([label(sort), cursor.key, cursor.id])).toString('base64url');
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const MAX_BIGINT = 2n ** 63n - 1n;
const ID = /^\d{1,19}$/;

const fitsBigint = (key: string) => /^-?\d{1,19}$/.test(key) && BigInt(key) <= MAX_BIGINT && BigInt(key) >= -MAX_BIGINT - 1n;

/** Keys exactly as `keyText` writes them, so that a forged key can never fail its cast in SQL. */
const validKey: Record<KeyType, (key: string) => boolean> = {
  text: (key) => !key.includes('\u0000'),
  numeric: (key) => DECIMAL.test(key),
  bigint: fitsBigint,
  timestamptz: (key) => {
    if (!/^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(key)) return false;
    // JavaScript rolls 30 February over to March; PostgreSQL would refuse it.
    const ms = Date.parse(key);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === key.slice(0, 19);
  },
};

/**
 * Decodes a client's cursor for `sort`.
 *
 * @throws HttpError 400 `invalid_cursor` when it does not decode, was made for another sort, or its key or
 *   id do not fit.
 */
export function decodeCursor(sort: Sort, value: string): Cursor {
  let parsed: unknown;
  try {
    if (!/^[\w-]+$/.test(value)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('the cursor does not decode');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalidCursor('the cursor does not decode');
  const [sortLabel, key, id] = parsed as unknown[];
  if (sortLabel !== label(sort)) throw invalidCursor('the cursor belongs to another sort');
  if (typeof id !== 'string' || !ID.test(id) || !fitsBigint(id)) throw invalidCursor('bad row id');
  if (key !== null && (typeof key !== 'string' || !validKey[sort.column.type](key))) {
    throw invalidCursor('bad sort key');
  }
  return { key, id };
}


const invalidCursor = (detail: string) =>
  new HttpError(400, 'invalid_cursor', `invalid cursor (${detail}); start again without one`);

/** The sort key as text that casts back to its type exactly (times: UTC ISO-8601 with microseconds). */
function keyText(column: SortColumn): string {
  if (column.type === 'timestamptz') {
    return `to_char(${column.sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  }
  return `(${column.sql})::text`;
}

/**
 * One list query: `with` (optional CTEs, without the WITH keyword), `from` (tables and joins), `where`
 * (conditions, every one filtering on the tenant), `select` (the row's columns), `id` (the row's id
 * expression). Its parameters are in `params`.
 */
export type ListSql = { with?: string; select: string; from: string; where: string[]; id: string };

/** A page of raw rows and where it ended (undefined: no further page). */
export type RawPage<R> = { rows: R[]; next: Cursor | undefined };

/**
 * Fetches the page of `list` under `sort` after `cursor`: `limit + 1` rows are read, the extra one only
 * tells that another page exists.
 *
 * Rows with a non-null key come first, read with `(key, id) > | < (cursor key, cursor id)` and a plain
 * `ORDER BY key, id`, which an index on the key serves (no `OR key IS NULL`, which would force a scan of
 * every row per page); the null keys follow, by id, read by a second query only when the first one did not
 * fill the page.
 */
export async function fetchPage<R>(
  db: Queryable,
  list: ListSql,
  params: unknown[],
  sort: Sort,
  cursor: Cursor | undefined,
  limit: number,
): Promise<RawPage<R>> {
  const { sql: key, type } = sort.column;
  const op = sort.direction === 'asc' ? '>' : '<';
  const dir = sort.direction.toUpperCase();
  const read = (condition: string, orderBy: string, values: unknown[], count: number) =>
    db.query<R & { sort_key: string | null; row_id: string }>(
      `${list.with ? `WITH ${list.with}` : ''}
       SELECT ${list.select}, ${keyText(sort.column)} AS sort_key, (${list.id})::text AS row_id
       FROM ${list.from}
       WHERE ${[...list.where, condition].join(' AND ')}
       ORDER BY ${orderBy}
       LIMIT ${count}`,
      values,
    );
  const fetched: (R & { sort_key: string | null; row_id: string })[] = [];
  if (cursor?.key !== null) {
    const values = [...params];
    let condition = `${key} IS NOT NULL`;
    if (cursor) {
      values.push(cursor.key, cursor.id);
      condition += ` AND (${key}, ${list.id}) ${op} ($${values.length - 1}::${type}, $${values.length}::bigint)`;
    }
    fetched.push(...(await read(condition, `${key} ${dir}, ${list.id} ${dir}`, values, limit + 1)));
  }
  if (fetched.length <= limit) {
    const values = [...params];
    let condition = `${key} IS NULL`;
    if (cursor?.key === null) {
      values.push(cursor.id);
      condition += ` AND ${list.id} ${op} $${values.length}::bigint`;
    }
    fetched.push(...(await read(condition, `${list.id} ${dir}`, values, limit + 1 - fetched.length)));
  }
  const rows = fetched.slice(0, limit);
  const last = rows.at(-1);
  return {
    rows,
    next: fetched.length > limit && last ? { key: last.sort_key, id: last.row_id } : undefined,
  };
}

/** Collects the parameters of a statement; `add` returns the placeholder (`$n`) of the value. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Free text of a query parameter (`q`, `vendor`): 1..200 characters, no NUL (PostgreSQL text refuses it). */
export const queryText = z
  .string()
  .min(1)
  .max(200)
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

/** A `q` search as an ILIKE pattern matching anywhere, with `%`, `_` and `\` taken literally. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Conditions putting `column` on store-local dates `from`..`to` (inclusive, YYYY-MM-DD, either optional),
 * cut at midnight in `timezone`.
 */
export function dateConditions(
  column: string,
  range: { from?: string | undefined; to?: string | undefined },
  timezone: string,
  params: Params,
): string[] {
  const conditions: string[] = [];
  if (range.from) {
    conditions.push(`${column} >= (${params.add(range.from)}::date::timestamp AT TIME ZONE ${params.add(timezone)})`);
  }
  if (range.to) {
    conditions.push(
      `${column} < ((${params.add(range.to)}::date + 1)::timestamp AT TIME ZONE ${params.add(timezone)})`,
    );
  }
  return conditions;
}
