/**
 * Memberships of one tenant and the tenant's audit trail (reviewed SQL). Everything runs inside
 * `forTenant`, so row-level security confines it to that tenant; `users` and `auth_events` are not tenant
 * tables and are reached through the tenant's memberships only.
 */
import type { Principal, Role } from '../auth/access.ts';
import { recordTenantEvent, type TenantAuditAction } from '../auth/audit.ts';
import type { Database, Queryable } from '../db/client.ts';

/** A member of a tenant. `createdAt` (when they joined) is UTC ISO-8601. */
export type MemberRecord = { userId: string; email: string; role: Role; createdAt: string };

/** Where an audit event comes from: the tenant's own log, or a member's sign-in events. */
export type AuditSource = 'tenant' | 'auth';

/** A position in the merged, newest-first audit trail: the event's time to the microsecond, then its id. */
export type AuditPosition = { at: string; source: AuditSource; id: string };

/** An audit event; `at` is its position time (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), `createdAt` UTC ISO-8601. */
export type AuditEventRecord = {
  source: AuditSource;
  id: string;
  action: string;
  actor: string;
  actorUserId: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
  createdAt: string;
  at: string;
};

type MemberRow = { user_id: string; email: string; role: Role; created_at: string };

const toMember = (row: MemberRow): MemberRecord => ({
  userId: row.user_id,
  email: row.email,
  role: row.role,
  createdAt: row.created_at,
});

const MEMBER_COLUMNS = 'm.user_id::text, u.email, m.role, m.created_at';

/** The writes of one transaction on one tenant's memberships, with their audit events. */
export class MemberTransaction {
  private readonly tx: Queryable;
  private readonly tenantId: string;

  constructor(tx: Queryable, tenantId: string) {
    this.tx = tx;
    this.tenantId = tenantId;
  }

  /**
   * Every member, locked until the transaction ends: concurrent changes to the same tenant wait, so two
   * owners demoting each other cannot both pass the last-owner check.
   */
  async lockMembers(): Promise<MemberRecord[]> {
    const rows = await this.tx.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.tenant_id = $1 ORDER BY m.user_id FOR UPDATE OF m`,
      [this.tenantId],
    );
    return rows.map(toMember);
  }

  /** The user with this email (lower case), member or not. */
  async userByEmail(email: string): Promise<{ id: string; email: string } | undefined> {
    const [row] = await this.tx.query<{ id: string; email: string }>(
      'SELECT id::text, email FROM users WHERE email = $1',
      [email],
    );
    return row;
  }

  /** Adds a member; undefined when the user already is one. */
  async insert(user: { id: string; email: string }, role: Role): Promise<MemberRecord | undefined> {
    const [row] = await this.tx.query<{ created_at: string }>(
      `INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, user_id) DO NOTHING RETURNING created_at`,
      [this.tenantId, user.id, role],
    );
    return row && { userId: user.id, email: user.email, role, createdAt: row.created_at };
  }

  async setRole(userId: string, role: Role): Promise<void> {
    await this.tx.query('UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2', [
      this.tenantId,
      userId,
      role,
    ]);
  }

  async remove(userId: string): Promise<void> {
    await this.tx.query('DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2', [
      this.tenantId,
      userId,
    ]);
  }

  /** Records an event in the tenant's audit log, committed with the change it describes. */
  async record(
    action: TenantAuditAction,
    principal: Principal | null,
    detail: Record<string, unknown>,
    ip: string | null,
  ): Promise<void> {
    await recordTenantEvent(this.tx, {
      tenantId: this.tenantId,
      action,
      principal,
      detail,
      ...(ip !== null && { ip }),
    });
  }
}

export class MemberRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** The tenant's members, by email. */
  async list(tenantId: string): Promise<MemberRecord[]> {
    const rows = await this.db.forTenant(tenantId, (tx) =>
      tx.query<MemberRow>(
        `SELECT ${MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 ORDER BY u.email`,
        [tenantId],
      ),
    );
    return rows.map(toMember);
  }

  /** Runs `fn` in one transaction on the tenant's memberships; rolled back when it throws. */
  write<T>(tenantId: string, fn: (members: MemberTransaction) => Promise<T>): Promise<T> {
    return this.db.forTenant(tenantId, (tx) => fn(new MemberTransaction(tx, tenantId)));
  }

  /**
   * Up to `limit` events older than `before` (all when absent), newest first: the tenant's audit log
   * merged with the sign-in events of its current members. Ties on time are broken by source, then id.
   */
  async auditEvents(
    tenantId: string,
    page: { limit: number; before: AuditPosition | undefined },
  ): Promise<AuditEventRecord[]> {
    const rows = await this.db.forTenant(tenantId, (tx) =>
      tx.query<{
        source: AuditSource;
        id: string;
        action: string;
        actor: string;
        actor_user_id: string | null;
        detail: Record<string, unknown>;
        ip: string | null;
        created_at: string;
        at: string;
      }>(
        `SELECT source, id::text, action, actor, actor_user_id, detail, ip, created_at,
                to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
         FROM (
           SELECT 'tenant' AS source, a.id, a.action, a.actor, a.actor_user_id::text, a.detail, a.ip, a.created_at
           FROM audit_events a WHERE a.tenant_id = $1
           UNION ALL
           SELECT 'auth', e.id, e.action, coalesce(e.email, u.email), e.user_id::text, '{}'::jsonb, e.ip, e.created_at
           FROM auth_events e
           JOIN memberships m ON m.tenant_id = $1 AND m.user_id = e.user_id
           JOIN users u ON u.id = e.user_id
         ) events
         WHERE $2::timestamptz IS NULL OR (created_at, source, id) < ($2::timestamptz, $3::text, $4::bigint)
         ORDER BY created_at DESC, source DESC, id DESC
         LIMIT $5`,
        [tenantId, page.before?.at ?? null, page.before?.source ?? null, page.before?.id ?? null, page.limit],
      ),
    );
    return rows.map((row) => ({
      source: row.source,
      id: row.id,
      action: row.action,
      actor: row.actor,
      actorUserId: row.actor_user_id,
      detail: row.detail,
      ip: row.ip,
      createdAt: row.created_at,
      at: row.at,
    }));
  }
}
