/**
 * Authentication of `/api/v1` requests: sets `request.principal` from, in this order,
 * - `Authorization: Bearer <token>`: the operator's `SHOPSIGHT_ADMIN_TOKEN`, an API key (`sk_...`), or a
 *   session token (API clients);
 * - the `shopsight_session` cookie (the dashboard), which also requires the session's CSRF token in
 *   `X-CSRF-Token` on every state-changing request (POST, PUT, PATCH, DELETE).
 * Anything else leaves the principal null: routes that need one answer 401 through `authorize`. A bearer
 * token that matches nothing is a 401 at once, so a mistyped credential is not silently anonymous.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.ts';
import { HttpError } from '../http/errors.ts';
import { secretsEqual } from '../lib/crypto.ts';
import { authorize, type ApiKeyScope, type Principal } from './access.ts';
import { CSRF_HEADER, SESSION_COOKIE, apiKeyTenant, hashToken } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOUCH_INTERVAL_MS = 60_000;

type SessionRow = {
  id: string;
  user_id: string;
  email: string;
  csrf_token: string;
  last_seen_at: string;
};

async function findSession(db: Database, token: string): Promise<SessionRow | undefined> {
  const [row] = await db.system.query<SessionRow>(
    `SELECT s.id::text, s.user_id::text, u.email, s.csrf_token, s.last_seen_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [hashToken(token)],
  );
  if (row && Date.now() - Date.parse(row.last_seen_at) > TOUCH_INTERVAL_MS) {
    await db.system.query('UPDATE sessions SET last_seen_at = now() WHERE id = $1', [row.id]);
  }
  return row;
}

async function findApiKey(db: Database, token: string): Promise<Principal | undefined> {
  const tenantId = apiKeyTenant(token);
  if (!tenantId) return undefined;
  return db.forTenant(tenantId, async (tx) => {
    const [row] = await tx.query<{ id: string; scopes: ApiKeyScope[]; last_used_at: string | null }>(
      `SELECT id::text, scopes, last_used_at FROM api_keys
       WHERE tenant_id = $1 AND secret_hash = $2 AND revoked_at IS NULL`,
      [tenantId, hashToken(token)],
    );
    if (!row) return undefined;
    if (!row.last_used_at || Date.now() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
      await tx.query('UPDATE api_keys SET last_used_at = now() WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        row.id,
      ]);
    }
    return { kind: 'api_key' as const, id: `key:${row.id}`, tenantId, keyId: row.id, scopes: row.scopes };
  });
}

const unauthorized = () =>
  new HttpError(401, 'unauthorized', 'the credentials are not valid', {
    'www-authenticate': 'Bearer realm="shopsight"',
  });

/** Resolves the principal of a request (null when it carries no credentials). @throws HttpError 401/403. */
export async function resolvePrincipal(
  db: Database,
  adminToken: string,
  request: FastifyRequest,
): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized();
    const token = match[1]!;
    if (secretsEqual(token, adminToken)) return { kind: 'admin', id: 'admin' };
    const key = await findApiKey(db, token);
    if (key) return key;
    const session = await findSession(db, token);
    if (!session) throw unauthorized();
    return userPrincipal(session, 'bearer');
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (!cookie) return null;
  const session = await findSession(db, cookie);
  if (!session) return null;
  if (!SAFE_METHODS.has(request.method)) {
    const csrf = request.headers[CSRF_HEADER];
    if (typeof csrf !== 'string' || !secretsEqual(csrf, session.csrf_token)) {
      throw new HttpError(
        403,
        'csrf_token_invalid',
        `state-changing requests with the session cookie need ${CSRF_HEADER}`,
      );
    }
  }
  return userPrincipal(session, 'cookie');
}

function userPrincipal(session: SessionRow, via: 'cookie' | 'bearer'): Principal {
  return {
    kind: 'user',
    id: `user:${session.user_id}`,
    userId: session.user_id,
    email: session.email,
    sessionId: session.id,
    via,
  };
}

/** The only `/api/v1` routes that answer without credentials. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/auth/signup',
  'POST /api/v1/auth/login',
]);

/**
 * Adds authentication to an encapsulated scope (the `/api/v1` routes), before anything reads the request:
 * - onRequest: resolves the principal; no principal on a non-public route is a 401 at once;
 * - preValidation: a route with `:tenantId` in its path answers 404 unless the caller can see that tenant,
 *   so a body that would fail validation tells another tenant's caller nothing either. Each handler then
 *   checks its own permission with `authorize` (403).
 */
export function authenticate(scope: FastifyInstance, db: Database, adminToken: string) {
  scope.decorateRequest('principal', null);
  scope.addHook('onRequest', async (request) => {
    request.principal = await resolvePrincipal(db, adminToken, request);
    if (!request.principal && !PUBLIC_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) {
      throw unauthorized();
    }
  });
  scope.addHook('preValidation', async (request) => {
    const tenantId = (request.params as Record<string, unknown> | undefined)?.tenantId;
    if (typeof tenantId === 'string') await authorize(db, request.principal, [tenantId], null);
  });
}
