/**
 * Connecting a store, end to end against the Shopify simulator: the OAuth install followed through real
 * HTTP redirects (state cookie included), the webhook subscriptions it leaves in the store, an order that
 * arrives by webhook and shows in the analytics; tampered callbacks; refresh of an expiring token; and
 * custom-app mode (an Admin API token, or the client credentials grant).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SUBSCRIBED_TOPICS } from '../../src/tenants/connection.service.ts';
import { adminClient } from '../simulator/admin-client.ts';
import { idText } from '../simulator/ids.ts';
import { oauthHmac } from '../simulator/oauth.ts';
import { startSimulator, type Simulator } from '../simulator/server.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { freePort } from '../helpers/net.ts';

const API_KEY = 'connect-test-key';
const API_SECRET = 'connect-test-secret';
const SHOP = 'sim-shop-1.myshopify.com';
const CUSTOM_SHOP = 'sim-shop-2.myshopify.com';

describe('connecting a store', () => {
  let simulator: Simulator;
  let app: TestApp;
  let appUrl: string;

  before(async () => {
    simulator = await startSimulator({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      shops: [
        { seed: 1, orderCount: 10, timezone: 'Europe/Berlin', currency: 'EUR' },
        { seed: 2, orderCount: 10, timezone: 'Asia/Tokyo', currency: 'JPY' },
      ],
      delivery: { retryScheduleMs: [20, 50] },
      // Two minutes: inside the five-minute margin, so every use of the token refreshes it first.
      oauth: { accessTokenTtlSeconds: 120 },
    });
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    app = await startTestApp({
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_ADMIN_BASE_URL: `${simulator.url}/shops/{shop}`,
    });
    await app.server!.listen({ port, host: '127.0.0.1' });
  });
  after(async () => {
    await app.close();
    await simulator.close();
  });

  /**
   * A browser: follows redirects across Shopsight and the simulator, keeping Shopsight's cookies, asking
   * for JSON. Returns the last answer.
   */
  async function browse(start: string, jar = new Map<string, string>()): Promise<Response> {
    let url = start;
    for (let hop = 0; hop < 5; hop++) {
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, {
        redirect: 'manual',
        headers: {
          accept: 'application/json',
          ...(url.startsWith(appUrl) && cookie && { cookie }),
        },
      });
      if (url.startsWith(appUrl)) {
        for (const line of response.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const at = pair.indexOf('=');
          jar.set(pair.slice(0, at), pair.slice(at + 1));
        }
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return response;
      url = new URL(location, url).toString();
    }
    throw new Error('too many redirects');
  }

  const install = async (shop: string) => {
    const response = await browse(`${appUrl}/shopify/install?shop=${shop}`);
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { tenantId: string }).tenantId;
  };

  const tenantRow = async (shop: string) =>
    (
      await app.db.system.query<Record<string, string | null>>(
        `SELECT id::text, timezone, currency, connection_status, connection_method, access_token_encrypted,
                refresh_token_encrypted, webhook_secret_encrypted, access_token_expires_at
         FROM tenants WHERE shop_domain = $1`,
        [shop],
      )
    )[0];

  let tenantId: string;

  it('installs through OAuth: tenant with the store settings, webhooks subscribed, orders arriving', async () => {
    tenantId = await install(SHOP);
    const tenant = (await app.api('GET', `/api/v1/tenants/${tenantId}`)).json();
    assert.equal(tenant.shopDomain, SHOP);
    assert.equal(tenant.timezone, 'Europe/Berlin');
    assert.equal(tenant.currency, 'EUR');
    assert.equal(tenant.hasWebhookSecret, false, 'webhooks are signed with SHOPIFY_API_SECRET');

    const connection = (await app.api('GET', `/api/v1/tenants/${tenantId}/connection`)).json();
    assert.equal(connection.status, 'connected');
    assert.equal(connection.method, 'oauth');
    assert.deepEqual(connection.scopes, [
      'read_orders',
      'read_customers',
      'read_products',
      'read_inventory',
      'read_locations',
    ]);
    assert.ok(connection.accessTokenExpiresAt, 'an expiring offline token');

    const subscribed = simulator.shop(SHOP).subscriptions;
    assert.deepEqual(subscribed.map((sub) => sub.topic).sort(), [...SUBSCRIBED_TOPICS].sort());
    assert.ok(subscribed.every((sub) => sub.callbackUrl === `${appUrl}/webhooks/shopify`));
    assert.ok(SUBSCRIBED_TOPICS.includes('app/uninstalled'));

    const record = simulator.store.createOrder();
    await simulator.deliveriesSettled();
    const refused = simulator.dispatcher.attempts.filter((attempt) => attempt.status !== 200);
    assert.deepEqual(refused, [], 'every delivery was accepted');
    await app.drain();
    const [stored] = await app.db.system.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM orders WHERE tenant_id = $1 AND id = $2',
      [tenantId, idText(record.order.id)],
    );
    assert.equal(stored!.n, '1');
    const summary = await app.api(
      'GET',
      `/api/v1/tenants/${tenantId}/analytics/summary?from=2020-01-01&to=2030-12-31`,
    );
    assert.equal(summary.statusCode, 200, summary.body);
    assert.equal(summary.json().orders, record.order.test ? 0 : 1);
  });

  it('reconnects the same tenant, history kept, when the store installs again', async () => {
    const again = await install(SHOP);
    assert.equal(again, tenantId);
    const [orders] = await app.db.system.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM orders WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(orders!.n, '1');
    assert.equal(simulator.shop(SHOP).subscriptions.length, SUBSCRIBED_TOPICS.length, 'no duplicates');
  });

  it('disconnects on app/uninstalled, tokens wiped and history kept; a reinstall reconnects it', async () => {
    const summary = async () => {
      const response = await app.api(
        'GET',
        `/api/v1/tenants/${tenantId}/analytics/summary?from=2020-01-01&to=2030-12-31`,
      );
      assert.equal(response.statusCode, 200, response.body);
      return response.json().orders as number;
    };
    const ordersBefore = await summary();

    const attemptsBefore = simulator.dispatcher.attempts.length;
    simulator.uninstallApp(SHOP);
    await simulator.deliveriesSettled();
    const sent = simulator.dispatcher.attempts.slice(attemptsBefore);
    assert.deepEqual(
      sent.map((attempt) => [attempt.topic, attempt.status]),
      [['app/uninstalled', 200]],
    );
    await app.drain();

    const connection = (await app.api('GET', `/api/v1/tenants/${tenantId}/connection`)).json();
    assert.equal(connection.status, 'disconnected');
    assert.ok(connection.uninstalledAt);
    const row = (await tenantRow(SHOP))!;
    assert.equal(row.access_token_encrypted, null);
    assert.equal(row.refresh_token_encrypted, null);
    const [orders] = await app.db.system.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM orders WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(orders!.n, '1');

    assert.equal(await install(SHOP), tenantId);
    const reconnected = (await app.api('GET', `/api/v1/tenants/${tenantId}/connection`)).json();
    assert.equal(reconnected.status, 'connected');
    assert.equal(reconnected.uninstalledAt, null);
    assert.equal(simulator.shop(SHOP).subscriptions.length, SUBSCRIBED_TOPICS.length);
    assert.equal(await summary(), ordersBefore);
  });

  describe('refuses a tampered callback and creates no tenant', () => {
    const shop = 'tampered-shop.myshopify.com';
    const jar = new Map<string, string>();
    let state: string;

    before(async () => {
      const response = await fetch(`${appUrl}/shopify/install?shop=${shop}`, { redirect: 'manual' });
      assert.equal(response.status, 302);
      const location = new URL(response.headers.get('location')!);
      assert.equal(
        location.origin + location.pathname,
        `${simulator.url}/shops/${shop}/admin/oauth/authorize`,
      );
      assert.equal(location.searchParams.get('client_id'), API_KEY);
      assert.equal(location.searchParams.get('redirect_uri'), `${appUrl}/shopify/callback`);
      assert.equal(location.searchParams.get('grant_options[]'), '');
      state = location.searchParams.get('state')!;
      const [pair = ''] = response.headers.getSetCookie()[0]!.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    });

    const callback = (params: Record<string, string>, signed = true) => {
      const query = { ...params, ...(signed && { hmac: oauthHmac(params, API_SECRET) }) };
      return fetch(`${appUrl}/shopify/callback?${new URLSearchParams(query)}`, {
        headers: {
          accept: 'application/json',
          cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        },
      });
    };
    const valid = () => ({
      code: 'abc123',
      shop,
      state,
      timestamp: String(Math.floor(Date.now() / 1000)),
    });

    const refused = async (response: Response, status: number, code: string) => {
      assert.equal(response.status, status);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, code);
      assert.equal(await tenantRow(shop), undefined);
    };

    it('answers 400 invalid_shop for a bad shop at install and at the callback', async () => {
      const install = await fetch(`${appUrl}/shopify/install?shop=evil.example.com`, { redirect: 'manual' });
      assert.equal(install.status, 400);
      assert.equal(((await install.json()) as { error: { code: string } }).error.code, 'invalid_shop');
      await refused(await callback({ ...valid(), shop: 'evil.example.com' }), 400, 'invalid_shop');
    });

    it('answers 401 invalid_hmac for a wrong or missing signature', async () => {
      const params = valid();
      const query = { ...params, hmac: oauthHmac({ ...params, code: 'other' }, API_SECRET) };
      const forged = await fetch(`${appUrl}/shopify/callback?${new URLSearchParams(query)}`, {
        headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      await refused(forged, 401, 'invalid_hmac');
      await refused(await callback(valid(), false), 401, 'invalid_hmac');
      const wrongKey = { ...params, hmac: oauthHmac(params, 'not-the-secret') };
      await refused(
        await fetch(`${appUrl}/shopify/callback?${new URLSearchParams(wrongKey)}`),
        401,
        'invalid_hmac',
      );
    });

    it('answers 401 invalid_state for another state or without the cookie', async () => {
      await refused(await callback({ ...valid(), state: 'someone-elses-state' }), 401, 'invalid_state');
      const params = valid();
      const noCookie = await fetch(
        `${appUrl}/shopify/callback?${new URLSearchParams({ ...params, hmac: oauthHmac(params, API_SECRET) })}`,
      );
      await refused(noCookie, 401, 'invalid_state');
    });

    it('answers 400 stale_request for a timestamp older than five minutes', async () => {
      const stale = { ...valid(), timestamp: String(Math.floor(Date.now() / 1000) - 3600) };
      await refused(await callback(stale), 400, 'stale_request');
    });
  });

  it('refreshes an expiring token before use and stores the new one sealed', async () => {
    const first = await app.connections.accessTokenFor(tenantId);
    const second = await app.connections.accessTokenFor(tenantId);
    assert.notEqual(first, second, 'the two-minute token was refreshed on each use');
    const client = adminClient(simulator.shopBaseUrl(SHOP), second);
    assert.equal((await client.graphql('{ shop { name } }')).status, 200);
    assert.equal(
      (await adminClient(simulator.shopBaseUrl(SHOP), first).graphql('{ shop { name } }')).status,
      401,
    );
    const row = (await tenantRow(SHOP))!;
    assert.ok(!JSON.stringify(row).includes(second), 'the raw token is not in the row');
    assert.match(row.access_token_encrypted!, /^v1\./);
    assert.match(row.refresh_token_encrypted!, /^v1\./);
    assert.ok(Date.parse(row.access_token_expires_at!) > Date.now());
  });

  describe('custom-app mode', () => {
    let customId: string;
    before(async () => {
      customId = (await app.createTenant({ shopDomain: CUSTOM_SHOP })).id;
    });

    it('connects with an Admin API token and its webhook secret', async () => {
      const token = simulator.issueAccessToken(CUSTOM_SHOP);
      const response = await app.api('POST', `/api/v1/tenants/${customId}/connection`, {
        method: 'custom_app',
        accessToken: token,
        webhookSecret: API_SECRET,
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().timezone, 'Asia/Tokyo');
      assert.equal(response.json().currency, 'JPY');
      assert.equal(response.json().hasWebhookSecret, true);
      const connection = await app.api('GET', `/api/v1/tenants/${customId}/connection`);
      assert.equal(connection.json().status, 'connected');
      assert.equal(connection.json().method, 'custom_app');
      assert.ok(!connection.body.includes(token));
      assert.equal(simulator.shop(CUSTOM_SHOP).subscriptions.length, SUBSCRIBED_TOPICS.length);
      assert.equal(await app.connections.accessTokenFor(customId), token);
    });

    it('refuses a token of another store', async () => {
      const response = await app.api('POST', `/api/v1/tenants/${customId}/connection`, {
        method: 'custom_app',
        accessToken: simulator.issueAccessToken(SHOP),
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'invalid_access_token');
    });

    it('connects through the client credentials grant; a wrong secret is refused', async () => {
      const wrong = await app.api('POST', `/api/v1/tenants/${customId}/connection`, {
        method: 'client_credentials',
        clientId: API_KEY,
        clientSecret: 'wrong',
      });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().error.code, 'shopify_grant_refused');

      const response = await app.api('POST', `/api/v1/tenants/${customId}/connection`, {
        method: 'client_credentials',
        clientId: API_KEY,
        clientSecret: API_SECRET,
      });
      assert.equal(response.statusCode, 200, response.body);
      const connection = await app.api('GET', `/api/v1/tenants/${customId}/connection`);
      assert.equal(connection.json().method, 'client_credentials');
      assert.ok(connection.json().accessTokenExpiresAt);
      assert.ok(!connection.body.includes(API_SECRET));
      const token = await app.connections.accessTokenFor(customId);
      const answer = await adminClient(simulator.shopBaseUrl(CUSTOM_SHOP), token).graphql(
        '{ shop { name } }',
      );
      assert.equal(answer.status, 200);
      assert.ok(!JSON.stringify(await tenantRow(CUSTOM_SHOP)).includes(token));
    });
  });
});
