/**
 * Webhook intake against a real database (PostgreSQL with TEST_DATABASE_URL, else PGlite): Shopify's
 * delivery contract — signature, shop, body, duplicates — and durability before the 200.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { orderBody } from '../helpers/factories.ts';

const SHOP = 'intake-shop.myshopify.com';
const SECRET = 'intake-secret';

describe('POST /webhooks/shopify', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({
      SHOPSIGHT_WEBHOOK_BODY_LIMIT: String(5 * 1024 * 1024),
      SHOPIFY_API_SECRET: 'app-secret',
    });
    await app.createTenant({ shopDomain: SHOP, webhookSecret: SECRET });
  });
  after(() => app.close());

  const inboxCount = async (where = 'true') =>
    Number(
      (
        await app.db.system.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE ${where}`)
      )[0]!.n,
    );

  it('accepts a correctly signed delivery and commits it to the inbox before answering', async () => {
    const { json } = orderBody();
    const before = await inboxCount();
    const response = await app.deliver({
      shopDomain: SHOP,
      secret: SECRET,
      topic: 'orders/create',
      body: json,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(await inboxCount(), before + 1);
    const [row] = await app.db.system.query<{ payload: string; topic: string; status: string }>(
      'SELECT payload, topic, status FROM webhook_events ORDER BY id DESC LIMIT 1',
    );
    assert.deepEqual(row, { payload: json, topic: 'orders/create', status: 'pending' });
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    const before = await inboxCount();
    const { json } = orderBody();
    const response = await app.deliver({
      shopDomain: SHOP,
      secret: 'not-the-secret',
      topic: 'orders/create',
      body: json,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'invalid_signature');
    assert.equal(await inboxCount(), before);
  });

  it('answers 401, not an exception, to a signature header of the wrong length or a missing one', async () => {
    const { json } = orderBody();
    for (const hmac of [
      Buffer.alloc(31).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      'x',
      undefined,
    ]) {
      const response = await app.deliver({
        shopDomain: SHOP,
        secret: SECRET,
        topic: 'orders/create',
        body: json,
        headers: { 'x-shopify-hmac-sha256': hmac },
      });
      assert.equal(response.statusCode, 401, `header ${String(hmac)}`);
      assert.equal(response.json().error.code, 'invalid_signature');
    }
  });

  it('answers an unknown shop exactly like a bad signature', async () => {
    const { json } = orderBody();
    const unknown = await app.deliver({
      shopDomain: 'nobody.myshopify.com',
      secret: SECRET,
      topic: 'orders/create',
      body: json,
    });
    const bad = await app.deliver({ shopDomain: SHOP, secret: 'wrong', topic: 'orders/create', body: json });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().error.code, bad.json().error.code);
    assert.equal(unknown.json().error.message, bad.json().error.message);
  });

  it('checks the signature before the body: unsigned garbage is a 401, signed garbage a 400', async () => {
    const unsigned = await app.deliver({
      shopDomain: SHOP,
      secret: 'wrong',
      topic: 'orders/create',
      body: 'not json',
    });
    assert.equal(unsigned.statusCode, 401);
    for (const body of ['not json', '[1,2]', '42', '{"a":', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]) {
      const response = await app.deliver({ shopDomain: SHOP, secret: SECRET, topic: 'orders/create', body });
      assert.equal(response.statusCode, 400, String(body));
      assert.equal(response.json().error.code, 'invalid_json');
    }
  });

  it('requires a topic', async () => {
    const response = await app.deliver({
      shopDomain: SHOP,
      secret: SECRET,
      topic: 'orders/create',
      body: orderBody().json,
      headers: { 'x-shopify-topic': undefined },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.code, 'missing_topic');
  });

  it('answers 413 to a body over the limit', async () => {
    const body = JSON.stringify({ id: 1, padding: 'x'.repeat(5 * 1024 * 1024) });
    const response = await app.deliver({ shopDomain: SHOP, secret: SECRET, topic: 'orders/create', body });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().error.code, 'body_too_large');
  });

  it('stores a delivery repeated 10 times with the same event id once, and answers 200 each time', async () => {
    const { id, json } = orderBody();
    const statuses = [];
    for (let i = 0; i < 10; i += 1) {
      const response = await app.deliver({
        shopDomain: SHOP,
        secret: SECRET,
        topic: 'orders/create',
        body: json,
        eventId: 'event-dup-1',
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, Array(10).fill(200));
    assert.equal(await inboxCount(`dedupe_key = 'event:event-dup-1'`), 1);
    await app.drain();
    const orders = await app.db.system.query('SELECT id FROM orders WHERE id = $1', [id]);
    assert.equal(orders.length, 1);
  });

  it('falls back to X-Shopify-Webhook-Id to spot duplicates when there is no event id', async () => {
    const { json } = orderBody();
    for (let i = 0; i < 3; i += 1) {
      const response = await app.deliver({
        shopDomain: SHOP,
        secret: SECRET,
        topic: 'orders/updated',
        body: json,
        eventId: null,
        webhookId: 'webhook-dup-1',
      });
      assert.equal(response.statusCode, 200);
    }
    assert.equal(await inboxCount(`dedupe_key = 'webhook:webhook-dup-1'`), 1);
  });

  it('uses the app secret (SHOPIFY_API_SECRET) for a tenant without a webhook secret of its own', async () => {
    await app.createTenant({ shopDomain: 'app-secret-shop.myshopify.com' });
    const body = orderBody().json;
    const ok = await app.deliver({
      shopDomain: 'app-secret-shop.myshopify.com',
      secret: 'app-secret',
      topic: 'orders/create',
      body,
    });
    assert.equal(ok.statusCode, 200);
    const bad = await app.deliver({
      shopDomain: 'app-secret-shop.myshopify.com',
      secret: SECRET,
      topic: 'orders/create',
      body,
    });
    assert.equal(bad.statusCode, 401);
  });

  it('keeps a topic it does not ingest, acknowledges it, and counts it as skipped by cause', async () => {
    const response = await app.deliver({
      shopDomain: SHOP,
      secret: SECRET,
      topic: 'fulfillments/create',
      body: '{"id": 1}',
      eventId: 'skip-1',
    });
    assert.equal(response.statusCode, 200);
    await app.drain();
    const [row] = await app.db.system.query<{ status: string; skip_cause: string }>(
      `SELECT status, skip_cause FROM webhook_events WHERE dedupe_key = 'event:skip-1'`,
    );
    assert.deepEqual(row, { status: 'skipped', skip_cause: 'unsupported_topic' });
    const metrics = await app.metrics.registry.getSingleMetricAsString('shopsight_inbox_events_total');
    assert.match(metrics, /outcome="skipped",cause="unsupported_topic"\} [1-9]/);
  });

  it('answers 503 when the inbox cannot be written, so that Shopify retries', async () => {
    await app.owner.query(
      'ALTER TABLE webhook_events ADD CONSTRAINT test_refuse_writes CHECK (false) NOT VALID',
    );
    try {
      const response = await app.deliver({
        shopDomain: SHOP,
        secret: SECRET,
        topic: 'orders/create',
        body: orderBody().json,
      });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().error.code, 'inbox_unavailable');
      assert.ok(response.headers['retry-after']);
    } finally {
      await app.owner.query('ALTER TABLE webhook_events DROP CONSTRAINT test_refuse_writes');
    }
  });

  it('answers many concurrent deliveries, each stored exactly once', async () => {
    const before = await inboxCount();
    const bodies = Array.from({ length: 200 }, () => orderBody().json);
    const responses = await Promise.all(
      bodies.flatMap((body, i) => [
        app.deliver({
          shopDomain: SHOP,
          secret: SECRET,
          topic: 'orders/create',
          body,
          eventId: `burst-${i}`,
        }),
        app.deliver({
          shopDomain: SHOP,
          secret: SECRET,
          topic: 'orders/create',
          body,
          eventId: `burst-${i}`,
        }),
      ]),
    );
    assert.ok(responses.every((r) => r.statusCode === 200));
    assert.equal(responses.filter((r) => r.json().duplicate === false).length, 200);
    assert.equal(await inboxCount(), before + 200);
  });
});
