/**
 * Users, their sessions and their sign-in events (reviewed SQL). None of these are tenant tables, so they
 * are read as `shopsight_app` without a tenant; a user's memberships span tenants and are read as
 * `shopsight_system`, the one cross-tenant read here.
 */
import type { Database } from '../db/client.ts';
import { recordAuthEvent, type AuthAction } from './audit.ts';
import type { Role } from './access.ts';

/** A user as stored. Times are UTC ISO-8601. */
export type UserRecord = { id: string; email: string; passwordHash: string; createdAt: string };

/** A session as listed (never its token). Times are UTC ISO-8601. */
export type SessionRecord = {
  id: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
};

/** One of a user's tenants, with the user's role in it. */
export type MembershipRecord = { tenantId: string; shopDomain: string; name: string; role: Role };

type UserRow = { id: string; email: string; password_hash: string; created_at: string };
type SessionRow = {
  id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
};

const USER_COLUMNS = 'id::text, email, password_hash, created_at';
const SESSION_COLUMNS = 'id::text, created_at, expires_at, last_seen_at, ip, user_agent';
const LIVE = 'revoked_at IS NULL AND expires_at > now()';

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  email: row.email,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
});

const toSession = (row: SessionRow): SessionRecord => ({
  id: row.id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastSeenAt: row.last_seen_at,
  ip: row.ip,
  userAgent: row.user_agent,
});

export class UserRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** The user with this email (already lower case), if any. */
  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
    return row && toUser(row);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return row && toUser(row);
  }

  /** Inserts a user; undefined when the email is taken. */
  async insert(email: string, passwordHash: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>(
      `INSERT INTO users (email, password_hash) VALUES ($1, $2)
       ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [email, passwordHash],
    );
    return row && toUser(row);
  }

  /** Replaces a password and revokes every live session of the user, in one transaction. */
  async replacePassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [
        userId,
        passwordHash,
      ]);
      await tx.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND ${LIVE}`, [userId]);
    });
  }

  /** Stores a session under the SHA-256 of its token. */
  async insertSession(session: {
    userId: string;
    tokenHash: string;
    csrfToken: string;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  }): Promise<SessionRecord> {
    const [row] = await this.db.query<SessionRow>(
      `INSERT INTO sessions (user_id, token_hash, csrf_token, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SESSION_COLUMNS}`,
      [
        session.userId,
        session.tokenHash,
        session.csrfToken,
        session.expiresAt.toISOString(),
        session.ip,
        session.userAgent,
      ],
    );
    return toSession(row!);
  }

  /** A live (neither revoked nor expired) session of the user. */
  async findLiveSession(userId: string, sessionId: string): Promise<SessionRecord | undefined> {
    const [row] = await this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1 AND user_id = $2 AND ${LIVE}`,
      [sessionId, userId],
    );
    return row && toSession(row);
  }

  /** The user's live sessions, newest first. */
  async listLiveSessions(userId: string): Promise<SessionRecord[]> {
    const rows = await this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND ${LIVE}
       ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return rows.map(toSession);
  }

  /** Revokes a live session of the user; false when the user has no such live session. */
  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND ${LIVE} RETURNING id`,
      [sessionId, userId],
    );
    return rows.length > 0;
  }

  /** The user's tenants and roles, by shop domain. Runs across tenants by design. */
  async memberships(userId: string): Promise<MembershipRecord[]> {
    const rows = await this.db.system.query<{
      tenant_id: string;
      shop_domain: string;
      name: string;
      role: Role;
    }>(
      `SELECT m.tenant_id::text, t.shop_domain, t.name, m.role
       FROM memberships m JOIN tenants t ON t.id = m.tenant_id
       WHERE m.user_id = $1 ORDER BY t.shop_domain`,
      [userId],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      shopDomain: row.shop_domain,
      name: row.name,
      role: row.role,
    }));
  }

  /** Appends a sign-in event (never a password). */
  async recordEvent(event: {
    action: AuthAction;
    userId: string | null;
    email: string | null;
    ip: string | null;
  }): Promise<void> {
    await recordAuthEvent(this.db.system, event);
  }
}
