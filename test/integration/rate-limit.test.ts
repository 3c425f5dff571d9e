/**
 * Rate limits on `/api/v1`: applied after authentication and keyed on the principal, so one caller's burst
 * does not limit another. With TEST_REDIS_URL the counters live in Redis and two Shopsight processes share
 * them; without it each process counts for itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { hashToken, newApiKey } from '../../src/auth/tokens.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const redisUrl = process.env.TEST_REDIS_URL;

describe('rate limits', () => {
  let app: TestApp;
  let tenantId: string;
  const keyFor = async () => {
    const { key, prefix } = newApiKey(tenantId);
    await app.db.system.query(
      `INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes) VALUES ($1, 'k', $2, $3, ARRAY['analytics:read'])`,
      [tenantId, prefix, hashToken(key)],
    );
    return key;
  };
  before(async () => {
    app = await startTestApp({ SHOPSIGHT_RATE_LIMIT_PER_MINUTE: '3' });
    tenantId = (
      await app.createTenant({ shopDomain: `rate-${randomBytes(3).toString('hex')}.myshopify.com` })
    ).id;
  });
  after(() => app.close());

  const get = (key: string) =>
    app.server!.inject({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/analytics/summary`,
      headers: { authorization: `Bearer ${key}` },
    });

  it('answers 429 with a machine-readable code past the limit, per principal', async () => {
    const first = await keyFor();
    const second = await keyFor();
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await get(first)).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await get(first);
    assert.equal(limited.json().error.code, 'rate_limited');
    assert.ok(limited.headers['retry-after']);
    assert.equal((await get(second)).statusCode, 200, 'another principal keeps its own budget');
  });

  it(
    'shares the counters between processes through Redis',
    { skip: redisUrl ? false : 'TEST_REDIS_URL is not set' },
    async () => {
      const prefixEnv = { SHOPSIGHT_RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: redisUrl! };
      const one = await startTestApp(prefixEnv);
      const two = await startTestApp(prefixEnv);
      try {
        // The same operator token on two processes is one principal with one budget.
        const call = (target: TestApp) => target.api('GET', '/api/v1/tenants');
        const statuses = [];
        for (const target of [one, two, one, two]) statuses.push((await call(target)).statusCode);
        assert.equal(
          statuses.filter((status) => status === 429).length >= 1,
          true,
          `statuses ${statuses.join(',')}`,
        );
      } finally {
        await one.close();
        await two.close();
      }
    },
  );
});
