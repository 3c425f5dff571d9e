/**
 * A list of records of one kind (orders, customers...) made of generated records, read on demand, with the
 * changes made through the simulator laid over them: replaced records, deleted ones and new ones appended
 * after the generated ones. Positions are the order of ids, since ids grow with the index.
 *
 * It also finds the records matching a search without reading every generated one: generated records are
 * created in index order and updated at most `maxLagMs` after, so a bound on `created_at` or `updated_at`
 * narrows the generated positions to a range, found by binary search; changed records are always checked.
 */
import type { SearchKeys } from './search-query.ts';

export type CollectionSource<T> = {
  /** Number of generated records. */
  generated: number;
  build(index: number): T;
  /** Keys of generated record `index`, cheaper than building it. */
  keys(index: number): SearchKeys;
  /** Keys of a stored (changed or new) record. */
  keysOfRecord(record: T): SearchKeys;
  /** `updated_at - created_at` never exceeds this for generated records. */
  maxLagMs: number;
};

export type ScanOptions = {
  /** Start after this position (before it when `reverse`); -1 (or `length` when reversed) for the start. */
  after: number;
  reverse: boolean;
  createdBounds: { min: number; max: number };
  matches(keys: SearchKeys): boolean;
};

export class Collection<T> {
  readonly #source: CollectionSource<T>;
  /** Stored records by position: replaced, appended, or null for deleted. */
  readonly #changed = new Map<number, T | null>();
  /** The positions in `#changed`, ascending. */
  #changedPositions: number[] = [];
  #appended = 0;

  constructor(source: CollectionSource<T>) {
    this.#source = source;
  }

  /** `updated_at - created_at` never exceeds this for generated records. */
  get maxLagMs(): number {
    return this.#source.maxLagMs;
  }

  /** Positions in use (generated and appended), deleted ones included. */
  get length(): number {
    return this.#source.generated + this.#appended;
  }

  /** The record at `position`, or undefined when deleted or out of range. */
  get(position: number): T | undefined {
    if (!Number.isInteger(position) || position < 0 || position >= this.length) return undefined;
    const changed = this.#changed.get(position);
    if (changed !== undefined) return changed ?? undefined;
    return this.#source.build(position);
  }

  /** The keys of the record at `position`, or undefined when deleted or out of range. */
  keys(position: number): SearchKeys | undefined {
    if (position < 0 || position >= this.length) return undefined;
    const changed = this.#changed.get(position);
    if (changed === null) return undefined;
    return changed === undefined ? this.#source.keys(position) : this.#source.keysOfRecord(changed);
  }

  /** Whether the record at `position` was replaced, appended or deleted through the simulator. */
  isChanged(position: number): boolean {
    return this.#changed.has(position);
  }

  /** Stores `record` at an existing position. */
  set(position: number, record: T): void {
    this.#mark(position, record);
  }

  /** Deletes the record at `position`; its position stays taken. */
  delete(position: number): void {
    this.#mark(position, null);
  }

  /** Appends `record` at the next position (`length` before the call) and returns that position. */
  append(record: T): number {
    const position = this.length;
    this.#appended += 1;
    this.#mark(position, record);
    return position;
  }

  #mark(position: number, record: T | null) {
    if (!this.#changed.has(position)) {
      const at = lowerBound(
        this.#changedPositions.length,
        (i) => (this.#changedPositions[i] as number) >= position,
      );
      this.#changedPositions.splice(at, 0, position);
    }
    this.#changed.set(position, record);
  }

  /** Positions of records that match, in position order (or reversed), lazily. */
  *scan(options: ScanOptions): Generator<number> {
    const { after, reverse, createdBounds, matches } = options;
    const generated = this.#source.generated;
    const createdAt = (i: number) => this.#source.keys(i).createdMs;
    // Generated positions whose created_at can be within bounds: [low, high).
    const low =
      createdBounds.min === -Infinity ? 0 : lowerBound(generated, (i) => createdAt(i) >= createdBounds.min);
    const high =
      createdBounds.max === Infinity
        ? generated
        : lowerBound(generated, (i) => createdAt(i) > createdBounds.max);
    const changed = this.#changedPositions;
    const step = reverse ? -1 : 1;
    let position = reverse ? Math.min(after, this.length) - 1 : Math.max(after, -1) + 1;
    // Index into `changed` of the next changed position in the walk's direction.
    let c = reverse
      ? lowerBound(changed.length, (i) => (changed[i] as number) > position) - 1
      : lowerBound(changed.length, (i) => (changed[i] as number) >= position);
    while (position >= 0 && position < this.length) {
      // Jump over generated positions outside [low, high) to the next changed position or back into range.
      const inRange = position >= low && position < high;
      const nextChanged = changed[c];
      if (!inRange && !this.#changed.has(position)) {
        const rangeEdge = reverse ? (position >= high ? high - 1 : -1) : position < low ? low : this.length;
        const candidates = [rangeEdge, nextChanged ?? (reverse ? -1 : this.length)];
        position = reverse ? Math.max(...candidates) : Math.min(...candidates);
        c = reverse
          ? lowerBound(changed.length, (i) => (changed[i] as number) > position) - 1
          : lowerBound(changed.length, (i) => (changed[i] as number) >= position);
        continue;
      }
      if (nextChanged === position) c += step;
      const keys = this.keys(position);
      if (keys && matches(keys)) yield position;
      position += step;
    }
  }
}

/** The first index in [0, length) where the monotonic `predicate` holds, or `length` when none. */
export function lowerBound(length: number, predicate: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
