/**
 * The simulator's deterministic randomness: a small seeded PRNG (mulberry32) and a hash that gives every
 * generated entity its own stream, so that entity `i` can be built from `(seed, kind, i)` alone, in any order
 * and without building entities `0..i-1` first. That is what lets a store of millions of orders stay lazy.
 */

/** A stream of pseudo-random numbers with the helpers the generator needs. */
export type Random = {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One element of a non-empty array, chosen with the given weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
};

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** mulberry32 (Tommy Ettinger's 32-bit generator): tiny, fast, and good enough for test data. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's 32-bit finalizer: spreads every input bit over the output, so nearby indexes get unrelated seeds. */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of entity `index` of stream `stream` (a small constant per entity kind) in store `seed`. */
export function streamSeed(seed: number, stream: number, index: number): number {
  return mix(mix(mix(seed) ^ Math.imul(stream, 0x9e3779b1)) ^ (index >>> 0) ^ Math.floor(index / 4294967296));
}

/** A `Random` seeded with a 32-bit integer. */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted(items) {
      let total = 0;
      for (const [, weight] of items) total += weight;
      let roll = next() * total;
      for (const [item, weight] of items) {
        roll -= weight;
        if (roll < 0) return item;
      }
      return (items[items.length - 1] as (typeof items)[number])[0];
    },
    hex(length) {
      // Four bytes per draw through a lookup table: tokens are drawn for every order, so this is hot.
      let text = '';
      while (text.length < length) {
        const word = Math.floor(next() * 4294967296);
        text +=
          (HEX_BYTES[word >>> 24] as string) +
          HEX_BYTES[(word >>> 16) & 0xff] +
          HEX_BYTES[(word >>> 8) & 0xff] +
          HEX_BYTES[word & 0xff];
      }
      return text.length === length ? text : text.slice(0, length);
    },
  };
  return random;
}

/** The `Random` of entity `index` of stream `stream` in store `seed`. */
export function entityRandom(seed: number, stream: number, index: number): Random {
  return createRandom(streamSeed(seed, stream, index));
}
