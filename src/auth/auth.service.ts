/**
 * Accounts and sessions: sign-up, login (throttled, with one answer for unknown emails and wrong
 * passwords), logout, the caller's identity and live sessions, and the operator's user commands (create a
 * user, reset a password). Every step that matters to security leaves a sign-in event in `auth_events`.
 *
 * A session is a random token handed to the client once; the database keeps only its SHA-256, the CSRF
 * token bound to it, and its expiry (`SESSION_TTL_MS` after login; sessions are not extended).
 */
import { z } from 'zod';
import { HttpError, notFound } from '../http/errors.ts';
import type { Principal } from './access.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { enforcePasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newCsrfToken, newSessionToken } from './tokens.ts';
import type { MembershipRecord, SessionRecord, UserRecord, UserRepository } from './user.repository.ts';

/** How long a session lives after login: 14 days, in ms. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

/** An email address as accepted at sign-up (RFC 5321 caps an address at 254 characters). */
export const emailAddress = z.email().max(254);

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** A user as the API shows it. `createdAt` is UTC ISO-8601. */
export type PublicUser = { id: string; email: string; createdAt: string };

/** Where a request comes from, kept with the session and in sign-in events. */
export type ClientInfo = { ip: string; userAgent: string | null };

/**
 * A new session. `token` is the bearer token and the cookie value (shown once, stored hashed);
 * `csrfToken` must accompany cookie requests that change state; `expiresAt` is UTC ISO-8601.
 */
export type SignedIn = { user: PublicUser; token: string; csrfToken: string; expiresAt: string };

/** The caller's identity: the user, their tenants and roles, and the session in use. */
export type Me = {
  user: PublicUser;
  memberships: MembershipRecord[];
  session: { id: string; expiresAt: string; via: UserPrincipal['via'] };
};

/** A live session as listed to its user; `current` marks the one the request came with. */
export type SessionView = SessionRecord & { current: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const normalizeEmail = (email: string) => email.trim().toLowerCase();

const present = (user: UserRecord): PublicUser => ({
  id: user.id,
  email: user.email,
  createdAt: user.createdAt,
});

const invalidCredentials = () =>
  new HttpError(401, 'invalid_credentials', 'the email or the password is not correct');

export class AuthService {
  private readonly users: UserRepository;
  private readonly throttle: LoginThrottle;

  constructor(users: UserRepository, throttle: LoginThrottle) {
    this.users = users;
    this.throttle = throttle;
  }

  /**
   * Creates a user (open sign-up: they see no tenant until they create one or are added) and signs
   * them in.
   *
   * @throws HttpError 400 `weak_password`, 409 `email_taken`.
   */
  async signUp(credentials: { email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
    const user = await this.createUser(credentials.email, credentials.password, client.ip);
    return this.startSession(user, client);
  }

  /**
   * Signs a user in. An unknown email and a wrong password get the same answer after the same work
   * (an argon2id verification either way).
   *
   * @throws HttpError 429 `too_many_attempts` with `Retry-After` (seconds) once the account or the IP
   *   has spent its failures, 401 `invalid_credentials`.
   */
  async logIn(credentials: { email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
    const email = normalizeEmail(credentials.email);
    const blocked = await this.throttle.attempt(email, client.ip);
    if (blocked) {
      throw new HttpError(429, 'too_many_attempts', 'too many failed logins; try again later', {
        'retry-after': String(blocked.retryAfterSeconds),
      });
    }
    const user = await this.users.findByEmail(email);
    if (!(await verifyPassword(user?.passwordHash, credentials.password)) || !user) {
      await this.users.recordEvent({
        action: 'login.failed',
        userId: user?.id ?? null,
        email,
        ip: client.ip,
      });
      throw invalidCredentials();
    }
    await this.throttle.succeeded(email, client.ip);
    await this.users.recordEvent({ action: 'login', userId: user.id, email, ip: client.ip });
    return this.startSession(user, client);
  }

  /** Revokes the session the caller came with. */
  async logOut(caller: UserPrincipal, ip: string): Promise<void> {
    await this.users.revokeSession(caller.userId, caller.sessionId);
    await this.users.recordEvent({ action: 'logout', userId: caller.userId, email: caller.email, ip });
  }

  /**
   * The caller's identity, tenants and session.
   *
   * @throws HttpError 401 `unauthorized` when the user or the session went away during the request.
   */
  async me(caller: UserPrincipal): Promise<Me> {
    const user = await this.users.findById(caller.userId);
    const session = await this.users.findLiveSession(caller.userId, caller.sessionId);
    if (!user || !session) throw new HttpError(401, 'unauthorized', 'the session has ended');
    return {
      user: present(user),
      memberships: await this.users.memberships(user.id),
      session: { id: session.id, expiresAt: session.expiresAt, via: caller.via },
    };
  }

  /** The caller's live sessions, newest first. */
  async sessions(caller: UserPrincipal): Promise<SessionView[]> {
    const sessions = await this.users.listLiveSessions(caller.userId);
    return sessions.map((session) => ({ ...session, current: session.id === caller.sessionId }));
  }

  /**
   * Revokes one of the caller's live sessions (the current one included).
   *
   * @throws HttpError 404 `session_not_found` for an id that is not a live session of the caller.
   */
  async revokeSession(caller: UserPrincipal, sessionId: string, ip: string): Promise<void> {
    if (!UUID.test(sessionId) || !(await this.users.revokeSession(caller.userId, sessionId))) {
      throw notFound('session_not_found', 'session not found');
    }
    await this.users.recordEvent({
      action: 'session.revoked',
      userId: caller.userId,
      email: caller.email,
      ip,
    });
  }

  /**
   * Creates a user without signing in (sign-up and the `user create` command). `ip` is null from the
   * command line.
   *
   * @throws HttpError 400 `weak_password`, 409 `email_taken`.
   */
  async createUser(rawEmail: string, password: string, ip: string | null): Promise<PublicUser> {
    const email = normalizeEmail(rawEmail);
    enforcePasswordPolicy(password, email);
    const user = await this.users.insert(email, await hashPassword(password));
    if (!user) throw new HttpError(409, 'email_taken', 'a user with this email already exists');
    await this.users.recordEvent({ action: 'signup', userId: user.id, email, ip });
    return present(user);
  }

  /**
   * Sets a new password and revokes every session of the user (the `user reset-password` command; there
   * is no mail server for a self-service reset).
   *
   * @throws HttpError 404 `user_not_found`, 400 `weak_password`.
   */
  async resetPassword(rawEmail: string, password: string): Promise<PublicUser> {
    const email = normalizeEmail(rawEmail);
    const user = await this.users.findByEmail(email);
    if (!user) throw notFound('user_not_found', `no user has the email ${email}`);
    enforcePasswordPolicy(password, email);
    await this.users.replacePassword(user.id, await hashPassword(password));
    await this.users.recordEvent({ action: 'password.reset', userId: user.id, email, ip: null });
    return present(user);
  }

  private async startSession(user: PublicUser, client: ClientInfo): Promise<SignedIn> {
    const token = newSessionToken();
    const csrfToken = newCsrfToken();
    const session = await this.users.insertSession({
      userId: user.id,
      tokenHash: hashToken(token),
      csrfToken,
      expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return { user, token, csrfToken, expiresAt: session.expiresAt };
  }
}
