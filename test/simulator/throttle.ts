/**
 * Shopify's cost-based rate limit for the GraphQL Admin API (shopify.dev/docs/api/usage/limits): a leaky
 * bucket per app and shop that holds up to `maximumAvailable` points and refills at `restoreRate` points per
 * second. A query takes its requested cost up front and gets back what it did not use; a query that costs
 * more than what is available is not run and answers THROTTLED.
 */

export type ThrottleOptions = {
  /** Bucket size in points; default 2000. */
  maximumAvailable?: number;
  /** Points restored per second; default 100. */
  restoreRate?: number;
  /** Largest requested cost of one query; default 1000 (MAX_COST_EXCEEDED above it). */
  maxSingleQueryCost?: number;
  /**
   * How a throttled query is answered: `graphql` (HTTP 200 with a THROTTLED error, as Shopify does) or
   * `429` (HTTP 429 with Retry-After, for testing a client's handling of it). Default `graphql`.
   */
  mode?: 'graphql' | '429';
};

/** `extensions.cost.throttleStatus` of a response. */
export type ThrottleStatus = { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };

export class LeakyBucket {
  readonly maximumAvailable: number;
  readonly restoreRate: number;
  readonly #now: () => number;
  #available: number;
  #at: number;

  /** @param now the clock, Unix ms (tests pass a fake one) */
  constructor(options: ThrottleOptions, now: () => number) {
    this.maximumAvailable = options.maximumAvailable ?? 2000;
    this.restoreRate = options.restoreRate ?? 100;
    this.#now = now;
    this.#available = this.maximumAvailable;
    this.#at = now();
  }

  #refill(): void {
    const now = this.#now();
    this.#available = Math.min(
      this.maximumAvailable,
      this.#available + ((now - this.#at) / 1000) * this.restoreRate,
    );
    this.#at = now;
  }

  /** Takes `cost` points if there are that many; false (and nothing taken) otherwise. */
  take(cost: number): boolean {
    this.#refill();
    if (cost > this.#available) return false;
    this.#available -= cost;
    return true;
  }

  /** Gives back points a query requested but did not use. */
  refund(points: number): void {
    this.#refill();
    this.#available = Math.min(this.maximumAvailable, this.#available + Math.max(0, points));
  }

  /** Seconds until `cost` points are available. */
  secondsUntil(cost: number): number {
    this.#refill();
    return Math.max(0, Math.ceil((cost - this.#available) / this.restoreRate));
  }

  status(): ThrottleStatus {
    this.#refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.#available),
      restoreRate: this.restoreRate,
    };
  }
}
