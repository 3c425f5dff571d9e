/**
 * `npm run demo`: Shopsight on real numbers without a Shopify account. Starts the Shopify simulator with a
 * generated store (300 orders over the last 60 days), starts Shopsight in this process on embedded
 * PGlite in a fresh temporary data dir, connects the store in custom-app mode, has the simulator send
 * every order to Shopsight as an `orders/updated` webhook, waits for the inbox to drain, and prints the
 * API URL, the admin token, the tenant id, the analytics summary and curl examples. Runs until Ctrl-C;
 * `--exit` stops after printing (for checks).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Queryable } from '../src/db/client.ts';
import { idText } from '../test/simulator/ids.ts';
import { startSimulator } from '../test/simulator/server.ts';
import { freePort } from '../test/helpers/net.ts';

const API_KEY = 'demo-api-key';
const API_SECRET = 'demo-api-secret';
const ORDERS = 300;
const DAYS = 60;
/** Orders sent per round: the simulator fires a round's deliveries at once, so this bounds the burst. */
const ROUND = 50;
const DRAIN_TIMEOUT_MS = 60_000;

/** `YYYY-MM-DD` of `date` in UTC. */
const day = (date: Date) => date.toISOString().slice(0, 10);

async function main() {
  const { values } = parseArgs({ options: { exit: { type: 'boolean', default: false } } });
  const started = Date.now();
  const today = new Date();
  const from = day(new Date(today.getTime() - DAYS * 86_400_000));
  const to = day(today);

  const simulator = await startSimulator({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    shops: [{ seed: 1, orderCount: ORDERS, startDate: from, days: DAYS }],
    // Seconds rather than Shopify's hours, so a delivery refused while Shopsight starts is retried in time.
    delivery: { retryScheduleMs: [500, 1000, 2000, 5000] },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'shopsight-demo-'));
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const app = await createApp(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      SHOPSIGHT_DATA_DIR: dataDir,
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: apiUrl,
      SHOPIFY_ADMIN_BASE_URL: `${simulator.url}/shops/{shop}`,
      LOG_LEVEL: 'warn',
    }),
    'all',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await simulator.close();
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    app.worker?.start();
    await app.server!.listen({ port, host: '127.0.0.1' });

    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${app.adminToken}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };

    const shop = simulator.shops[0]!;
    const tenant = await api('POST', '/api/v1/tenants', { shopDomain: shop });
    const tenantId = String(tenant.id);
    await api('POST', `/api/v1/tenants/${tenantId}/connection`, {
      method: 'custom_app',
      accessToken: simulator.issueAccessToken(shop),
      webhookSecret: API_SECRET,
    });

    // The connection subscribed Shopsight's webhook route; touching each order sends it as orders/updated.
    const store = simulator.store;
    for (let position = 0; position < store.orders.length; position += ROUND) {
      const end = Math.min(position + ROUND, store.orders.length);
      for (let index = position; index < end; index += 1) {
        store.updateOrder(idText(store.orders.get(index)!.order.id), {});
      }
      await simulator.deliveriesSettled();
    }
    await waitForInbox(app.db.system, started + DRAIN_TIMEOUT_MS);

    const summary = await api('GET', `/api/v1/tenants/${tenantId}/analytics/summary?from=${from}&to=${to}`);
    const auth = `-H 'Authorization: Bearer ${app.adminToken}'`;
    const base = `${apiUrl}/api/v1/tenants/${tenantId}`;
    console.log(`
Shopsight demo (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  API URL       ${apiUrl}
  admin token   ${app.adminToken}
  tenant id     ${tenantId}
  store         ${shop} (simulated at ${simulator.url}, ${store.orders.length} orders sent by webhook)

Analytics summary, ${from} to ${to}:
${JSON.stringify(summary, null, 2)}

Try:
  curl ${auth} '${base}/analytics/summary?from=${from}&to=${to}&compare=previous_period'
  curl ${auth} '${base}/analytics/sales-over-time?from=${from}&to=${to}&interval=week'
  curl ${auth} '${base}/connection'
`);

    if (values.exit) {
      await stop();
      return;
    }
    console.log('Running; Ctrl-C to stop.');
    const onSignal = () => void stop().then(() => process.exit(0));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until the inbox holds no pending event: the worker has written every delivered order. */
async function waitForInbox(db: Queryable, deadline: number): Promise<void> {
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM webhook_events WHERE status = 'pending'",
    );
    if (row?.n === 0) return;
    if (Date.now() > deadline) throw new Error(`the inbox still holds ${row?.n} events after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

await main();
