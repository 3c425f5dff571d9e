/**
 * The `query:` argument of the simulator's connections, a subset of Shopify's search syntax
 * (shopify.dev/docs/api/usage/search-syntax): terms `field:value`, `field:>value`, `field:>=value`,
 * `field:<value`, `field:<=value`, joined by whitespace or `AND`, values bare or quoted. Fields: `created_at`,
 * `updated_at`, `processed_at` (orders) and `id`. Dates are ISO-8601 with an offset or `Z`; a date without a
 * time means midnight UTC (the simulator's choice; send full timestamps).
 *
 * Like Shopify, a term on a field the resource does not support is ignored and reported as a warning. `OR`,
 * `NOT`, `-term` and grouping are rejected with an error, since ignoring them would change the results.
 */

/** The keys of a record that a search can filter on. */
export type SearchKeys = { id: bigint; createdMs: number; updatedMs: number; processedMs: number };

export type Search = {
  matches(keys: SearchKeys): boolean;
  /** Bounds on `created_at` implied by the terms (`updated_at:>x` implies `created_at > x - maxLag`). */
  createdBounds(maxLagMs: number): { min: number; max: number };
  /** Terms the simulator ignored, with why. */
  warnings: string[];
};

type Comparison = '=' | '>' | '>=' | '<' | '<=';
type Term =
  | {
      field: 'created_at' | 'updated_at' | 'processed_at';
      op: Comparison;
      ms: number;
      dayEndMs: number | null;
    }
  | { field: 'id'; op: Comparison; id: bigint };

const DATE_FIELDS = new Set(['created_at', 'updated_at', 'processed_at']);
const DAY_MS = 86_400_000;

/** An error in the query that the simulator refuses rather than misreads. */
export class SearchSyntaxError extends Error {}

function tokens(query: string): string[] {
  const found: string[] = [];
  const pattern = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (const match of query.matchAll(pattern)) found.push(match[0]);
  return found;
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}

function compare(a: number | bigint, op: Comparison, b: number | bigint): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/**
 * Parses `query` for a resource whose searchable fields are `fields`.
 * @throws SearchSyntaxError for `OR`, `NOT`, negation or parentheses
 */
export function parseSearch(query: string | null | undefined, fields: readonly string[]): Search {
  const terms: Term[] = [];
  const warnings: string[] = [];
  for (const token of tokens(query ?? '')) {
    if (token === 'AND') continue;
    if (token === 'OR' || token === 'NOT' || token.startsWith('-') || /^[()]|[()]$/.test(token)) {
      throw new SearchSyntaxError(`the simulator's search supports only AND of comparisons, not "${token}"`);
    }
    const match = /^([a-z_]+):(>=|<=|>|<)?(.+)$/.exec(token);
    if (!match) {
      warnings.push(`"${token}": free-text search is not supported; ignored`);
      continue;
    }
    const [, field = '', op = '=', raw = ''] = match;
    const value = unquote(raw);
    if (!fields.includes(field)) {
      warnings.push(`"${token}": invalid search field for this query; ignored`);
      continue;
    }
    if (field === 'id') {
      if (!/^\d{1,19}$/.test(value)) {
        warnings.push(`"${token}": not an id; ignored`);
        continue;
      }
      terms.push({ field, op: op as Comparison, id: BigInt(value) });
      continue;
    }
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
    if (!DATE_FIELDS.has(field) || Number.isNaN(ms) || (!dateOnly && !/(Z|[+-]\d{2}:?\d{2})$/.test(value))) {
      warnings.push(`"${token}": not a date with a time zone; ignored`);
      continue;
    }
    terms.push({
      field: field as 'created_at' | 'updated_at' | 'processed_at',
      op: op as Comparison,
      ms,
      // `created_at:2025-01-01` means that whole day.
      dayEndMs: dateOnly && op === '=' ? ms + DAY_MS : null,
    });
  }

  return {
    warnings,
    matches(keys) {
      return terms.every((term) => {
        if (term.field === 'id') return compare(keys.id, term.op, term.id);
        const value =
          term.field === 'created_at'
            ? keys.createdMs
            : term.field === 'updated_at'
              ? keys.updatedMs
              : keys.processedMs;
        // Shopify compares at second precision, as its timestamps are written.
        const seconds = Math.floor(value / 1000) * 1000;
        if (term.dayEndMs !== null) return seconds >= term.ms && seconds < term.dayEndMs;
        return compare(seconds, term.op, term.ms);
      });
    },
    createdBounds(maxLagMs) {
      let min = -Infinity;
      let max = Infinity;
      for (const term of terms) {
        if (term.field === 'id') continue;
        const lower = term.op === '>' || term.op === '>=' || term.dayEndMs !== null;
        const upper = term.op === '<' || term.op === '<=' || term.dayEndMs !== null;
        // Generated records are processed when created, and updated at most maxLag after.
        if (lower) min = Math.max(min, term.field === 'updated_at' ? term.ms - maxLagMs : term.ms);
        if (upper) max = Math.min(max, (term.dayEndMs ?? term.ms) + 1000);
      }
      return { min, max };
    },
  };
}
