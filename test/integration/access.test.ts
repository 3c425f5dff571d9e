/**
 * Every route of the API, discovered from the router (a new route cannot be forgotten), called by callers
 * who must not reach tenant A: nobody, an API key of tenant B, an analyst of B, an owner of B, each with A's
 * ids in the path. Every answer on a tenant route is 401, 403 or 404; routes without a tenant show nothing
 * of A; and afterwards every row of A is as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PUBLIC_ROUTES } from '../../src/auth/authenticate.ts';
import { tenantTables } from '../../src/db/tenant-tables.ts';
import { hashToken, newApiKey, newCsrfToken, newSessionToken } from '../../src/auth/tokens.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { customerBody, orderBody, productBody } from '../helpers/factories.ts';

const SECRET = 'access-secret';

/** A caller; `headers()` is asked anew for each request, so a route that ends a session cannot blind the rest. */
type Caller = { name: string; headers: () => Promise<Record<string, string>> };

describe('access to every route', () => {
  let app: TestApp;
  let a: string;
  let b: string;
  let aKeyId: string;
  let aUserId: string;
  const callers: Caller[] = [];

  /** A new live session of `userId`; returns its bearer token. */
  const newSession = async (userId: string) => {
    const token = newSessionToken();
    await app.db.system.query(
      `INSERT INTO sessions (user_id, token_hash, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`,
      [userId, hashToken(token), newCsrfToken()],
    );
    return token;
  };

  /** Inserts a user with a role in `tenantId`; returns its id. */
  const userWithRole = async (email: string, tenantId: string, role: string) => {
    const [user] = await app.db.system.query<{ id: string }>(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'not-a-hash') RETURNING id::text`,
      [email],
    );
    await app.db.system.query('INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)', [
      tenantId,
      user!.id,
      role,
    ]);
    return { userId: user!.id };
  };

  const apiKey = async (tenantId: string) => {
    const { key, prefix } = newApiKey(tenantId);
    const [row] = await app.db.system.query<{ id: string }>(
      `INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes)
       VALUES ($1, 'test', $2, $3, ARRAY['ingest:write', 'analytics:read']) RETURNING id::text`,
      [tenantId, prefix, hashToken(key)],
    );
    return { key, id: row!.id };
  };

  /** A digest of every row of tenant `tenantId`, table by table. */
  const snapshot = async (tenantId: string) => {
    const digest: Record<string, string> = {};
    for (const table of [...(await tenantTables(app.db.system)), 'tenants']) {
      const column = table === 'tenants' ? 'id' : 'tenant_id';
      const [row] = await app.db.system.query<{ digest: string }>(
        `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS digest
         FROM ${table} x WHERE ${column} = $1`,
        [tenantId],
      );
      digest[table] = row!.digest;
    }
    return digest;
  };

  before(async () => {
    app = await startTestApp({ SHOPSIGHT_RATE_LIMIT_PER_MINUTE: '100000' });
    a = (await app.createTenant({ shopDomain: 'victim.myshopify.com', webhookSecret: SECRET })).id;
    b = (await app.createTenant({ shopDomain: 'intruder.myshopify.com', webhookSecret: SECRET })).id;
    for (const [topic, body] of [
      ['orders/create', orderBody().json],
      ['customers/create', customerBody().json],
      ['products/create', productBody().json],
    ] as const) {
      const response = await app.deliver({ shopDomain: 'victim.myshopify.com', secret: SECRET, topic, body });
      assert.equal(response.statusCode, 200);
    }
    await app.drain();
    aKeyId = (await apiKey(a)).id;
    aUserId = (await userWithRole('owner-a@example.com', a, 'owner')).userId;

    const bKey = await apiKey(b);
    const bAnalyst = await userWithRole('analyst-b@example.com', b, 'analyst');
    const bOwner = await userWithRole('owner-b@example.com', b, 'owner');
    callers.push(
      { name: 'no credentials', headers: async () => ({}) },
      { name: "tenant B's API key", headers: async () => ({ authorization: `Bearer ${bKey.key}` }) },
      {
        name: "tenant B's analyst",
        headers: async () => ({ authorization: `Bearer ${await newSession(bAnalyst.userId)}` }),
      },
      {
        name: "tenant B's owner",
        headers: async () => ({ authorization: `Bearer ${await newSession(bOwner.userId)}` }),
      },
    );
  });
  after(() => app.close());

  /** The route's URL with tenant A's ids (and A's objects' ids) in every parameter. */
  const urlFor = (pattern: string) =>
    pattern
      .replace(':tenantId', a)
      .replace(':keyId', aKeyId)
      .replace(':userId', aUserId)
      .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

  it('discovers the API routes from the router', () => {
    const api = app.server!.routeList.filter((route) => route.url.startsWith('/api/v1'));
    assert.ok(api.length >= 8, `found ${api.length} routes`);
    assert.ok(api.some((route) => route.url.includes(':tenantId')));
  });

  it('answers 401, 403 or 404 on every tenant route, shows nothing of A elsewhere, and changes nothing of A', async () => {
    const before = await snapshot(a);
    const api = app.server!.routeList.filter((route) => route.url.startsWith('/api/v1'));
    const failures: string[] = [];
    for (const route of api) {
      for (const caller of callers) {
        const isPublic = PUBLIC_ROUTES.has(`${route.method} ${route.url}`);
        if (isPublic && caller.name === 'no credentials') continue;
        const bodyless = route.method === 'GET' || route.method === 'DELETE';
        const response = await app.server!.inject({
          method: route.method as 'GET',
          url: urlFor(route.url),
          headers: await caller.headers(),
          ...(!bodyless && { payload: {} }),
        });
        const where = `${caller.name}: ${route.method} ${route.url} -> ${response.statusCode}`;
        if (route.url.includes(':tenantId') || (caller.name === 'no credentials' && !isPublic)) {
          if (![401, 403, 404].includes(response.statusCode)) failures.push(where);
        } else if (response.body.includes(a) || response.body.includes('victim.myshopify.com')) {
          failures.push(`${where} shows tenant A`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(await snapshot(a), before);
  });
});
