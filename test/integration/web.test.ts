/**
 * Serving the dashboard: built files at `/` (hashed assets cached for good, the page itself revalidated),
 * the SPA fallback for app paths, JSON 404s kept for API and webhook paths, and a 503 page that says how to
 * build the app when web/dist is missing.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '../../src/http/errors.ts';
import { webRoutes } from '../../src/http/web.ts';

async function serve(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  registerErrorHandling(app);
  await app.register(webRoutes, { dir });
  await app.ready();
  return app;
}

describe('dashboard serving', () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;
  const page = '<!doctype html><div id="root"></div>';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shopsight-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), page);
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    built = await serve(dir);
    missing = await serve(join(dir, 'not-built'));
  });
  after(async () => {
    await built.close();
    await missing.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the app at / and at every app path, revalidated', async () => {
    for (const url of ['/', '/login', '/stores/1234/orders?sort=name:asc', '/stores/1234/orders/5']) {
      const response = await built.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, page, url);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.equal(response.headers['cache-control'], 'no-cache', url);
    }
  });

  it('serves hashed assets with a long cache life', async () => {
    const response = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, 'console.log(1)');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('keeps JSON 404s for API, webhook and Shopify paths', async () => {
    for (const url of ['/api/v1/nothing-here', '/api', '/webhooks/nothing', '/shopify/nothing']) {
      const response = await built.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'not_found', url);
    }
  });

  it('answers 503 with the build command when the app is not built', async () => {
    const response = await missing.inject({ method: 'GET', url: '/stores/1' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build:web/);
    assert.equal((await missing.inject({ method: 'GET', url: '/api/v1/x' })).statusCode, 404);
  });
});
