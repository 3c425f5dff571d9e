/**
 * API key routes under `/api/v1/tenants/:tenantId/api-keys`: `POST` (create; the key is in this answer and
 * nowhere else, ever), `GET` (list, never the key), `DELETE /:keyId` (revoke). All need `keys:manage`
 * (tenant owners and admins, the operator); an API key can never manage keys. Request and response shapes
 * are the zod schemas below.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_SCOPES } from '../db/schema.ts';
import type { RouteDependencies } from '../http/server.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { authorize, requirePrincipal } from './access.ts';
import { ApiKeyService } from './api-key.service.ts';

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'scopes must not repeat'),
});

export const createdApiKeyResponse = z.object({
  apiKey: apiKeySchema,
  /** The full key, `sk_<tenant hex>_<secret>`: shown in this answer only. */
  key: z.string(),
});

export const apiKeyListResponse = z.object({ apiKeys: z.array(apiKeySchema) });

const keyParams = tenantParams.extend({ keyId: z.string().max(64) });

export type ApiKeyDto = z.infer<typeof apiKeySchema>;
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;
export type CreatedApiKeyResponse = z.infer<typeof createdApiKeyResponse>;

export async function apikeyRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const { db } = deps;
  const keys = new ApiKeyService(db);
  const api = app.withTypeProvider<ZodTypeProvider>();
  const base = '/tenants/:tenantId/api-keys';

  api.post(
    base,
    { schema: { params: tenantParams, body: createApiKeyBody, response: { 201: createdApiKeyResponse } } },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'keys:manage');
      const created = await keys.create(
        request.params.tenantId,
        request.body,
        requirePrincipal(request.principal),
        request.ip,
      );
      // The answer holds a secret: no cache along the way may keep it.
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  api.get(
    base,
    { schema: { params: tenantParams, response: { 200: apiKeyListResponse } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'keys:manage');
      return { apiKeys: await keys.list(request.params.tenantId) };
    },
  );

  api.delete(`${base}/:keyId`, { schema: { params: keyParams } }, async (request, reply) => {
    await authorize(db, request.principal, [request.params.tenantId], 'keys:manage');
    await keys.revoke(
      request.params.tenantId,
      request.params.keyId,
      requirePrincipal(request.principal),
      request.ip,
    );
    return reply.code(204).send();
  });
}
