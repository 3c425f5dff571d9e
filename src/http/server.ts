/**
 * HTTP server assembly: Fastify with the zod type provider, the error shape, request ids, and the route
 * groups (webhook intake, `/api/v1` behind the admin token, health and metrics).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { analyticsRoutes } from '../analytics/analytics.routes.ts';
import { requireAdminToken } from '../auth/admin-token.ts';
import type { Database } from '../db/client.ts';
import type { InboxWriter } from '../ingest/inbox.repository.ts';
import { webhookRoutes } from '../ingest/webhook.routes.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import { tenantRoutes } from '../tenants/tenant.routes.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { registerErrorHandling } from './errors.ts';

export type ServerDependencies = {
  db: Database;
  log: Logger;
  metrics: Metrics;
  tenants: TenantService;
  directory: TenantDirectory;
  inbox: InboxWriter;
  adminToken: string;
  webhookBodyLimit: number;
};

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
      disableRequestLogging: (request) => request.url.startsWith('/webhooks/') || request.url === '/healthz',
    }),
    bodyLimit: 1024 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );

  await app.register(webhookRoutes, {
    directory: deps.directory,
    inbox: deps.inbox,
    metrics: deps.metrics,
    bodyLimit: deps.webhookBodyLimit,
  });

  await app.register(
    async (api) => {
      requireAdminToken(api, deps.adminToken);
      await api.register(tenantRoutes, { tenants: deps.tenants });
      await api.register(analyticsRoutes, { db: deps.db, tenants: deps.tenants });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
