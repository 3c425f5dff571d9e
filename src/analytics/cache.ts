/**
 * The analytics answer cache: every `GET /api/v1/tenants/:tenantId/analytics/...` 200 JSON answer, keyed by
 * tenant, URL (path and query) and `Accept`, under a per-tenant generation number. Writers bump the
 * generation of the tenants they changed after their commit (the inbox worker per batch, the ingestion API,
 * tenant settings), so that a tenant's answers are recomputed while other tenants' entries stay. An answer
 * computed before a bump is stored under the old generation and never served after it, whatever the timing.
 *
 * Storage: Redis when REDIS_URL is set (shared by every process, so the worker's bumps reach the API), else
 * a bounded in-process map (only bumps made in the same process reach it; entries also expire after
 * `ttlMs`). A failing Redis turns the cache into misses, never into failed requests.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import type { Metrics } from '../lib/metrics.ts';

/** How long an answer may be served at most, in case a bump is lost (a writer in another process). */
export const DEFAULT_TTL_MS = 10 * 60_000;
/** Entries the in-process store keeps at most (oldest out first). */
export const DEFAULT_MAX_ENTRIES = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where entries and generations live. Values are the serialized JSON answers. */
interface CacheStore {
  generation(tenantId: string): Promise<string>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  bump(tenantIds: string[]): Promise<void>;
}

/** A bounded map with expiry: a Map keeps insertion order, so the first key is the oldest entry. */
class MemoryStore implements CacheStore {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  async generation(tenantId: string) {
    return String(this.generations.get(tenantId) ?? 0);
  }

  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async bump(tenantIds: string[]) {
    for (const id of tenantIds) this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
  }
}

/** Entries with PX expiry; generations are counters that never expire (INCR from a missing key gives 1). */
class RedisStore implements CacheStore {
  private readonly redis: Redis;
  private readonly prefix = 'shopsight:analytics:';

  constructor(redis: Redis) {
    this.redis = redis;
  }

  async generation(tenantId: string) {
    return (await this.redis.get(`${this.prefix}generation:${tenantId}`)) ?? '0';
  }

  async get(key: string) {
    return (await this.redis.get(`${this.prefix}answer:${key}`)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.redis.set(`${this.prefix}answer:${key}`, value, 'PX', ttlMs);
  }

  async bump(tenantIds: string[]) {
    const pipeline = this.redis.pipeline();
    for (const id of tenantIds) pipeline.incr(`${this.prefix}generation:${id}`);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

/** A looked-up answer: `body` when cached, and the key to store the answer under otherwise. */
export type CacheLookup = { key: string; body: string | undefined };

export class AnalyticsCache {
  private readonly store: CacheStore;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly ttlMs: number;

  constructor(options: {
    redis?: Redis | undefined;
    metrics: Metrics;
    log: Logger;
    ttlMs?: number;
    maxEntries?: number;
  }) {
    this.store = options.redis
      ? new RedisStore(options.redis)
      : new MemoryStore(options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.metrics = options.metrics;
    this.log = options.log;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** Finds the answer to `url` with `accept` for the tenant's current generation. A store error is a miss. */
  async lookup(tenantId: string, url: string, accept: string): Promise<CacheLookup> {
    try {
      const generation = await this.store.generation(tenantId);
      const digest = createHash('sha256').update(`${accept}\n${url}`).digest('base64url');
      const key = `${tenantId}:${generation}:${digest}`;
      const body = await this.store.get(key);
      this.metrics.analyticsCache.inc({ result: body === undefined ? 'miss' : 'hit' });
      return { key, body };
    } catch (error) {
      this.log.warn({ err: error }, 'analytics cache lookup failed');
      this.metrics.analyticsCache.inc({ result: 'error' });
      return { key: '', body: undefined };
    }
  }

  /** Stores an answer under the key of its lookup (a no-op after a failed lookup). */
  async save(lookup: CacheLookup, body: string): Promise<void> {
    if (!lookup.key) return;
    try {
      await this.store.set(lookup.key, body, this.ttlMs);
    } catch (error) {
      this.log.warn({ err: error }, 'analytics cache write failed');
    }
  }

  /**
   * Drops the cached answers of these tenants (by moving to their next generation). Call after the commit
   * of a change to their data or settings. Errors are logged: the entries then live out their TTL.
   */
  async invalidate(tenantIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(tenantIds)];
    if (ids.length === 0) return;
    try {
      await this.store.bump(ids);
    } catch (error) {
      this.log.warn({ err: error, tenantIds: ids }, 'analytics cache invalidation failed');
    }
  }
}

/** Is this route pattern an analytics report (of any route module)? */
const isAnalyticsRoute = (url: string | undefined) =>
  url !== undefined && /\/tenants\/:tenantId\/analytics\//.test(url);

/**
 * Serves and fills the cache for every GET analytics route of `api` and of the route modules registered
 * in it afterwards (call it before registering them). The caller's access is checked and the rate limit
 * counted before a cached answer is served. Answers carry `Cache-Control: private` and `x-cache: hit|miss`; only 200 JSON answers are stored.
 */
export function registerAnalyticsCache(
  api: FastifyInstance,
  options: { db: Database; cache: AnalyticsCache },
) {
  const { db, cache } = options;
  const lookups = new WeakMap<FastifyRequest, CacheLookup & { hit: boolean }>();

  const serveCached = async (request: FastifyRequest, reply: FastifyReply) => {
    const { tenantId } = request.params as { tenantId?: string };
    if (!tenantId || !UUID.test(tenantId)) return;
    await authorize(db, request.principal, [tenantId], 'analytics:read');
    const lookup = await cache.lookup(tenantId, request.url, request.headers.accept ?? '');
    lookups.set(request, { ...lookup, hit: lookup.body !== undefined });
    reply.header('cache-control', 'private');
    if (lookup.body === undefined) {
      reply.header('x-cache', 'miss');
      return;
    }
    reply.header('x-cache', 'hit').type('application/json; charset=utf-8');
    return reply.send(lookup.body);
  };
  // A route-level hook, added after the route's own ones (the rate limit's among them): a cached answer is
  // served only once the request has been counted and checked like any other.
  api.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('GET') || !isAnalyticsRoute(route.url)) return;
    route.preHandler = [...[route.preHandler ?? []].flat(), serveCached];
  });

  api.addHook('onSend', async (request, reply, payload) => {
    const lookup = lookups.get(request);
    if (
      lookup &&
      !lookup.hit &&
      reply.statusCode === 200 &&
      typeof payload === 'string' &&
      String(reply.getHeader('content-type')).startsWith('application/json')
    ) {
      await cache.save(lookup, payload);
    }
    return payload;
  });
}
