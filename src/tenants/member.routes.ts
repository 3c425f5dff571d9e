/**
 * Members and audit API, owners only (`members:manage`, `audit:read`):
 * `GET/POST /api/v1/tenants/:tenantId/members`, `PATCH/DELETE /api/v1/tenants/:tenantId/members/:userId`,
 * `GET /api/v1/tenants/:tenantId/audit-events?limit=&before=`.
 *
 * The member list is owners only too: it holds the members' email addresses, and admins and analysts
 * have no use for it (least privilege). The operator token may do all of it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, requirePrincipal } from '../auth/access.ts';
import { emailAddress } from '../auth/auth.service.ts';
import { ROLES } from '../db/schema.ts';
import type { RouteDependencies } from '../http/server.ts';
import { MemberRepository } from './member.repository.ts';
import { MemberService } from './member.service.ts';
import { tenantParams } from './tenant.routes.ts';

export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
});

export const addMemberBody = z.strictObject({ email: emailAddress, role: z.enum(ROLES) });
export const changeRoleBody = z.strictObject({ role: z.enum(ROLES) });
export const memberParams = tenantParams.extend({ userId: z.string().max(64) });

export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(200).optional(),
});

export const auditPageSchema = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      source: z.enum(['tenant', 'auth']),
      action: z.string(),
      actor: z.string(),
      actorUserId: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
      ip: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  nextBefore: z.string().nullable(),
});

export type MemberDto = z.infer<typeof memberSchema>;
export type AuditPageDto = z.infer<typeof auditPageSchema>;

export async function memberRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const { db } = deps;
  const members = new MemberService(new MemberRepository(db));
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/tenants/:tenantId/members',
    { schema: { params: tenantParams, response: { 200: z.object({ members: z.array(memberSchema) }) } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'members:manage');
      return { members: await members.list(request.params.tenantId) };
    },
  );

  api.post(
    '/tenants/:tenantId/members',
    { schema: { params: tenantParams, body: addMemberBody, response: { 201: memberSchema } } },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'members:manage');
      const actor = { principal: requirePrincipal(request.principal), ip: request.ip };
      return reply.code(201).send(await members.add(request.params.tenantId, request.body, actor));
    },
  );

  api.patch(
    '/tenants/:tenantId/members/:userId',
    { schema: { params: memberParams, body: changeRoleBody, response: { 200: memberSchema } } },
    async (request) => {
      const { tenantId, userId } = request.params;
      await authorize(db, request.principal, [tenantId], 'members:manage');
      const actor = { principal: requirePrincipal(request.principal), ip: request.ip };
      return members.changeRole(tenantId, userId, request.body.role, actor);
    },
  );

  api.delete(
    '/tenants/:tenantId/members/:userId',
    { schema: { params: memberParams } },
    async (request, reply) => {
      const { tenantId, userId } = request.params;
      await authorize(db, request.principal, [tenantId], 'members:manage');
      await members.remove(tenantId, userId, {
        principal: requirePrincipal(request.principal),
        ip: request.ip,
      });
      return reply.code(204).send();
    },
  );

  api.get(
    '/tenants/:tenantId/audit-events',
    { schema: { params: tenantParams, querystring: auditQuery, response: { 200: auditPageSchema } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'audit:read');
      return members.auditTrail(request.params.tenantId, request.query);
    },
  );
}
