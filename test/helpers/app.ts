/**
 * A whole Shopsight (HTTP server and inbox worker) on a fresh test database, driven without a network
 * through Fastify's `inject`. The worker does not poll: tests call `drain()` so that every step is
 * deterministic.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { signWebhookBody } from '../../src/shopify/hmac.ts';
import type { Tenant } from '../../src/tenants/tenant.service.ts';
import type { Queryable } from '../../src/db/client.ts';
import { openTestDatabase } from './database.ts';

export type Delivery = {
  shopDomain: string;
  secret: string;
  topic: string;
  body: string | Buffer;
  eventId?: string | null;
  webhookId?: string | null;
  triggeredAt?: string;
  /** Headers to add or override (a value of undefined removes the header). */
  headers?: Record<string, string | undefined>;
};

export type TestApp = App & {
  token: string;
  /** The tables' owner, for fault injection (ALTER TABLE). */
  owner: Queryable;
  /** The test database's URL on PostgreSQL (for child processes); undefined on PGlite. */
  databaseUrl: string | undefined;
  /** Sends a request to the API with the admin token. */
  api(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  /** Creates a tenant through the API; throws unless 201. */
  createTenant(input: {
    shopDomain: string;
    timezone?: string;
    currency?: string;
    webhookSecret?: string;
  }): Promise<Tenant>;
  /** Delivers a webhook signed like Shopify. */
  deliver(delivery: Delivery): Promise<LightMyRequestResponse>;
  /** Runs the worker until no due event is left. */
  drain(): Promise<number>;
};

/** Starts a Shopsight on a fresh test database. Close it with `close()` (drops the database). */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const { db, owner, url, drop } = await openTestDatabase();
  const token = randomBytes(18).toString('base64url');
  const config = loadConfig({
    SHOPSIGHT_ADMIN_TOKEN: token,
    SHOPSIGHT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: 'postgres://unused.invalid/test',
    LOG_LEVEL: 'silent',
    SHOPSIGHT_WORKER_BACKOFF_BASE_MS: '1',
    ...env,
  });
  const app = await createApp(config, 'all', { db });
  const server = app.server!;
  await server.ready();
  return {
    ...app,
    token,
    owner,
    databaseUrl: url,
    async close() {
      await app.close();
      await drop();
    },
    api: (method, url, body) =>
      server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined && { payload: body as object }),
      }),
    async createTenant(input) {
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { authorization: `Bearer ${token}` },
        payload: input,
      });
      if (response.statusCode !== 201)
        throw new Error(`create tenant: ${response.statusCode} ${response.body}`);
      return response.json<Tenant>();
    },
    deliver(delivery) {
      const headers: Record<string, string | undefined> = {
        'content-type': 'application/json',
        'x-shopify-topic': delivery.topic,
        'x-shopify-shop-domain': delivery.shopDomain,
        'x-shopify-hmac-sha256': signWebhookBody(delivery.body, delivery.secret),
        'x-shopify-api-version': '2026-04',
        'x-shopify-webhook-id':
          delivery.webhookId === undefined
            ? randomBytes(8).toString('hex')
            : (delivery.webhookId ?? undefined),
        'x-shopify-event-id':
          delivery.eventId === undefined ? randomBytes(8).toString('hex') : (delivery.eventId ?? undefined),
        'x-shopify-triggered-at': delivery.triggeredAt ?? new Date().toISOString(),
        ...delivery.headers,
      };
      const present = Object.fromEntries(
        Object.entries(headers).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      return server.inject({
        method: 'POST',
        url: '/webhooks/shopify',
        headers: present,
        payload: delivery.body,
      });
    },
    drain: () => app.worker!.drain(),
  };
}
