/**
 * Login throttling: counts failed logins per account (the lower-cased email, whether or not it belongs to
 * a user) and per client IP in fixed windows, and refuses further attempts once either count is spent.
 *
 * An attempt is counted before its password is checked and given back when it succeeds, so a burst of
 * concurrent guesses cannot all slip in before the first failure is recorded. Counters live in Redis when
 * one is configured (shared by every API process; INCR + PEXPIRE in one Lua script, so a counter never
 * outlives its window), else in this process.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LoginThrottleOptions = {
  /** Failed logins per account per window (default 10). */
  maxPerAccount?: number;
  /** Failed logins per client IP per window, across accounts (default 50). */
  maxPerIp?: number;
  /** Window length in ms, from the first failure (default 15 minutes). */
  windowMs?: number;
  /** Shared counters; in-process counters when absent. */
  redis?: Redis | undefined;
  /** Clock of the in-process counters, in ms (tests move it). */
  now?: () => number;
};

/** The two counters of one attempt, and their limits, in the same order. */
type Keys = [account: string, ip: string];

interface Counters {
  /** Counts one attempt on both keys unless one is spent; answers the ms to wait, 0 when counted. */
  take(keys: Keys, limits: [number, number], windowMs: number): Promise<number>;
  /** Clears the account's count and gives back one attempt of the IP. */
  release(keys: Keys): Promise<void>;
}

// KEYS: account, ip. ARGV: account limit, ip limit, window ms. Returns the ms to wait (0: counted).
const TAKE_SCRIPT = `
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[3])
      ttl = tonumber(ARGV[3])
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[3]) end
end
return 0`;

const RELEASE_SCRIPT = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0`;

class RedisCounters implements Counters {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  async take(keys: Keys, limits: [number, number], windowMs: number): Promise<number> {
    return Number(await this.redis.eval(TAKE_SCRIPT, 2, ...keys, limits[0], limits[1], windowMs));
  }

  async release(keys: Keys): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 2, ...keys);
  }
}

// Expired windows are swept when the map has doubled since the last sweep, so that addresses and emails
// sprayed by an attacker do not pile up, at an amortized constant cost per attempt.
const SWEEP_FLOOR = 10_000;

class MemoryCounters implements Counters {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly now: () => number;
  private sweepAt = SWEEP_FLOOR;

  constructor(now: () => number) {
    this.now = now;
  }

  async take(keys: Keys, limits: [number, number], windowMs: number): Promise<number> {
    const now = this.now();
    let wait = 0;
    keys.forEach((key, i) => {
      const window = this.live(key, now);
      if (window && window.count >= limits[i]!) wait = Math.max(wait, window.resetAt - now);
    });
    if (wait > 0) return wait;
    for (const key of keys) {
      const window = this.live(key, now);
      if (window) window.count += 1;
      else this.windows.set(key, { count: 1, resetAt: now + windowMs });
    }
    this.sweep(now);
    return 0;
  }

  async release([account, ip]: Keys): Promise<void> {
    this.windows.delete(account);
    const window = this.live(ip, this.now());
    if (window && window.count > 0) window.count -= 1;
  }

  private live(key: string, now: number) {
    const window = this.windows.get(key);
    return window && window.resetAt > now ? window : undefined;
  }

  private sweep(now: number) {
    if (this.windows.size < this.sweepAt) return;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    this.sweepAt = Math.max(SWEEP_FLOOR, this.windows.size * 2);
  }
}

export class LoginThrottle {
  private readonly counters: Counters;
  private readonly limits: [number, number];
  private readonly windowMs: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.counters = options.redis
      ? new RedisCounters(options.redis)
      : new MemoryCounters(options.now ?? Date.now);
    this.limits = [options.maxPerAccount ?? 10, options.maxPerIp ?? 50];
    this.windowMs = options.windowMs ?? 15 * 60_000;
  }

  /**
   * Counts a login attempt of `email` from `ip` as a failure until `succeeded` is called. Answers null
   * when the attempt may go ahead, or the whole seconds (at least 1) to wait when the account or the IP
   * has spent its window; a refused attempt is not counted.
   *
   * @throws the Redis client's error when Redis is configured and unreachable (logins then fail closed).
   */
  async attempt(email: string, ip: string): Promise<{ retryAfterSeconds: number } | null> {
    const waitMs = await this.counters.take(this.keys(email, ip), this.limits, this.windowMs);
    return waitMs > 0 ? { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) } : null;
  }

  /** A correct password: the account's failures are forgiven and the attempt is given back to the IP. */
  async succeeded(email: string, ip: string): Promise<void> {
    await this.counters.release(this.keys(email, ip));
  }

  // Emails are hashed so that Redis holds no addresses, and the key length stays bounded.
  private keys(email: string, ip: string): Keys {
    const account = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    return [`shopsight:login:account:${account}`, `shopsight:login:ip:${ip}`];
  }
}
