/**
 * Webhook health API on a real database: per-minute counts by status, skips by cause, the dead-letter list
 * (pages, CSV) and the retry that puts one dead letter back in the queue; analysts read, only owners and
 * admins retry, and nobody reaches another tenant's events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeadLetterPageResponse, WebhookHealthResponse } from '../../src/ingest/health.routes.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { newId, orderBody } from '../helpers/factories.ts';
import { createTenantAs, signUp, withCookie, type TestUser } from '../helpers/users.ts';

const SHOP = 'health-shop.myshopify.com';
const OTHER_SHOP = 'health-other.myshopify.com';
const SECRET = 'health-secret';

describe('webhook health API', () => {
  let app: TestApp;
  let owner: TestUser;
  let analyst: TestUser;
  let outsider: TestUser;
  let tenantId: string;
  let otherTenantId: string;
  const base = () => `/api/v1/tenants/${tenantId}`;

  before(async () => {
    app = await startTestApp();
    owner = await signUp(app);
    analyst = await signUp(app);
    outsider = await signUp(app);
    tenantId = (await createTenantAs(owner, SHOP)).id;
    otherTenantId = (await createTenantAs(outsider, OTHER_SHOP)).id;
    for (const id of [tenantId, otherTenantId]) {
      const response = await app.api('PATCH', `/api/v1/tenants/${id}`, { webhookSecret: SECRET });
      assert.equal(response.statusCode, 200, response.body);
    }
    const added = await owner.api('POST', `${base()}/members`, { email: analyst.email, role: 'analyst' });
    assert.equal(added.statusCode, 201, added.body);

    const send = async (topic: string, body: string, shopDomain = SHOP) => {
      const response = await app.deliver({ shopDomain, secret: SECRET, topic, body });
      assert.equal(response.statusCode, 200, response.body);
    };
    await send('orders/create', orderBody().json);
    await send('orders/create', orderBody().json);
    await send('themes/publish', '{"id": 1}');
    await send('orders/create', '{"id": "not-an-id"}');
    await send('orders/updated', '{"id": "still-not-an-id"}');
    await send('orders/create', '{"id": "other tenant"}', OTHER_SHOP);
    await app.drain();
  });
  after(() => app.close());

  it('counts the last hour by status and skips by cause, with no backlog once drained', async () => {
    const response = await analyst.api('GET', `${base()}/webhooks/health`);
    assert.equal(response.statusCode, 200, response.body);
    const health = response.json<WebhookHealthResponse>();
    const total = (status: 'processed' | 'skipped' | 'pending' | 'dead') =>
      health.perMinute.reduce((sum, minute) => sum + minute[status], 0);
    assert.deepEqual(
      {
        processed: total('processed'),
        skipped: total('skipped'),
        dead: total('dead'),
        pending: total('pending'),
      },
      { processed: 2, skipped: 1, dead: 2, pending: 0 },
    );
    assert.deepEqual(health.skippedByCause, { unsupported_topic: 1 });
    assert.equal(health.deadLetters, 2);
    assert.deepEqual(health.pending, { count: 0, oldestAgeSeconds: null });
    assert.equal(health.window.minutes, 60);
    const from = Date.parse(health.window.from);
    assert.ok(Date.now() - from <= 60 * 60_000 && Date.now() - from >= 59 * 60_000, health.window.from);
    for (const minute of health.perMinute) assert.ok(Date.parse(minute.minute) >= from);
  });

  it('reports pending events and the age of the oldest', async () => {
    const response = await app.deliver({
      shopDomain: SHOP,
      secret: SECRET,
      topic: 'orders/create',
      body: orderBody({ id: newId() }).json,
    });
    assert.equal(response.statusCode, 200);
    const health = (await owner.api('GET', `${base()}/webhooks/health`)).json<WebhookHealthResponse>();
    assert.equal(health.pending.count, 1);
    assert.ok(health.pending.oldestAgeSeconds !== null && health.pending.oldestAgeSeconds >= 0);
    await app.drain();
  });

  it('lists dead letters newest first in pages, and as CSV', async () => {
    const first = await analyst.api('GET', `${base()}/dead-letters?limit=1`);
    assert.equal(first.statusCode, 200, first.body);
    const page1 = first.json<DeadLetterPageResponse>();
    assert.equal(page1.rows.length, 1);
    assert.equal(page1.rows[0]!.topic, 'orders/updated');
    assert.match(page1.rows[0]!.error!, /invalid order payload/);
    assert.equal(page1.rows[0]!.attempts, 1);
    assert.ok(page1.nextCursor);
    const page2 = (
      await analyst.api('GET', `${base()}/dead-letters?limit=1&cursor=${page1.nextCursor}`)
    ).json<DeadLetterPageResponse>();
    assert.equal(page2.rows.length, 1);
    assert.equal(page2.rows[0]!.topic, 'orders/create');
    assert.equal(page2.nextCursor, null);

    const csv = await analyst.api('GET', `${base()}/dead-letters?format=csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.ok(csv.body.startsWith('id,topic,error,attempts,received_at\n'));
    // Errors span lines (quoted); each record starts with its id and topic.
    assert.deepEqual(csv.body.match(/^\d+(?=,orders\/)/gm), [page1.rows[0]!.id, page2.rows[0]!.id]);
  });

  it('lets owners retry one dead letter, not analysts, and not across tenants', async () => {
    const [newest] = (await owner.api('GET', `${base()}/dead-letters`)).json<DeadLetterPageResponse>().rows;
    const retry = (user: TestUser, tenant: string, id: string) =>
      withCookie(app, user, {
        method: 'POST',
        url: `/api/v1/tenants/${tenant}/dead-letters/${id}/retry`,
        csrf: user.csrfToken,
      });

    assert.equal((await retry(analyst, tenantId, newest!.id)).statusCode, 403);
    assert.equal((await retry(outsider, tenantId, newest!.id)).statusCode, 404);
    // The outsider's own tenant does not hold that event id.
    assert.equal((await retry(outsider, otherTenantId, newest!.id)).statusCode, 404);
    const badId = await retry(owner, tenantId, 'abc');
    assert.equal(badId.statusCode, 400);

    const accepted = await retry(owner, tenantId, newest!.id);
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.deepEqual(accepted.json(), { requeued: 1 });
    const [row] = await app.db.system.query<{ status: string; attempts: number }>(
      'SELECT status, attempts FROM webhook_events WHERE tenant_id = $1 AND id = $2',
      [tenantId, newest!.id],
    );
    assert.deepEqual(row, { status: 'pending', attempts: 0 });
    const health = (await owner.api('GET', `${base()}/webhooks/health`)).json<WebhookHealthResponse>();
    assert.equal(health.deadLetters, 1);
    assert.equal(health.pending.count, 1);

    const again = await retry(owner, tenantId, newest!.id);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json<{ error: { code: string } }>().error.code, 'dead_letter_not_found');
    // The other tenant's dead letter is untouched.
    const [other] = await app.db.system.query<{ status: string }>(
      'SELECT status FROM webhook_events WHERE tenant_id = $1',
      [otherTenantId],
    );
    assert.equal(other!.status, 'dead');
  });
});
