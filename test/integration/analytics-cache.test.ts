/**
 * The analytics answer cache, in process and (with TEST_REDIS_URL) in Redis: a second identical request is a
 * hit with the same body; a webhook for tenant A drops A's answers only; errors are not cached; access is
 * checked before a cached answer is served; hits and misses are counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { newId, orderBody } from '../helpers/factories.ts';

const SECRET = 'cache-secret';
const redisUrl = process.env.TEST_REDIS_URL;

const backends: [string, Record<string, string>, string | false][] = [
  ['in process', {}, false],
  ['in Redis', redisUrl ? { REDIS_URL: redisUrl } : {}, redisUrl ? false : 'TEST_REDIS_URL is not set'],
];

for (const [name, env, skip] of backends) {
  describe(`analytics cache ${name}`, { skip }, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(env);
    });
    after(() => app.close());

    const tenant = async () => {
      const shopDomain = `c${newId()}.myshopify.com`;
      const created = await app.createTenant({ shopDomain, timezone: 'UTC', webhookSecret: SECRET });
      return {
        id: created.id,
        get: (report: string) =>
          app.api('GET', `/api/v1/tenants/${created.id}/analytics/${report}?from=2025-06-01&to=2025-06-30`),
        async order(processedAt: string) {
          const response = await app.deliver({
            shopDomain,
            secret: SECRET,
            topic: 'orders/create',
            body: orderBody({ processedAt, lines: [{ price: '40.00', quantity: 1 }] }).json,
          });
          assert.equal(response.statusCode, 200);
          await app.drain();
        },
      };
    };

    it('hits after a miss, and a webhook for one tenant drops only its answers', async () => {
      const a = await tenant();
      const b = await tenant();
      await a.order('2025-06-10T12:00:00Z');
      await b.order('2025-06-10T12:00:00Z');

      const missA = await a.get('summary');
      assert.equal(missA.statusCode, 200);
      assert.equal(missA.headers['x-cache'], 'miss');
      assert.equal(missA.headers['cache-control'], 'private');
      const hitA = await a.get('summary');
      assert.equal(hitA.headers['x-cache'], 'hit');
      assert.equal(hitA.headers['cache-control'], 'private');
      assert.match(String(hitA.headers['content-type']), /^application\/json/);
      assert.equal(hitA.body, missA.body);
      assert.equal(hitA.json().orders, 1);
      assert.equal((await b.get('summary')).headers['x-cache'], 'miss');
      assert.equal((await b.get('summary')).headers['x-cache'], 'hit');
      assert.equal((await a.get('sales-over-time')).headers['x-cache'], 'miss', 'another URL, another entry');

      await a.order('2025-06-11T12:00:00Z');
      const afterA = await a.get('summary');
      assert.equal(afterA.headers['x-cache'], 'miss', "tenant A's answers are dropped");
      assert.equal(afterA.json().orders, 2, 'and recomputed with the new order');
      assert.equal((await a.get('summary')).headers['x-cache'], 'hit');
      const stillB = await b.get('summary');
      assert.equal(stillB.headers['x-cache'], 'hit', "tenant B's answers stay");
      assert.equal(stillB.json().orders, 1);

      const metrics = await app.server!.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /shopsight_analytics_cache_total\{result="hit"\} [1-9]/);
      assert.match(metrics.body, /shopsight_analytics_cache_total\{result="miss"\} [1-9]/);
    });

    it('drops a tenant answers when its time zone changes, and rebuilds its days', async () => {
      const a = await tenant();
      // 02:00 UTC on June 1 is May 31 in New York.
      await a.order('2025-06-01T02:00:00Z');
      assert.equal((await a.get('summary')).json().orders, 1);
      assert.equal((await a.get('summary')).headers['x-cache'], 'hit');
      const patch = await app.api('PATCH', `/api/v1/tenants/${a.id}`, { timezone: 'America/New_York' });
      assert.equal(patch.statusCode, 200, patch.body);
      const moved = await a.get('summary');
      assert.equal(moved.headers['x-cache'], 'miss');
      assert.equal(moved.json().orders, 0, 'the order moved to May 31 in the new time zone');
    });

    it('does not cache errors, and checks access before serving a cached answer', async () => {
      const a = await tenant();
      const url = `/api/v1/tenants/${a.id}/analytics/summary?from=2025-03-02&to=2025-03-01`;
      for (let i = 0; i < 2; i += 1) {
        const response = await app.api('GET', url);
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().error.code, 'invalid_range');
        assert.notEqual(response.headers['x-cache'], 'hit');
      }

      assert.equal((await a.get('summary')).headers['x-cache'], 'miss');
      assert.equal((await a.get('summary')).headers['x-cache'], 'hit');
      const other = await tenant();
      const created = await app.api('POST', `/api/v1/tenants/${other.id}/api-keys`, {
        name: 'reporting',
        scopes: ['analytics:read'],
      });
      assert.equal(created.statusCode, 201, created.body);
      const { key } = created.json<{ key: string }>();
      const foreign = await app.server!.inject({
        method: 'GET',
        url: `/api/v1/tenants/${a.id}/analytics/summary?from=2025-06-01&to=2025-06-30`,
        headers: { authorization: `Bearer ${key}` },
      });
      assert.ok([403, 404].includes(foreign.statusCode), `status ${foreign.statusCode}`);
      assert.notEqual(foreign.headers['x-cache'], 'hit');
    });
  });
}
