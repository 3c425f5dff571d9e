/**
 * Privacy requests API, owners only (`audit:read`): `GET /api/v1/tenants/:tenantId/privacy-requests?limit=`
 * (newest first, without exports) and `GET /api/v1/tenants/:tenantId/privacy-requests/:id` (with the export
 * of a customers/data_request, for the owner to hand to the store's customer).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { RouteDependencies } from '../http/server.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { PrivacyService } from './privacy.service.ts';

export const privacyRequestSchema = z.object({
  id: z.string(),
  topic: z.string(),
  customerId: z.string().nullable(),
  shopifyRequestId: z.string().nullable(),
  status: z.enum(['completed', 'failed']),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  /**
   * The export of a data request: `{ customers: [row], orders: [row & { line_items, refunds }],
   * generated_at }` with rows as stored (`raw` included); `{ "redacted": true }` once the customer was
   * redacted; null for erasure requests.
   */
  export: z.unknown().optional(),
});

export const privacyListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const privacyRequestParams = tenantParams.extend({ id: z.string().max(20) });

export type PrivacyRequestDto = z.infer<typeof privacyRequestSchema>;

export async function privacyRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const { db } = deps;
  const privacy = new PrivacyService(db);
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/tenants/:tenantId/privacy-requests',
    {
      schema: {
        params: tenantParams,
        querystring: privacyListQuery,
        response: { 200: z.object({ requests: z.array(privacyRequestSchema) }) },
      },
    },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'audit:read');
      return { requests: await privacy.list(request.params.tenantId, request.query.limit) };
    },
  );

  api.get(
    '/tenants/:tenantId/privacy-requests/:id',
    { schema: { params: privacyRequestParams, response: { 200: privacyRequestSchema } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'audit:read');
      return privacy.get(request.params.tenantId, request.params.id);
    },
  );
}
