/**
 * Who may work on a tenant, and the tenant's audit trail. Owners add members by email (the user must
 * have an account already: there is no mail server for invitations), change their roles and remove them.
 * A tenant never loses its last owner. Each change is recorded in the tenant's audit log in the same
 * transaction.
 */
import type { Principal, Role } from '../auth/access.ts';
import { HttpError, notFound } from '../http/errors.ts';
import type {
  AuditEventRecord,
  AuditPosition,
  AuditSource,
  MemberRecord,
  MemberRepository,
  MemberTransaction,
} from './member.repository.ts';

/** Who made a change, and from which IP (null from the command line). */
export type Actor = { principal: Principal; ip: string | null };

/** An audit event as the API shows it; `id` is unique across sources (`tenant:12`, `auth:7`). */
export type AuditEvent = Omit<AuditEventRecord, 'at' | 'id'> & { id: string };

/** One page of the audit trail; `nextBefore` is the cursor of the following page, null on the last. */
export type AuditPage = { events: AuditEvent[]; nextBefore: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(tenant|auth)\|(\d{1,19})$/;

const memberNotFound = () => notFound('member_not_found', 'this user is not a member of the tenant');

/** The opaque cursor of a position (base64url of `time|source|id`). */
export function encodeAuditCursor(position: AuditPosition): string {
  return Buffer.from(`${position.at}|${position.source}|${position.id}`).toString('base64url');
}

/** @throws HttpError 400 `invalid_cursor` for anything `encodeAuditCursor` did not make. */
export function decodeAuditCursor(cursor: string): AuditPosition {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new HttpError(400, 'invalid_cursor', 'before is not a cursor from a previous page');
  return { at: match[1]!, source: match[2] as AuditSource, id: match[3]! };
}

export class MemberService {
  private readonly members: MemberRepository;

  constructor(members: MemberRepository) {
    this.members = members;
  }

  /** The tenant's members, by email. The caller has been authorized for the tenant. */
  list(tenantId: string): Promise<MemberRecord[]> {
    return this.members.list(tenantId);
  }

  /**
   * Gives the user with `email` a role in the tenant.
   *
   * @throws HttpError 404 `user_not_found` (no account with that email), 409 `already_member`.
   */
  async add(tenantId: string, input: { email: string; role: Role }, actor: Actor): Promise<MemberRecord> {
    const email = input.email.trim().toLowerCase();
    return this.members.write(tenantId, async (tx) => {
      const user = await tx.userByEmail(email);
      if (!user) throw notFound('user_not_found', `no user has the email ${email}`);
      const member = await tx.insert(user, input.role);
      if (!member) throw new HttpError(409, 'already_member', `${email} is already a member`);
      await tx.record(
        'member.added',
        actor.principal,
        { userId: user.id, email, role: input.role },
        actor.ip,
      );
      return member;
    });
  }

  /**
   * Changes a member's role; the same role changes nothing and records nothing.
   *
   * @throws HttpError 404 `member_not_found`, 409 `last_owner` when it would leave the tenant without one.
   */
  async changeRole(tenantId: string, userId: string, role: Role, actor: Actor): Promise<MemberRecord> {
    if (!UUID.test(userId)) throw memberNotFound();
    return this.members.write(tenantId, async (tx) => {
      const member = await this.lockedMember(tx, userId, role !== 'owner');
      if (member.role === role) return member;
      await tx.setRole(member.userId, role);
      await tx.record(
        'member.role_changed',
        actor.principal,
        { userId: member.userId, email: member.email, from: member.role, to: role },
        actor.ip,
      );
      return { ...member, role };
    });
  }

  /**
   * Removes a member (owners may remove themselves while another owner remains).
   *
   * @throws HttpError 404 `member_not_found`, 409 `last_owner`.
   */
  async remove(tenantId: string, userId: string, actor: Actor): Promise<void> {
    if (!UUID.test(userId)) throw memberNotFound();
    await this.members.write(tenantId, async (tx) => {
      const member = await this.lockedMember(tx, userId, true);
      await tx.remove(member.userId);
      await tx.record(
        'member.removed',
        actor.principal,
        { userId: member.userId, email: member.email, role: member.role },
        actor.ip,
      );
    });
  }

  /**
   * A page of the tenant's audit trail, newest first: its own events (members, keys, settings) and the
   * sign-in events of its current members. `limit` is 1..200; `before` a cursor from a previous page.
   *
   * @throws HttpError 400 `invalid_cursor`.
   */
  async auditTrail(
    tenantId: string,
    page: { limit: number; before?: string | undefined },
  ): Promise<AuditPage> {
    const before = page.before === undefined ? undefined : decodeAuditCursor(page.before);
    // One row more than asked tells whether another page follows.
    const rows = await this.members.auditEvents(tenantId, { limit: page.limit + 1, before });
    const events = rows.slice(0, page.limit);
    const last = events.at(-1);
    return {
      events: events.map(({ at: _at, ...event }) => ({ ...event, id: `${event.source}:${event.id}` })),
      nextBefore: rows.length > page.limit && last ? encodeAuditCursor(last) : null,
    };
  }

  /**
   * The member `userId`, with every member of the tenant locked. When `losesOwner`, the change would take
   * the owner role from them, refused if they are the last owner.
   */
  private async lockedMember(
    tx: MemberTransaction,
    userId: string,
    losesOwner: boolean,
  ): Promise<MemberRecord> {
    const members = await tx.lockMembers();
    const member = members.find((candidate) => candidate.userId === userId.toLowerCase());
    if (!member) throw memberNotFound();
    const owners = members.filter((candidate) => candidate.role === 'owner').length;
    if (losesOwner && member.role === 'owner' && owners === 1) {
      throw new HttpError(409, 'last_owner', 'a tenant must keep at least one owner');
    }
    return member;
  }
}
