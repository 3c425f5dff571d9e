// OAuth as the simulator plays it: the authorize redirect is signed as Shopify signs it (checked with
// @shopify/shopify-api's own validateHmac), and the token endpoint grants offline, expiring (with refresh),
// online and client-credentials tokens, and refuses what it should.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';

import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';

import { adminClient } from './admin-client.ts';
import { oauthHmac } from './oauth.ts';
import { startSimulator, type Simulator } from './server.ts';

const API_KEY = 'oauth-test-key';
const API_SECRET = 'oauth-test-secret';
const REDIRECT = 'http://127.0.0.1:9/auth/callback';

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: API_SECRET,
  scopes: ['read_orders'],
  hostName: 'localhost',
  apiVersion: ApiVersion.April26,
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: () => {} },
});

let simulator: Simulator;
let shop: string;
let clock = Date.now();

before(async () => {
  simulator = await startSimulator({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    shops: [{ orderCount: 5 }],
    now: () => clock,
  });
  shop = simulator.shops[0] as string;
});
after(() => simulator.close());

/** Runs the authorize step and returns the redirect's query parameters. */
async function authorize(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const query = new URLSearchParams({
    client_id: API_KEY,
    scope: 'read_orders,read_customers',
    redirect_uri: REDIRECT,
    state: 'nonce-123',
    ...extra,
  });
  const response = await fetch(`${simulator.shopBaseUrl(shop)}/admin/oauth/authorize?${query}`, {
    redirect: 'manual',
  });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location') as string);
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  return Object.fromEntries(location.searchParams);
}

async function token(body: Record<string, unknown>) {
  const response = await fetch(`${simulator.shopBaseUrl(shop)}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: API_KEY, client_secret: API_SECRET, ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function works(accessToken: unknown): Promise<boolean> {
  const answer = await adminClient(simulator.shopBaseUrl(shop), String(accessToken)).graphql(
    '{ shop { id } }',
  );
  return answer.status === 200;
}

describe('authorize', () => {
  test('redirects with code, host, shop, state and timestamp, signed as Shopify signs them', async () => {
    clock = Date.now();
    const params = await authorize();
    assert.deepEqual(Object.keys(params).sort(), ['code', 'hmac', 'host', 'shop', 'state', 'timestamp']);
    assert.equal(params.shop, shop);
    assert.equal(params.state, 'nonce-123');
    assert.equal(params.hmac, oauthHmac(params, API_SECRET));
    assert.equal(await shopify.utils.validateHmac(params), true);
    assert.equal(await shopify.utils.validateHmac({ ...params, state: 'tampered' }), false);
  });

  test('refuses an unknown client id', async () => {
    const query = new URLSearchParams({ client_id: 'other', redirect_uri: REDIRECT });
    const response = await fetch(`${simulator.shopBaseUrl(shop)}/admin/oauth/authorize?${query}`, {
      redirect: 'manual',
    });
    assert.equal(response.status, 400);
  });
});

describe('access_token grants', () => {
  test('authorization code: an offline token, once; a wrong secret is refused', async () => {
    const { code } = await authorize();
    const wrongSecret = await token({ code, client_secret: 'nope' });
    assert.deepEqual([wrongSecret.status, wrongSecret.body.error], [400, 'invalid_client']);
    const granted = await token({ code });
    assert.equal(granted.status, 200);
    assert.deepEqual(Object.keys(granted.body).sort(), ['access_token', 'scope']);
    assert.equal(granted.body.scope, 'read_orders,read_customers');
    assert.ok(await works(granted.body.access_token));
    const reused = await token({ code });
    assert.deepEqual(reused, {
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'The authorization code was not found or was already used',
      },
    });
  });

  test('expiring offline token: expires, refreshes, rotates, and the old refresh token lasts until the new token is used', async () => {
    clock = Date.now();
    const first = (await token({ code: (await authorize()).code, expiring: '1' })).body;
    assert.deepEqual(Object.keys(first).sort(), [
      'access_token',
      'expires_in',
      'refresh_token',
      'refresh_token_expires_in',
      'scope',
    ]);
    assert.equal(first.expires_in, 3600);
    assert.equal(first.refresh_token_expires_in, 90 * 86_400);
    assert.ok(await works(first.access_token));
    clock += 3601 * 1000;
    assert.equal(await works(first.access_token), false, 'expired after an hour');

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
    // The response could have been lost: until the new token is used, the old refresh token still works.
    const again = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(again.status, 200);
    assert.equal(await works(refreshed.body.access_token), false, 'superseded by the second refresh');
    assert.ok(await works(again.body.access_token));
    const stale = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.deepEqual([stale.status, stale.body.error], [400, 'invalid_grant']);

    // A new expiring grant revokes the shop's previous expiring token.
    const replaced = (await token({ code: (await authorize()).code, expiring: '1' })).body;
    assert.equal(await works(again.body.access_token), false);
    assert.ok(await works(replaced.access_token));
  });

  test('client credentials and online (per-user) tokens', async () => {
    const credentials = await token({ grant_type: 'client_credentials' });
    assert.equal(credentials.status, 200);
    assert.equal(credentials.body.expires_in, 86_399);
    assert.ok(await works(credentials.body.access_token));
    const online = await token({ code: (await authorize({ 'grant_options[]': 'per-user' })).code });
    assert.equal(online.body.expires_in, 86_399);
    assert.equal((online.body.associated_user as { account_owner: boolean }).account_owner, true);
    const unsupported = await token({ grant_type: 'password' });
    assert.deepEqual([unsupported.status, unsupported.body.error], [400, 'unsupported_grant_type']);
  });

  test('a form-encoded request and a shop addressed by its Host header work too', async () => {
    const { code } = await authorize();
    const body = new URLSearchParams({
      client_id: API_KEY,
      client_secret: API_SECRET,
      code: code as string,
    }).toString();
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: simulator.port,
          path: '/admin/oauth/access_token',
          method: 'POST',
          headers: {
            host: shop,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(answer.status, 200, answer.text);
    assert.ok(await works((JSON.parse(answer.text) as { access_token: string }).access_token));
  });
});

test('the simulator listens on loopback only', async () => {
  await assert.rejects(startSimulator({ host: '0.0.0.0' }), /loopback only/);
});
