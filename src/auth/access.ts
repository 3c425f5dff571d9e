/**
 * Who is calling (the principal) and what they may do: the one place that decides access.
 *
 * Principals: the operator (`SHOPSIGHT_ADMIN_TOKEN`, every tenant), a user (session cookie or bearer session
 * token; a role per tenant through memberships), or an API key (one tenant, scoped). `authorize` denies by
 * default: no principal is 401, a tenant the principal cannot see is 404 (the same answer as a tenant that
 * does not exist, so ids cannot be probed), a visible tenant without the permission is 403.
 */
import type { Database } from '../db/client.ts';
import type { API_KEY_SCOPES, ROLES } from '../db/schema.ts';
import { HttpError, notFound } from '../http/errors.ts';

export type Role = (typeof ROLES)[number];
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export type Principal =
  | { kind: 'admin'; id: 'admin' }
  | { kind: 'user'; id: string; userId: string; email: string; sessionId: string; via: 'cookie' | 'bearer' }
  | { kind: 'api_key'; id: string; tenantId: string; keyId: string; scopes: ApiKeyScope[] };

/** What a route needs on a tenant. */
export type Permission =
  | 'tenant:read'
  | 'analytics:read'
  | 'data:read'
  | 'settings:write'
  | 'keys:manage'
  | 'sync:run'
  | 'ingest:write'
  | 'members:manage'
  | 'audit:read'
  | 'tenant:delete';

const ANALYST: Permission[] = ['tenant:read', 'analytics:read', 'data:read'];
const ADMIN: Permission[] = [...ANALYST, 'settings:write', 'keys:manage', 'sync:run', 'ingest:write'];
const OWNER: Permission[] = [...ADMIN, 'members:manage', 'audit:read', 'tenant:delete'];

/** Permissions of each role (issue: owner = everything, admin = settings/keys/sync, analyst = read-only). */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(OWNER),
  admin: new Set(ADMIN),
  analyst: new Set(ANALYST),
};

/** Permissions of each API key scope. */
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, ReadonlySet<Permission>> = {
  'analytics:read': new Set(ANALYST),
  'ingest:write': new Set(['ingest:write']),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Answers 401 unless there is a principal. */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw new HttpError(401, 'unauthorized', 'credentials are required');
  return principal;
}

/** The user's role in each of the given tenants (absent: no membership). Runs across tenants by design. */
export async function rolesOf(db: Database, userId: string, tenantIds: string[]): Promise<Map<string, Role>> {
  const rows = await db.system.query<{ tenant_id: string; role: Role }>(
    'SELECT tenant_id::text, role FROM memberships WHERE user_id = $1 AND tenant_id = ANY($2::uuid[])',
    [userId, tenantIds],
  );
  return new Map(rows.map((row) => [row.tenant_id, row.role]));
}

/**
 * Checks that `principal` may act with `permission` on every tenant in `tenantIds` (deny by default); with
 * `permission` null, only that it can see them (is a member, or the key's tenant).
 *
 * @throws HttpError 401 `unauthorized`, 404 `tenant_not_found` (unknown or not visible), 403 `forbidden`.
 */
export async function authorize(
  db: Database,
  principal: Principal | null,
  tenantIds: string[],
  permission: Permission | null,
): Promise<void> {
  const caller = requirePrincipal(principal);
  if (tenantIds.some((id) => !UUID.test(id))) throw notFound('tenant_not_found', 'tenant not found');
  const unique = [...new Set(tenantIds.map((id) => id.toLowerCase()))];
  const existing = await db.system.query<{ id: string }>(
    'SELECT id::text FROM tenants WHERE id = ANY($1::uuid[])',
    [unique],
  );
  if (existing.length !== unique.length) throw notFound('tenant_not_found', 'tenant not found');
  if (caller.kind === 'admin') return;
  if (caller.kind === 'api_key') {
    if (unique.some((id) => id !== caller.tenantId)) throw notFound('tenant_not_found', 'tenant not found');
    if (permission && !caller.scopes.some((scope) => SCOPE_PERMISSIONS[scope]?.has(permission))) {
      throw new HttpError(403, 'forbidden', `this API key lacks the permission ${permission}`);
    }
    return;
  }
  const roles = await rolesOf(db, caller.userId, unique);
  for (const id of unique) {
    const role = roles.get(id);
    if (!role) throw notFound('tenant_not_found', 'tenant not found');
    if (permission && !ROLE_PERMISSIONS[role].has(permission)) {
      throw new HttpError(403, 'forbidden', `the ${role} role lacks the permission ${permission}`);
    }
  }
}
