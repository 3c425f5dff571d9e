/**
 * Sync control, under `/api/v1`:
 * - `POST /tenants/:tenantId/sync` `{ mode: "backfill" | "incremental", resources?: [...] }` (permission
 *   `sync:run`: owner and admin) -> 202 with every resource's state, the asked ones queued; 409
 *   `not_connected` when the store has no Admin API connection.
 * - `GET /tenants/:tenantId/sync` (`tenant:read`) -> per resource: state, rows done, total when known,
 *   rate (rows/s), ETA (s), cursor, last error, last run's counts; and the queue's jobs (queued, running,
 *   retrying, failed with their error).
 * The body is validated after the permission check, so that a caller without it learns nothing more.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { HttpError } from '../http/errors.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { SYNCED_RESOURCES } from './graphql-shapes.ts';
import type { SyncJobView, SyncQueue } from './jobs.ts';
import type { ResourceStatus, SyncService } from './sync.service.ts';

export const syncRequest = z.strictObject({
  mode: z.enum(['backfill', 'incremental']),
  resources: z.array(z.enum(SYNCED_RESOURCES)).min(1).max(SYNCED_RESOURCES.length).optional(),
});

/** `GET /tenants/:tenantId/sync`: every synced resource's status, and the tenant's jobs in the queue. */
export type SyncStatusResponse = { resources: ResourceStatus[]; jobs: SyncJobView[] };
/** `POST /tenants/:tenantId/sync` (202): every resource's status, the asked ones queued. */
export type SyncStartResponse = { resources: ResourceStatus[] };
/** The body of `POST /tenants/:tenantId/sync`. */
export type SyncRequest = z.infer<typeof syncRequest>;

export type SyncRouteOptions = { db: Database; sync: SyncService; queue: SyncQueue | null };

export async function syncRoutes(app: FastifyInstance, options: SyncRouteOptions) {
  const { db, sync, queue } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/tenants/:tenantId/sync',
    { schema: { params: tenantParams, body: z.unknown() } },
    async (request, reply) => {
      const { tenantId } = request.params;
      await authorize(db, request.principal, [tenantId], 'sync:run');
      const parsed = syncRequest.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new HttpError(400, 'invalid_request', z.prettifyError(parsed.error).replaceAll('\n', ' '));
      }
      const resources = [...new Set(parsed.data.resources ?? SYNCED_RESOURCES)];
      const states = await sync.request(tenantId, parsed.data.mode, resources);
      return reply.code(202).send({ resources: states } satisfies SyncStartResponse);
    },
  );

  api.get('/tenants/:tenantId/sync', { schema: { params: tenantParams } }, async (request) => {
    const { tenantId } = request.params;
    await authorize(db, request.principal, [tenantId], 'tenant:read');
    return {
      resources: await sync.status(tenantId),
      jobs: queue ? await queue.jobs(tenantId) : [],
    } satisfies SyncStatusResponse;
  });
}
