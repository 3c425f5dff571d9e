/**
 * API keys end to end (PostgreSQL with TEST_DATABASE_URL, else PGlite): created by an owner/admin or the
 * operator, shown once, stored as a SHA-256 only, scoped, confined to their tenant, revocable, with a
 * last-used time, and every change in the audit log.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { customerBody, newId } from '../helpers/factories.ts';

type Created = {
  apiKey: {
    id: string;
    name: string;
    prefix: string;
    scopes: string[];
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
  };
  key: string;
};

describe('API keys', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const tenant = async () => (await app.createTenant({ shopDomain: `k${newId()}.myshopify.com` })).id;

  /** Sends a request with `token` as the bearer credential (none when null). */
  const call = (
    token: string | null,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: object,
  ): Promise<LightMyRequestResponse> =>
    app.server!.inject({
      method,
      url,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      ...(body !== undefined && { payload: body }),
    });

  const createKey = async (tenantId: string, scopes: string[], name = 'etl'): Promise<Created> => {
    const response = await app.api('POST', `/api/v1/tenants/${tenantId}/api-keys`, { name, scopes });
    assert.equal(response.statusCode, 201, response.body);
    return response.json<Created>();
  };

  const ingestOne = (token: string, tenantId: string) =>
    app.server!.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/ingest/customers`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: `{"items":[${customerBody().json}]}`,
    });

  const summary = (token: string, tenantId: string) =>
    call(token, 'GET', `/api/v1/tenants/${tenantId}/analytics/summary?from=2025-01-01&to=2025-01-31`);

  /** A signed-in user with `role` in `tenantId` (no role: not a member), and their bearer session token. */
  const user = async (tenantId: string, role?: 'owner' | 'admin' | 'analyst') => {
    const token = randomBytes(32).toString('base64url');
    const [row] = await app.db.system.query<{ id: string }>(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'unused') RETURNING id::text`,
      [`u${newId()}@example.com`],
    );
    await app.db.system.query(
      `INSERT INTO sessions (user_id, token_hash, csrf_token, expires_at)
       VALUES ($1, $2, 'csrf', now() + interval '1 hour')`,
      [row!.id, createHash('sha256').update(token).digest('hex')],
    );
    if (role) {
      await app.db.system.query('INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)', [
        tenantId,
        row!.id,
        role,
      ]);
    }
    return { id: row!.id, token };
  };

  it('shows the key once, lists it only by its prefix, and stores nothing but its SHA-256', async () => {
    const tenantId = await tenant();
    const response = await app.api('POST', `/api/v1/tenants/${tenantId}/api-keys`, {
      name: 'warehouse loader',
      scopes: ['ingest:write'],
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const { apiKey, key } = response.json<Created>();
    const hex = tenantId.replace(/-/g, '');
    const match = new RegExp(`^sk_${hex}_([A-Za-z0-9_-]{43})$`).exec(key);
    assert.ok(match, key);
    const secret = match[1]!;
    assert.equal(apiKey.prefix, `sk_…${secret.slice(0, 6)}`);
    assert.deepEqual(
      { ...apiKey, id: '', createdAt: '' },
      {
        id: '',
        name: 'warehouse loader',
        prefix: apiKey.prefix,
        scopes: ['ingest:write'],
        createdAt: '',
        lastUsedAt: null,
        revokedAt: null,
      },
    );
    assert.ok(!Number.isNaN(Date.parse(apiKey.createdAt)));

    const list = await app.api('GET', `/api/v1/tenants/${tenantId}/api-keys`);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), { apiKeys: [apiKey] });
    assert.ok(!list.body.includes(secret), 'the list shows the secret');

    const rows = await app.db.system.query<{ secret_hash: string; row: string }>(
      'SELECT secret_hash, to_jsonb(k)::text AS row FROM api_keys k WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.secret_hash, createHash('sha256').update(key).digest('hex'));
    assert.ok(!rows[0]!.row.includes(secret), 'the database holds the secret');
  });

  it('refuses a bad name or scopes with 400', async () => {
    const tenantId = await tenant();
    for (const body of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['ingest:write', 'ingest:write'] },
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: 'ingest:write' },
      { name: '  ', scopes: ['ingest:write'] },
      { scopes: ['ingest:write'] },
      { name: 'x', scopes: ['ingest:write'], key: 'sk_chosen' },
    ]) {
      const response = await app.api('POST', `/api/v1/tenants/${tenantId}/api-keys`, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().error.code, 'invalid_request');
    }
    const list = await app.api('GET', `/api/v1/tenants/${tenantId}/api-keys`);
    assert.deepEqual(list.json(), { apiKeys: [] });
  });

  it('gives each scope its own permissions and no key the right to manage keys', async () => {
    const tenantId = await tenant();
    const reader = (await createKey(tenantId, ['analytics:read'])).key;
    const writer = (await createKey(tenantId, ['ingest:write'])).key;
    const both = (await createKey(tenantId, ['ingest:write', 'analytics:read'])).key;

    assert.equal((await summary(reader, tenantId)).statusCode, 200);
    const readerIngest = await ingestOne(reader, tenantId);
    assert.equal(readerIngest.statusCode, 403);
    assert.equal(readerIngest.json().error.code, 'forbidden');

    const writerIngest = await ingestOne(writer, tenantId);
    assert.equal(writerIngest.statusCode, 200, writerIngest.body);
    const writerSummary = await summary(writer, tenantId);
    assert.equal(writerSummary.statusCode, 403);
    assert.equal(writerSummary.json().error.code, 'forbidden');

    assert.equal((await summary(both, tenantId)).statusCode, 200);
    assert.equal((await ingestOne(both, tenantId)).statusCode, 200);

    for (const key of [reader, writer, both]) {
      const base = `/api/v1/tenants/${tenantId}/api-keys`;
      assert.equal((await call(key, 'GET', base)).statusCode, 403);
      assert.equal((await call(key, 'POST', base, { name: 'x', scopes: ['ingest:write'] })).statusCode, 403);
    }
    const [count] = await app.db.system.query<{ n: string }>(
      'SELECT count(*) AS n FROM api_keys WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(count!.n, '3');
  });

  it("answers 404 to a key on another tenant's routes, as if the tenant did not exist", async () => {
    const a = await tenant();
    const b = await tenant();
    const key = (await createKey(a, ['ingest:write', 'analytics:read'])).key;
    for (const response of [await summary(key, b), await ingestOne(key, b)]) {
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, 'tenant_not_found');
    }
    const [count] = await app.db.system.query<{ n: string }>(
      'SELECT count(*) AS n FROM customers WHERE tenant_id = $1',
      [b],
    );
    assert.equal(count!.n, '0');
  });

  it('revokes a key: 401 from then on, shown revoked in the list, audited without the secret', async () => {
    const tenantId = await tenant();
    const created = await createKey(tenantId, ['analytics:read'], 'dashboard');
    assert.equal((await summary(created.key, tenantId)).statusCode, 200);

    const revoke = await app.api('DELETE', `/api/v1/tenants/${tenantId}/api-keys/${created.apiKey.id}`);
    assert.equal(revoke.statusCode, 204);
    const after = await summary(created.key, tenantId);
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().error.code, 'unauthorized');

    const [listed] = (await app.api('GET', `/api/v1/tenants/${tenantId}/api-keys`)).json().apiKeys;
    assert.ok(listed.revokedAt && !Number.isNaN(Date.parse(listed.revokedAt)), listed.revokedAt);

    // Revoking again changes nothing: same revocation time, no second event.
    const again = await app.api('DELETE', `/api/v1/tenants/${tenantId}/api-keys/${created.apiKey.id}`);
    assert.equal(again.statusCode, 204);
    const [relisted] = (await app.api('GET', `/api/v1/tenants/${tenantId}/api-keys`)).json().apiKeys;
    assert.equal(relisted.revokedAt, listed.revokedAt);

    const events = await app.db.system.query<{ action: string; actor: string; detail: string }>(
      `SELECT action, actor, detail::text AS detail FROM audit_events
       WHERE tenant_id = $1 AND action LIKE 'api_key.%' ORDER BY id`,
      [tenantId],
    );
    assert.deepEqual(
      events.map((event) => [event.action, event.actor, JSON.parse(event.detail)]),
      [
        [
          'api_key.created',
          'operator',
          { keyId: created.apiKey.id, name: 'dashboard', scopes: ['analytics:read'] },
        ],
        [
          'api_key.revoked',
          'operator',
          { keyId: created.apiKey.id, name: 'dashboard', scopes: ['analytics:read'] },
        ],
      ],
    );
    // `sk_<32 hex>_<secret>`: the secret is the last 43 characters (base64url may itself hold `_`).
    const secret = created.key.slice(-43);
    assert.ok(!events.some((event) => event.detail.includes(secret)));
  });

  it("answers 404 to revoking an unknown key, a malformed id, or another tenant's key", async () => {
    const a = await tenant();
    const b = await tenant();
    const keyOfA = await createKey(a, ['analytics:read']);
    for (const [tenantId, keyId] of [
      [b, keyOfA.apiKey.id],
      [a, '00000000-0000-4000-8000-000000000000'],
      [a, 'not-a-uuid'],
    ]) {
      const response = await app.api('DELETE', `/api/v1/tenants/${tenantId}/api-keys/${keyId}`);
      assert.equal(response.statusCode, 404, `${tenantId} ${keyId}`);
      assert.equal(response.json().error.code, 'api_key_not_found');
    }
    assert.equal((await summary(keyOfA.key, a)).statusCode, 200, "the other tenant's DELETE revoked the key");
  });

  it('records when a key was last used', async () => {
    const tenantId = await tenant();
    const created = await createKey(tenantId, ['analytics:read']);
    const lastUsed = async () =>
      (
        await app.db.system.query<{ last_used_at: string | null }>(
          'SELECT last_used_at FROM api_keys WHERE tenant_id = $1 AND id = $2',
          [tenantId, created.apiKey.id],
        )
      )[0]!.last_used_at;
    assert.equal(await lastUsed(), null);
    const before = Date.now();
    assert.equal((await summary(created.key, tenantId)).statusCode, 200);
    const used = await lastUsed();
    assert.ok(used !== null && Date.parse(used) >= before - 1000, String(used));
    const [listed] = (await app.api('GET', `/api/v1/tenants/${tenantId}/api-keys`)).json().apiKeys;
    assert.equal(listed.lastUsedAt, used);
  });

  it('lets owners and admins manage keys, not analysts; non-members see no tenant', async () => {
    const tenantId = await tenant();
    const base = `/api/v1/tenants/${tenantId}/api-keys`;
    const body = { name: 'from a user', scopes: ['analytics:read'] };
    const owner = await user(tenantId, 'owner');
    const admin = await user(tenantId, 'admin');
    const analyst = await user(tenantId, 'analyst');
    const stranger = await user(tenantId);

    const created = await call(admin.token, 'POST', base, body);
    assert.equal(created.statusCode, 201, created.body);
    const [row] = await app.db.system.query<{ created_by: string }>(
      'SELECT created_by::text FROM api_keys WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(row!.created_by, admin.id);
    assert.equal((await call(owner.token, 'GET', base)).statusCode, 200);

    for (const method of ['GET', 'POST'] as const) {
      const denied = await call(analyst.token, method, base, method === 'POST' ? body : undefined);
      assert.equal(denied.statusCode, 403, method);
      const hidden = await call(stranger.token, method, base, method === 'POST' ? body : undefined);
      assert.equal(hidden.statusCode, 404, method);
    }
    const keyId = created.json<Created>().apiKey.id;
    assert.equal((await call(analyst.token, 'DELETE', `${base}/${keyId}`)).statusCode, 403);
    assert.equal((await call(owner.token, 'DELETE', `${base}/${keyId}`)).statusCode, 204);

    const [event] = await app.db.system.query<{ actor: string; actor_user_id: string }>(
      `SELECT actor, actor_user_id::text FROM audit_events WHERE tenant_id = $1 AND action = 'api_key.revoked'`,
      [tenantId],
    );
    assert.equal(event!.actor_user_id, owner.id);
  });

  it('answers 401 without credentials and 404 for an unknown tenant', async () => {
    const tenantId = await tenant();
    const anonymous = await call(null, 'GET', `/api/v1/tenants/${tenantId}/api-keys`);
    assert.equal(anonymous.statusCode, 401);
    const unknown = await app.api('GET', '/api/v1/tenants/00000000-0000-4000-8000-000000000000/api-keys');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'tenant_not_found');
  });

  it('makes a working key when the tenant id in the URL is in upper case', async () => {
    const tenantId = await tenant();
    const created = await createKey(tenantId.toUpperCase(), ['analytics:read']);
    assert.equal((await summary(created.key, tenantId)).statusCode, 200);
  });
});
