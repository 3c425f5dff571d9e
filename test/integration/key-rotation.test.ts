/**
 * Rotating SHOPSIGHT_ENCRYPTION_KEY without losing data: values sealed with the old key still open when it
 * is listed in SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS, new values are sealed with the new key, and a process
 * that lacks the old key refuses only the affected shop's webhooks.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { signWebhookBody } from '../../src/shopify/hmac.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { orderBody } from '../helpers/factories.ts';

const SHOP = 'rotation.myshopify.com';
const SECRET = 'rotation-webhook-secret';
const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const token = randomBytes(18).toString('base64url');

describe('encryption key rotation', () => {
  let database: TestDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.drop());

  /** A Shopsight on the shared test database; `close` leaves the database open for the next one. */
  const start = async (env: Record<string, string>): Promise<App> => {
    const config = loadConfig({
      SHOPSIGHT_ADMIN_TOKEN: token,
      DATABASE_URL: 'postgres://unused.invalid/test',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const app = await createApp(config, 'api', { db: { ...database.db, close: async () => undefined } });
    await app.server!.ready();
    return app;
  };
  const deliver = (app: App) => {
    const body = orderBody().json;
    return app.server!.inject({
      method: 'POST',
      url: '/webhooks/shopify',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': SHOP,
        'x-shopify-hmac-sha256': signWebhookBody(body, SECRET),
        'x-shopify-event-id': randomBytes(8).toString('hex'),
      },
      payload: body,
    });
  };

  it('opens values sealed with the previous key and seals new ones with the current key', async () => {
    const first = await start({ SHOPSIGHT_ENCRYPTION_KEY: oldKey });
    const created = await first.server!.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: { authorization: `Bearer ${token}` },
      payload: { shopDomain: SHOP, webhookSecret: SECRET },
    });
    assert.equal(created.statusCode, 201);
    assert.equal((await deliver(first)).statusCode, 200);
    await first.close();

    const withoutOldKey = await start({ SHOPSIGHT_ENCRYPTION_KEY: newKey });
    assert.equal(
      (await deliver(withoutOldKey)).statusCode,
      401,
      'without the old key the secret cannot be opened',
    );
    await withoutOldKey.close();

    const rotated = await start({
      SHOPSIGHT_ENCRYPTION_KEY: newKey,
      SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS: oldKey,
    });
    assert.equal((await deliver(rotated)).statusCode, 200, 'the old key still opens what it sealed');
    const [before] = await database.db.system.query<{ sealed: string }>(
      'SELECT webhook_secret_encrypted AS sealed FROM tenants WHERE shop_domain = $1',
      [SHOP],
    );
    const patched = await rotated.server!.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${created.json().id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { webhookSecret: SECRET },
    });
    assert.equal(patched.statusCode, 200);
    const [after] = await database.db.system.query<{ sealed: string }>(
      'SELECT webhook_secret_encrypted AS sealed FROM tenants WHERE shop_domain = $1',
      [SHOP],
    );
    assert.notEqual(
      after!.sealed.split('.')[1],
      before!.sealed.split('.')[1],
      'resealed under the new key id',
    );
    await rotated.close();

    const newOnly = await start({ SHOPSIGHT_ENCRYPTION_KEY: newKey });
    assert.equal((await deliver(newOnly)).statusCode, 200, 'once resealed, the old key is no longer needed');
    await newOnly.close();
  });
});
