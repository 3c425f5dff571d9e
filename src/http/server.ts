/**
 * HTTP server assembly: Fastify with the zod type provider, the error shape, request ids, and the route
 * groups (webhook intake, `/api/v1` behind the admin token, health and metrics, the dashboard at `/`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { analyticsRoutes } from '../analytics/analytics.routes.ts';
import { reportRoutes } from '../analytics/reports.routes.ts';
import { checkoutsReportRoutes } from '../analytics/checkouts.routes.ts';
import { dataRoutes } from '../data/data.routes.ts';
import { inventoryRoutes } from '../analytics/inventory.routes.ts';
import { registerAnalyticsCache, type AnalyticsCache } from '../analytics/cache.ts';
import { apikeyRoutes } from '../auth/api-key.routes.ts';
import { authRoutes } from '../auth/auth.routes.ts';
import { healthRoutes } from '../ingest/health.routes.ts';
import { ingestRoutes } from '../ingest/ingest.routes.ts';
import { memberRoutes } from '../tenants/member.routes.ts';
import { privacyRoutes } from '../privacy/privacy.routes.ts';
import { connectionRoutes, shopifyInstallRoutes } from '../tenants/connection.routes.ts';
import type { ConnectionService } from '../tenants/connection.service.ts';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { authenticate } from '../auth/authenticate.ts';
import type { Database } from '../db/client.ts';
import type { InboxWriter } from '../ingest/inbox.repository.ts';
import { webhookRoutes } from '../ingest/webhook.routes.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import { tenantRoutes } from '../tenants/tenant.routes.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { HttpError, registerErrorHandling } from './errors.ts';
import { webRoutes } from './web.ts';
import { registerOpenApi } from './openapi.ts';
import { probeRoutes } from './probes.ts';
import { syncRoutes, type SyncRouteOptions } from '../sync/sync.routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route (method and URL pattern). */
    routeList: { method: string; url: string }[];
  }
}

export type ServerDependencies = {
  db: Database;
  log: Logger;
  metrics: Metrics;
  tenants: TenantService;
  directory: TenantDirectory;
  inbox: InboxWriter;
  adminToken: string;
  webhookBodyLimit: number;
  /** Requests per minute per principal (per IP when anonymous) on `/api/v1`. */
  rateLimitPerMinute: number;
  /** Shared rate-limit counters across processes; in-process counters when absent. */
  redis?: Redis | undefined;
  /** Session cookies get the Secure attribute (set when Shopsight is served over HTTPS). */
  secureCookies: boolean;
  /** Store connections: OAuth install and custom-app mode. */
  connections: ConnectionService;
  /** Signs cookies that must come back unchanged (the OAuth state). */
  cookieSecret: string;
  /** The built dashboard to serve at `/` (default `web/dist`). */
  webDir?: string | undefined;
  /** Cache of the analytics answers, invalidated by the writers of each tenant's data. */
  analyticsCache: AnalyticsCache;
  /** Backfill and reconciliation control. */
  sync: Omit<SyncRouteOptions, 'db'>;
};

/** What every `/api/v1` route module receives: build its services from these. */
export type RouteDependencies = Pick<
  ServerDependencies,
  'db' | 'log' | 'metrics' | 'tenants' | 'directory' | 'redis' | 'analyticsCache'
> & {
  /** Secure cookies (sent over HTTPS only): true unless the server is plain HTTP on loopback. */
  secureCookies: boolean;
};

/** The version in package.json, for the OpenAPI document. */
function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Builds the HTTP server (not yet listening). */
export async function buildServer(deps: ServerDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Per-request log lines for the API; the webhook hot path and probes are counted in metrics instead.
    logController: new LogController({
      // The OAuth callback's URL carries the authorization code; the route logs its outcome instead.
      disableRequestLogging: (request) =>
        request.url.startsWith('/webhooks/') ||
        request.url === '/healthz' ||
        request.url === '/readyz' ||
        request.url === '/metrics' ||
        request.url.startsWith('/shopify/callback'),
    }),
    bodyLimit: 1024 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
  });
  // Every route, as registered: the access test walks them all, so a new route cannot be forgotten.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.decorate('routeList', routes);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await app.register(cookie, { secret: deps.cookieSecret });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
  });
  await registerOpenApi(app, packageVersion());
  await app.register(probeRoutes, { db: deps.db, metrics: deps.metrics, redis: deps.redis });

  await app.register(webhookRoutes, {
    directory: deps.directory,
    inbox: deps.inbox,
    metrics: deps.metrics,
    bodyLimit: deps.webhookBodyLimit,
  });
  await app.register(shopifyInstallRoutes, {
    connections: deps.connections,
    secureCookies: deps.secureCookies,
  });

  await app.register(
    async (api) => {
      authenticate(api, deps.db, deps.adminToken);
      // After authentication, so that the limit is keyed on who is calling, not on an unverified header.
      await api.register(rateLimit, {
        hook: 'preHandler',
        max: deps.rateLimitPerMinute,
        timeWindow: 60_000,
        keyGenerator: (request) => request.principal?.id ?? `ip:${request.ip}`,
        ...(deps.redis && { redis: deps.redis, nameSpace: 'shopsight:rate:' }),
        errorResponseBuilder: (_request, context) =>
          new HttpError(429, 'rate_limited', `rate limit of ${context.max} requests per minute`, {
            'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
          }),
      });
      // Before the route modules, so that every analytics route of every module is cached.
      registerAnalyticsCache(api, { db: deps.db, cache: deps.analyticsCache });
      await api.register(tenantRoutes, { tenants: deps.tenants, db: deps.db });
      await api.register(analyticsRoutes, { db: deps.db, tenants: deps.tenants });
      await api.register(reportRoutes, { db: deps.db, tenants: deps.tenants });
      await api.register(checkoutsReportRoutes, { db: deps.db, tenants: deps.tenants });
      await api.register(dataRoutes, { db: deps.db, tenants: deps.tenants });
      await api.register(inventoryRoutes, { db: deps.db, tenants: deps.tenants });
      const routeDeps: RouteDependencies = {
        db: deps.db,
        log: deps.log,
        metrics: deps.metrics,
        tenants: deps.tenants,
        directory: deps.directory,
        redis: deps.redis,
        secureCookies: deps.secureCookies,
        analyticsCache: deps.analyticsCache,
      };
      await api.register(authRoutes, routeDeps);
      await api.register(memberRoutes, routeDeps);
      await api.register(apikeyRoutes, routeDeps);
      await api.register(ingestRoutes, routeDeps);
      await api.register(healthRoutes, routeDeps);
      await api.register(privacyRoutes, routeDeps);
      await api.register(connectionRoutes, {
        db: deps.db,
        connections: deps.connections,
        tenants: deps.tenants,
      });
      await api.register(syncRoutes, { db: deps.db, ...deps.sync });
    },
    { prefix: '/api/v1' },
  );
  await app.register(webRoutes, { dir: deps.webDir });
  return app;
}
