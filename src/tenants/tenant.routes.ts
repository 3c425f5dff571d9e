/**
 * Tenant API: `POST/GET /api/v1/tenants`, `GET/PATCH/DELETE /api/v1/tenants/:tenantId`.
 * Request and response shapes are the zod schemas below (shared with clients through `z.infer`).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SHOP_DOMAIN_PATTERN } from '../shopify/topics.ts';
import { authorize, requirePrincipal } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { HttpError } from '../http/errors.ts';
import type { TenantService } from './tenant.service.ts';

/** True for an IANA time zone name both ICU and PostgreSQL know (e.g. `America/New_York`, `UTC`). */
export function isIanaTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const shopDomain = z
  .string()
  .max(255)
  .regex(SHOP_DOMAIN_PATTERN, 'must be a shop domain like example.myshopify.com');
const timezone = z
  .string()
  .max(64)
  .refine(isIanaTimeZone, 'must be an IANA time zone such as America/New_York');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');
const name = z.string().trim().min(1).max(255);
const webhookSecret = z.string().min(1).max(512);
/** Minutes after a checkout's last activity before it counts as abandoned: 1 minute to 30 days. */
const abandonmentThresholdMinutes = z.number().int().min(1).max(43_200);
/** Units on hand at or under which a variant is low stock. */
const lowStockThreshold = z.number().int().min(0).max(1_000_000);
/** Minutes between scheduled reconciliations: 0 turns them off, else 15 minutes to 7 days. */
const reconcileIntervalMinutes = z
  .number()
  .int()
  .min(0)
  .max(10_080)
  .refine((minutes) => minutes === 0 || minutes >= 15, 'must be 0 (off) or between 15 and 10080');

export const tenantSchema = z.object({
  id: z.string(),
  shopDomain: z.string(),
  name: z.string(),
  timezone: z.string(),
  currency: z.string(),
  hasWebhookSecret: z.boolean(),
  abandonmentThresholdMinutes: z.number(),
  lowStockThreshold: z.number(),
  reconcileIntervalMinutes: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createTenantBody = z.strictObject({
  shopDomain,
  name: name.optional(),
  timezone: timezone.optional(),
  currency: currency.optional(),
  webhookSecret: webhookSecret.optional(),
});

export const updateTenantBody = z.strictObject({
  name: name.optional(),
  timezone: timezone.optional(),
  currency: currency.optional(),
  webhookSecret: webhookSecret.nullable().optional(),
  abandonmentThresholdMinutes: abandonmentThresholdMinutes.optional(),
  lowStockThreshold: lowStockThreshold.optional(),
  reconcileIntervalMinutes: reconcileIntervalMinutes.optional(),
});

export const tenantParams = z.object({ tenantId: z.string().max(64) });

export type TenantDto = z.infer<typeof tenantSchema>;

export async function tenantRoutes(app: FastifyInstance, options: { tenants: TenantService; db: Database }) {
  const { tenants, db } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  // Any signed-in user may connect a store and becomes its owner; the operator may too. API keys may not.
  api.post(
    '/tenants',
    { schema: { body: createTenantBody, response: { 201: tenantSchema } } },
    async (request, reply) => {
      const caller = requirePrincipal(request.principal);
      if (caller.kind === 'api_key') throw new HttpError(403, 'forbidden', 'API keys cannot create tenants');
      const owner = caller.kind === 'user' ? caller.userId : undefined;
      return reply.code(201).send(await tenants.create(request.body, owner));
    },
  );

  api.get(
    '/tenants',
    { schema: { response: { 200: z.object({ tenants: z.array(tenantSchema) }) } } },
    async (request) => ({
      tenants: await tenants.listFor(requirePrincipal(request.principal)),
    }),
  );

  api.get(
    '/tenants/:tenantId',
    { schema: { params: tenantParams, response: { 200: tenantSchema } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'tenant:read');
      return tenants.get(request.params.tenantId);
    },
  );

  api.patch(
    '/tenants/:tenantId',
    { schema: { params: tenantParams, body: updateTenantBody, response: { 200: tenantSchema } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'settings:write');
      return tenants.update(request.params.tenantId, request.body);
    },
  );

  api.delete('/tenants/:tenantId', { schema: { params: tenantParams } }, async (request, reply) => {
    await authorize(db, request.principal, [request.params.tenantId], 'tenant:delete');
    await tenants.delete(request.params.tenantId);
    return reply.code(204).send();
  });
}
