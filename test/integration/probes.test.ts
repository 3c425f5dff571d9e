/**
 * Probes, metrics and the OpenAPI document: `/healthz` alive, `/readyz` ready only with the database answering
 * and every migration applied, `/metrics` with the inbox gauges and HTTP latency by route, and
 * `/api/openapi.json` describing every `/api/v1` route, browsable at `/docs`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { orderBody } from '../helpers/factories.ts';

describe('probes, metrics and the OpenAPI document', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const get = (url: string) => app.server!.inject({ method: 'GET', url });

  it('answers /healthz and /readyz without credentials', async () => {
    assert.deepEqual((await get('/healthz')).json(), { status: 'ok' });
    const ready = await get('/readyz');
    assert.equal(ready.statusCode, 200, ready.body);
    assert.equal(ready.json().checks.database.status, 'ok');
    assert.equal(ready.json().checks.migrations.status, 'ok');
  });

  it('is not ready while a migration of this build is missing from the database', async () => {
    const [newest] = await app.owner.query<{ id: number; hash: string; created_at: string }>(
      'SELECT id, hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
    );
    await app.owner.query('DELETE FROM drizzle.__drizzle_migrations WHERE id = $1', [newest!.id]);
    try {
      const response = await get('/readyz');
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().checks.migrations.status, 'failing');
    } finally {
      await app.owner.query(
        'INSERT INTO drizzle.__drizzle_migrations (id, hash, created_at) VALUES ($1, $2, $3)',
        [newest!.id, newest!.hash, newest!.created_at],
      );
    }
    assert.equal((await get('/readyz')).statusCode, 200);
  });

  it('serves the inbox depth and HTTP latency by route in /metrics', async () => {
    const tenant = await app.createTenant({ shopDomain: 'metrics.myshopify.com', webhookSecret: 's' });
    const sent = await app.deliver({
      shopDomain: 'metrics.myshopify.com',
      secret: 's',
      topic: 'orders/create',
      body: orderBody().json,
    });
    assert.equal(sent.statusCode, 200);
    const before = (await get('/metrics')).body;
    assert.match(before, /^shopsight_inbox_pending 1$/m);
    await app.drain();
    await app.api('GET', `/api/v1/tenants/${tenant.id}/analytics/summary`);
    const after = (await get('/metrics')).body;
    assert.match(after, /^shopsight_inbox_pending 0$/m);
    assert.match(after, /^shopsight_inbox_dead_letters 0$/m);
    assert.match(
      after,
      /shopsight_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/tenants\/:tenantId\/analytics\/summary",status="2xx"\} 1/,
    );
    assert.match(after, /shopsight_inbox_event_latency_seconds_count 1/);
  });

  it('describes every /api/v1 route in /api/openapi.json and serves the UI at /docs', async () => {
    const response = await get('/api/openapi.json');
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, '3.0.3');
    const described = new Set(
      Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const missing = app.server!.routeList.filter(
      (route) => route.url.startsWith('/api/v1/') && !described.has(`${route.method} ${route.url}`),
    );
    assert.deepEqual(missing, []);
    const summary = document.paths['/api/v1/tenants/{tenantId}/analytics/summary'].get;
    assert.ok(summary.responses['200'].content['application/json'].schema.properties.netSales);
    const ui = await get('/docs/');
    assert.equal(ui.statusCode, 200);
    assert.match(ui.headers['content-type'] as string, /text\/html/);
  });
});
