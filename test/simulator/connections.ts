/**
 * Cursor pagination as the Admin API does it (shopify.dev/docs/api/usage/pagination-graphql): connections
 * with `edges { cursor node }`, `nodes` and `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`,
 * paged with `first`/`after` or `last`/`before`, `reverse`, `sortKey` and `query`.
 *
 * Cursors look like Shopify's: base64 of `{"last_id":<id>,"last_value":"<sort value>"}` (the fixture
 * graphql_products_page_forward.jsonc has one), and work as keyset positions, so that records changed or
 * deleted between two pages neither repeat nor shift the page. Page size is at most 250, and `first` or
 * `last` is required, as on Shopify.
 */
import { GraphQLError } from 'graphql';
import type { Collection } from './collection.ts';
import { parseSearch, SearchSyntaxError, type SearchKeys } from './search-query.ts';

const MAX_PAGE_SIZE = 250;

export type PageArgs = {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
};

export type Edge<N> = { cursor: string; node: N };
export type Connection<N> = {
  edges: Edge<N>[];
  nodes: N[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};

type Cursor = { id: bigint; value: string };

function encodeCursor(id: bigint, value: string): string {
  // last_id is written as a JSON integer, digit for digit, as Shopify writes it.
  return Buffer.from(`{"last_id":${id},"last_value":${JSON.stringify(value)}}`).toString('base64');
}

function decodeCursor(cursor: string): Cursor {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const id = /"last_id":(\d{1,19})[,}]/.exec(text)?.[1];
  const value = /"last_value":"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  if (id === undefined || value === undefined) throw new GraphQLError(`Invalid cursor: ${cursor}`);
  return { id: BigInt(id), value: JSON.parse(`"${value}"`) as string };
}

/** The page size and direction of `args`. @throws GraphQLError without first/last or above 250 */
function pageOf(args: PageArgs): { size: number; backwards: boolean; cursor: Cursor | null } {
  const { first, last } = args;
  if ((first == null) === (last == null)) throw new GraphQLError('you must provide one of first or last');
  const size = (first ?? last) as number;
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`The page size must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`);
  }
  const backwards = last != null;
  const raw = backwards ? args.before : args.after;
  return { size, backwards, cursor: raw ? decodeCursor(raw) : null };
}

/** An edge whose cursor is encoded only when a query asks for it (bulk exports and `nodes` never do). */
export function edgeOf<N>(node: N, id: bigint, sortValue: string): Edge<N> {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      cursor ??= encodeCursor(id, sortValue);
      return cursor;
    },
  };
}

export function connectionOf<N>(items: Edge<N>[], hasNext: boolean, hasPrevious: boolean): Connection<N> {
  return {
    edges: items,
    nodes: items.map((item) => item.node),
    pageInfo: {
      hasNextPage: hasNext,
      hasPreviousPage: hasPrevious,
      startCursor: items[0]?.cursor ?? null,
      endCursor: items[items.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * A connection over a small in-memory list (an order's line items, a product's variants), by position.
 * With `all` (bulk operations, which take no page size) every item is returned.
 */
export function listConnection<T, N>(
  items: readonly T[],
  args: PageArgs,
  idOf: (item: T) => bigint,
  toNode: (item: T) => N,
  all = false,
): Connection<N> {
  const ordered = args.reverse ? [...items].reverse() : items;
  const edge = (item: T) => edgeOf(toNode(item), idOf(item), String(idOf(item)));
  if (all) return connectionOf(ordered.map(edge), false, false);
  const { size, backwards, cursor } = pageOf(args);
  const at = cursor ? ordered.findIndex((item) => idOf(item) === cursor.id) : -1;
  if (cursor && at < 0) throw new GraphQLError('Invalid cursor: no such item');
  const start = backwards ? Math.max(0, (cursor ? at : ordered.length) - size) : cursor ? at + 1 : 0;
  const end = backwards ? (cursor ? at : ordered.length) : Math.min(ordered.length, start + size);
  return connectionOf(ordered.slice(start, end).map(edge), end < ordered.length, start > 0);
}

export type CollectionPaging<T, N> = {
  collection: Collection<T>;
  /** Position of a record id (also of a deleted record), or -1 when the id is not this collection's. */
  positionOf(id: bigint): number;
  /** Fields the `query:` argument may filter on. */
  searchFields: readonly string[];
  /** Sort by `updated_at` (keys read for every match, then sorted) instead of by id. */
  byUpdatedAt: boolean;
  toNode(record: T): N;
  /** Receives the warnings of the `query:` argument (terms ignored). */
  warn(warnings: string[]): void;
  /** Set by bulk operations: skip `first`, start after `position`, return up to `limit` records. */
  bulk?: { after: number; limit: number; next: number | null };
};

type Hit = { position: number; keys: SearchKeys };

/** A connection over a collection of records (orders, customers...): filtered, sorted and paged. */
export function collectionConnection<T, N>(
  args: PageArgs & { query?: string | null },
  paging: CollectionPaging<T, N>,
): Connection<N> {
  const { collection } = paging;
  let search;
  try {
    search = parseSearch(args.query, paging.searchFields);
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw new GraphQLError(error.message);
    throw error;
  }
  if (search.warnings.length > 0) paging.warn(search.warnings);
  const createdBounds = search.createdBounds(collection.maxLagMs);
  const scan = (after: number, descending: boolean) =>
    collection.scan({ after, reverse: descending, createdBounds, matches: (keys) => search.matches(keys) });
  const hitAt = (position: number): Hit => ({ position, keys: collection.keys(position) as SearchKeys });
  const edge = (hit: Hit, sortValue: string) =>
    edgeOf(paging.toNode(collection.get(hit.position) as T), hit.keys.id, sortValue);

  if (paging.bulk) {
    // Bulk operations read everything in id order, a chunk at a time; sortKey and reverse do not apply.
    const bulk = paging.bulk;
    const hits: Hit[] = [];
    for (const position of scan(bulk.after, false)) {
      hits.push(hitAt(position));
      if (hits.length >= bulk.limit) break;
    }
    bulk.next = hits.length >= bulk.limit ? (hits[hits.length - 1] as Hit).position : null;
    return connectionOf(
      hits.map((hit) => edge(hit, String(hit.keys.id))),
      false,
      false,
    );
  }

  const { size, backwards, cursor } = pageOf(args);
  const reverse = Boolean(args.reverse);
  if (paging.byUpdatedAt) return pageByUpdatedAt(scan, hitAt, edge, { size, backwards, cursor, reverse });

  // In id order: walk positions from the cursor, descending when the sort is reversed or paging backwards.
  const descending = reverse !== backwards;
  let start = descending ? collection.length : -1;
  if (cursor) {
    start = paging.positionOf(cursor.id);
    if (start < 0) throw new GraphQLError('Invalid cursor: no such record');
  }
  const hits: Hit[] = [];
  let more = false;
  for (const position of scan(start, descending)) {
    if (hits.length === size) {
      more = true;
      break;
    }
    hits.push(hitAt(position));
  }
  // Anything on the other side of the cursor, the cursor's own record included?
  const behind = cursor !== null && !scan(descending ? start - 1 : start + 1, !descending).next().done;
  if (backwards) hits.reverse();
  const page = hits.map((hit) => edge(hit, String(hit.keys.id)));
  return backwards ? connectionOf(page, behind, more) : connectionOf(page, more, behind);
}

/** Paging by `updated_at`, then id: every match is read and sorted (fine for narrow windows or small stores). */
function pageByUpdatedAt<N>(
  scan: (after: number, descending: boolean) => Generator<number>,
  hitAt: (position: number) => Hit,
  edge: (hit: Hit, sortValue: string) => Edge<N>,
  page: { size: number; backwards: boolean; cursor: Cursor | null; reverse: boolean },
): Connection<N> {
  const { size, backwards, cursor, reverse } = page;
  const all: Hit[] = [];
  for (const position of scan(-1, false)) all.push(hitAt(position));
  const compare = (a: { updatedMs: number; id: bigint }, b: { updatedMs: number; id: bigint }) =>
    a.updatedMs - b.updatedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const sign = reverse ? -1 : 1;
  all.sort((a, b) => sign * compare(a.keys, b.keys));
  const key = cursor ? { updatedMs: Date.parse(cursor.value), id: cursor.id } : null;
  if (key && Number.isNaN(key.updatedMs)) throw new GraphQLError('Invalid cursor: not an updated_at cursor');
  const value = (hit: Hit) => new Date(hit.keys.updatedMs).toISOString();
  const afterKey = all.filter((hit) => !key || sign * compare(hit.keys, key) > 0);
  const beforeKey = all.filter((hit) => !key || sign * compare(hit.keys, key) < 0);
  if (!backwards) {
    const chosen = afterKey.slice(0, size);
    const hasPrevious = key !== null && afterKey.length < all.length;
    return connectionOf(
      chosen.map((hit) => edge(hit, value(hit))),
      afterKey.length > size,
      hasPrevious,
    );
  }
  const chosen = beforeKey.slice(Math.max(0, beforeKey.length - size));
  const hasNext = key !== null && beforeKey.length < all.length;
  return connectionOf(
    chosen.map((hit) => edge(hit, value(hit))),
    hasNext,
    beforeKey.length > size,
  );
}
