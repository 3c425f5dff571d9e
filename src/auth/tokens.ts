/**
 * Secret tokens: session tokens and API keys. Both are 256-bit random values; only their SHA-256 is stored,
 * so a database leak exposes no usable credential. (A fast hash is right here: the tokens are random, not
 * guessable passwords; passwords use argon2id in src/auth/passwords.ts.)
 *
 * API key format: `sk_<tenant id, 32 hex>_<secret, base64url>`. The tenant id inside the key makes every
 * lookup tenant-scoped (the key table's primary key leads with the tenant id) and lets a key of one tenant
 * be refused for another without a query.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'shopsight_session';
export const CSRF_HEADER = 'x-csrf-token';

/** SHA-256 of a token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new session token (base64url, 43 characters). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A new CSRF token bound to a session. */
export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** A new API key for a tenant, with the prefix shown in lists (first characters, no secret part beyond 6). */
export function newApiKey(tenantId: string): { key: string; prefix: string } {
  const secret = randomBytes(32).toString('base64url');
  const key = `sk_${tenantId.replace(/-/g, '')}_${secret}`;
  return { key, prefix: `sk_…${secret.slice(0, 6)}` };
}

/** The tenant id (UUID) inside an API key, or undefined when `token` is not shaped like one. */
export function apiKeyTenant(token: string): string | undefined {
  const match = /^sk_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/.exec(token);
  if (!match) return undefined;
  const hex = match[1]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
