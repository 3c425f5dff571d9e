/**
 * The audit log of security events. Tenant events (member added/removed, role changed, key created/revoked,
 * privacy requests) go to `audit_events`, readable by the tenant's owners; sign-in events (login, failed
 * login, logout, password reset) go to `auth_events`, per user. Details never hold secrets, nor a
 * customer's personal data (privacy entries name the customer by Shopify id only).
 */
import type { Queryable } from '../db/client.ts';
import type { Principal } from './access.ts';

export type TenantAuditAction =
  | 'member.added'
  | 'member.removed'
  | 'member.role_changed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'tenant.created'
  | 'tenant.updated'
  | 'app.uninstalled'
  | 'privacy.data_request'
  | 'privacy.customer_redacted'
  | 'privacy.shop_redacted';

export type AuthAction =
  'login' | 'login.failed' | 'logout' | 'signup' | 'password.reset' | 'session.revoked';

/**
 * Who acted: a principal, `shopify` for what a verified Shopify webhook triggered (uninstall, privacy
 * requests), or null for no one known.
 */
export type Actor = Principal | 'shopify' | null;

/** How an actor is named in the log. */
export function actorOf(principal: Actor): { actor: string; actorUserId: string | null } {
  if (!principal) return { actor: 'anonymous', actorUserId: null };
  if (principal === 'shopify') return { actor: 'shopify', actorUserId: null };
  if (principal.kind === 'user') return { actor: principal.email, actorUserId: principal.userId };
  if (principal.kind === 'api_key') return { actor: `api_key:${principal.keyId}`, actorUserId: null };
  return { actor: 'operator', actorUserId: null };
}

/** Records a tenant event (inside the caller's tenant transaction when it has one). */
export async function recordTenantEvent(
  tx: Queryable,
  event: {
    tenantId: string;
    action: TenantAuditAction;
    principal: Actor;
    detail?: Record<string, unknown>;
    ip?: string;
  },
): Promise<void> {
  const { actor, actorUserId } = actorOf(event.principal);
  await tx.query(
    `INSERT INTO audit_events (tenant_id, action, actor, actor_user_id, detail, ip) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
    [event.tenantId, event.action, actor, actorUserId, JSON.stringify(event.detail ?? {}), event.ip ?? null],
  );
}

/** Records a sign-in event of a user (or of an email that matched no user, for failed logins). */
export async function recordAuthEvent(
  db: Queryable,
  event: { action: AuthAction; userId?: string | null; email?: string | null; ip?: string | null },
): Promise<void> {
  await db.query('INSERT INTO auth_events (action, user_id, email, ip) VALUES ($1, $2, $3, $4)', [
    event.action,
    event.userId ?? null,
    event.email ?? null,
    event.ip ?? null,
  ]);
}
