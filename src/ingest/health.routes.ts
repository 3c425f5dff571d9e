/**
 * Webhook health API for the Operations screen, under `/api/v1/tenants/:tenantId`:
 * - `GET /webhooks/health` (`tenant:read`): events per minute over the last hour by status, skips by
 *   cause, dead letters, pending backlog (shape: `webhookHealthResponse`);
 * - `GET /dead-letters?limit=&cursor=` (`data:read`): dead-lettered deliveries newest first,
 *   `{ rows, nextCursor }`, or CSV with `?format=csv` (every page);
 * - `POST /dead-letters/:eventId/retry` (`sync:run`: owners and admins): puts that event back in the queue,
 *   like `shopsight dead-letters requeue`; 404 `dead_letter_not_found` when it is not a dead letter.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import { notFound } from '../http/errors.ts';
import { formatQuery, pages, sendCsv, wantsCsv } from '../http/csv.ts';
import type { RouteDependencies } from '../http/server.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { deadLetterPage, webhookHealth } from './health.repository.ts';
import { requeueDeadLetters } from './inbox.repository.ts';

const count = z.number().int();

export const webhookHealthResponse = z.object({
  window: z.object({ from: z.string(), minutes: count }),
  perMinute: z.array(
    z.object({ minute: z.string(), pending: count, processed: count, skipped: count, dead: count }),
  ),
  skippedByCause: z.record(z.string(), count),
  deadLetters: count,
  pending: z.object({ count, oldestAgeSeconds: count.nullable() }),
});

const eventId = z.string().regex(/^\d{1,19}$/, 'must be an inbox event id');

export const deadLetterQuery = formatQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: eventId.optional(),
});

export const deadLetterSchema = z.object({
  id: z.string(),
  topic: z.string(),
  error: z.string().nullable(),
  attempts: count,
  receivedAt: z.string(),
});

export const deadLetterPageResponse = z.object({
  rows: z.array(deadLetterSchema),
  nextCursor: z.string().nullable(),
});

export type WebhookHealthResponse = z.infer<typeof webhookHealthResponse>;
export type DeadLetterDto = z.infer<typeof deadLetterSchema>;
export type DeadLetterPageResponse = z.infer<typeof deadLetterPageResponse>;

export async function healthRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const { db } = deps;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/tenants/:tenantId/webhooks/health',
    { schema: { params: tenantParams, response: { 200: webhookHealthResponse } } },
    async (request) => {
      const { tenantId } = request.params;
      await authorize(db, request.principal, [tenantId], 'tenant:read');
      return db.forTenant(tenantId, (tx) => webhookHealth(tx, tenantId));
    },
  );

  api.get(
    '/tenants/:tenantId/dead-letters',
    {
      schema: {
        params: tenantParams,
        querystring: deadLetterQuery,
        response: { 200: deadLetterPageResponse },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.params;
      const { limit, cursor } = request.query;
      await authorize(db, request.principal, [tenantId], 'data:read');
      if (wantsCsv(request)) {
        const rows = pages<DeadLetterDto, string>(async (after) => {
          const page = await db.forTenant(tenantId, (tx) =>
            deadLetterPage(tx, tenantId, { limit: 500, before: after ?? cursor }),
          );
          return { rows: page.rows, next: page.nextCursor ?? undefined };
        });
        return sendCsv(
          reply,
          'dead-letters',
          [
            { header: 'id', value: (row: DeadLetterDto) => row.id },
            { header: 'topic', value: (row) => row.topic },
            { header: 'error', value: (row) => row.error },
            { header: 'attempts', value: (row) => row.attempts },
            { header: 'received_at', value: (row) => row.receivedAt },
          ],
          rows,
        );
      }
      return db.forTenant(tenantId, (tx) => deadLetterPage(tx, tenantId, { limit, before: cursor }));
    },
  );

  api.post(
    '/tenants/:tenantId/dead-letters/:eventId/retry',
    { schema: { params: tenantParams.extend({ eventId }) } },
    async (request, reply) => {
      const { tenantId } = request.params;
      await authorize(db, request.principal, [tenantId], 'sync:run');
      const requeued = await db.forTenant(tenantId, (tx) =>
        requeueDeadLetters(tx, tenantId, request.params.eventId),
      );
      if (requeued === 0) throw notFound('dead_letter_not_found', 'no dead letter with this id');
      request.log.info({ tenantId, eventId: request.params.eventId }, 'dead letter requeued');
      return reply.code(202).send({ requeued });
    },
  );
}
