// Configuration must fail fast with the offending variable's name, and the copy that is logged at start
// (redactedConfig) must never carry a secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig, redactedConfig } from './config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const ADMIN_TOKEN = 'admin-token-0123456789';
const API_SECRET = 'shpss_0123456789abcdef';
const DB_PASSWORD = 'Sup3rS3cretPw';

/** Asserts that `env` is rejected with a ConfigError whose message has a line for `variable`. */
function assertRejected(env: NodeJS.ProcessEnv, variable: string) {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      assert.equal(error.name, 'ConfigError');
      assert.match(error.message, new RegExp(`^\\s+${variable}: `, 'm'));
      return true;
    },
  );
}

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 4000);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.SHOPSIGHT_DATA_DIR, './data');
    // Shopify sends orders of several MB; the limit must never fall under 5 MiB.
    assert.ok(config.SHOPSIGHT_WEBHOOK_BODY_LIMIT >= 5 * 1024 * 1024);
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.SHOPSIGHT_ADMIN_TOKEN, undefined);
    assert.equal(config.SHOPSIGHT_ENCRYPTION_KEY, undefined);
    assert.equal(config.SHOPIFY_API_SECRET, undefined);
    assert.equal(config.LOG_LEVEL, 'info');
  });

  it('coerces numbers from their text', () => {
    const config = loadConfig({ PORT: '8080', SHOPSIGHT_WEBHOOK_BODY_LIMIT: String(6 * 1024 * 1024) });
    assert.equal(config.PORT, 8080);
    assert.equal(config.SHOPSIGHT_WEBHOOK_BODY_LIMIT, 6 * 1024 * 1024);
  });

  it('keeps valid values as given', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://shopsight:pw@db:5432/shopsight',
      SHOPSIGHT_DATA_DIR: '/var/lib/shopsight',
      SHOPSIGHT_ADMIN_TOKEN: ADMIN_TOKEN,
      SHOPSIGHT_ENCRYPTION_KEY: KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      LOG_LEVEL: 'debug',
    });
    assert.equal(config.HOST, '0.0.0.0');
    assert.equal(config.DATABASE_URL, 'postgres://shopsight:pw@db:5432/shopsight');
    assert.equal(config.SHOPSIGHT_DATA_DIR, '/var/lib/shopsight');
    assert.equal(config.SHOPSIGHT_ADMIN_TOKEN, ADMIN_TOKEN);
    assert.equal(config.SHOPSIGHT_ENCRYPTION_KEY, KEY);
    assert.equal(config.SHOPIFY_API_SECRET, API_SECRET);
    assert.equal(config.LOG_LEVEL, 'debug');
  });

  it('rejects an invalid PORT, naming it', () => {
    for (const port of ['abc', '70000', '-1', '80.5']) assertRejected({ PORT: port }, 'PORT');
  });

  it('rejects a DATABASE_URL that is not a URL, naming it', () => {
    assertRejected({ DATABASE_URL: 'not a url' }, 'DATABASE_URL');
  });

  it('rejects an encryption key that is not 32 bytes of base64, naming it', () => {
    for (const key of [Buffer.alloc(16).toString('base64'), Buffer.alloc(33).toString('base64'), 'short']) {
      assertRejected({ SHOPSIGHT_ENCRYPTION_KEY: key }, 'SHOPSIGHT_ENCRYPTION_KEY');
    }
    // `openssl rand -hex 32` is a common mistake: 64 hex digits decode to 48 bytes as base64.
    assertRejected({ SHOPSIGHT_ENCRYPTION_KEY: 'ab'.repeat(32) }, 'SHOPSIGHT_ENCRYPTION_KEY');
  });

  it('rejects an admin token shorter than 16 characters, naming it', () => {
    assertRejected({ SHOPSIGHT_ADMIN_TOKEN: 'x'.repeat(15) }, 'SHOPSIGHT_ADMIN_TOKEN');
    assert.equal(loadConfig({ SHOPSIGHT_ADMIN_TOKEN: 'x'.repeat(16) }).SHOPSIGHT_ADMIN_TOKEN, 'x'.repeat(16));
  });

  it('rejects a webhook body limit under 5 MiB, naming it', () => {
    assertRejected(
      { SHOPSIGHT_WEBHOOK_BODY_LIMIT: String(5 * 1024 * 1024 - 1) },
      'SHOPSIGHT_WEBHOOK_BODY_LIMIT',
    );
  });

  it('names every invalid variable at once', () => {
    const env = { PORT: 'abc', SHOPSIGHT_ADMIN_TOKEN: 'short', DATABASE_URL: 'nope' };
    for (const variable of Object.keys(env)) assertRejected(env, variable);
  });

  it('treats empty secrets and DATABASE_URL as unset', () => {
    const config = loadConfig({
      DATABASE_URL: '',
      SHOPSIGHT_ADMIN_TOKEN: '',
      SHOPSIGHT_ENCRYPTION_KEY: '',
      SHOPIFY_API_SECRET: '',
    });
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.SHOPSIGHT_ADMIN_TOKEN, undefined);
    assert.equal(config.SHOPSIGHT_ENCRYPTION_KEY, undefined);
    assert.equal(config.SHOPIFY_API_SECRET, undefined);
  });

  it('treats empty PORT, HOST, data dir, log level and numbers as unset', () => {
    const config = loadConfig({
      PORT: '',
      HOST: '',
      SHOPSIGHT_DATA_DIR: '',
      LOG_LEVEL: '',
      SHOPSIGHT_TENANT_CACHE_TTL_MS: '',
    });
    assert.equal(config.PORT, 4000);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.SHOPSIGHT_DATA_DIR, './data');
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.SHOPSIGHT_TENANT_CACHE_TTL_MS, 5000);
  });
});

describe('redactedConfig', () => {
  const config = loadConfig({
    DATABASE_URL: `postgres://shopsight:${DB_PASSWORD}@db.internal:5432/shopsight`,
    SHOPSIGHT_ADMIN_TOKEN: ADMIN_TOKEN,
    SHOPSIGHT_ENCRYPTION_KEY: KEY,
    SHOPIFY_API_SECRET: API_SECRET,
  });

  it('contains none of the secret values', () => {
    const logged = JSON.stringify(redactedConfig(config));
    for (const secret of [DB_PASSWORD, ADMIN_TOKEN, KEY, API_SECRET]) {
      assert.equal(logged.includes(secret), false, `leaked ${secret}`);
    }
  });

  it('marks which secrets are set and keeps the rest of the configuration', () => {
    const redacted = redactedConfig(config);
    assert.equal(redacted.SHOPSIGHT_ADMIN_TOKEN, '***');
    assert.equal(redacted.SHOPSIGHT_ENCRYPTION_KEY, '***');
    assert.equal(redacted.SHOPIFY_API_SECRET, '***');
    // Host and database stay visible: they are what an operator needs to debug a connection.
    assert.equal(redacted.DATABASE_URL, 'postgres://shopsight:***@db.internal:5432/shopsight');
    assert.equal(redacted.PORT, 4000);
    assert.equal(redacted.HOST, '127.0.0.1');
  });

  it('leaves unset secrets unset', () => {
    const redacted = redactedConfig(loadConfig({}));
    assert.equal(redacted.DATABASE_URL, undefined);
    assert.equal(redacted.SHOPSIGHT_ADMIN_TOKEN, undefined);
    assert.equal(redacted.SHOPSIGHT_ENCRYPTION_KEY, undefined);
    assert.equal(redacted.SHOPIFY_API_SECRET, undefined);
  });

  it('does not modify the configuration it is given', () => {
    redactedConfig(config);
    assert.equal(config.SHOPSIGHT_ADMIN_TOKEN, ADMIN_TOKEN);
    assert.equal(config.DATABASE_URL, `postgres://shopsight:${DB_PASSWORD}@db.internal:5432/shopsight`);
  });

  it('hides a database password given with an unescaped @ or as a query parameter', () => {
    for (const url of [
      'postgres://shopsight:Sup3r@S3cretPw@db/shopsight',
      `postgres://db/shopsight?password=${DB_PASSWORD}`,
    ]) {
      const logged = String(redactedConfig(loadConfig({ DATABASE_URL: url })).DATABASE_URL);
      assert.equal(logged.includes('S3cretPw'), false, `leaked in ${logged}`);
    }
  });
});
