/**
 * `npm run sync:check [-- --orders 100000]`: the issue's large-store check, on PostgreSQL. A simulated store
 * of N orders is connected in custom-app mode and backfilled end to end (bulk operation, JSONL stream,
 * batched writes) by the job system's own run; the stored orders must then match the simulator's ground
 * truth (count, test and cancelled orders, refunds, line items, discounts, tax, total price, refunded).
 * Prints the duration of each resource and exits 1 on any difference. Uses a throwaway database on the
 * server at `TEST_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Big from 'big.js';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SYNCED_RESOURCES } from '../src/sync/graphql-shapes.ts';
import { openTestDatabase } from '../test/helpers/database.ts';
import { groundTruth } from '../test/simulator/generator.ts';
import type { RestRecord } from '../test/simulator/rest-shapes.ts';
import { startSimulator } from '../test/simulator/server.ts';

const SECRET = 'sync-check-secret';

async function main() {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '100000' } } });
  const orders = Number(values.orders);
  process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const started = Date.now();
  const simulator = await startSimulator({
    apiSecret: SECRET,
    shops: [{ seed: 7, orderCount: orders, customerCount: Math.ceil(orders / 3), productCount: 25 }],
    bulk: { chunkSize: 1000 },
    delivery: { retryScheduleMs: [] },
  });
  const { db, drop } = await openTestDatabase();
  const app = await createApp(
    loadConfig({
      DATABASE_URL: 'postgres://unused.invalid/check',
      SHOPSIGHT_ADMIN_TOKEN: randomBytes(18).toString('base64url'),
      SHOPSIGHT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_ADMIN_BASE_URL: `${simulator.url}/shops/{shop}`,
      SHOPSIGHT_PUBLIC_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
    }),
    'api',
    { db },
  );
  let failures = 0;
  try {
    const shop = simulator.shops[0]!;
    const tenant = await app.tenants.create({ shopDomain: shop });
    await app.connections.connectCustomApp(tenant.id, {
      method: 'custom_app',
      accessToken: simulator.issueAccessToken(shop),
      webhookSecret: SECRET,
    });
    for (const resource of SYNCED_RESOURCES) {
      const at = Date.now();
      await app.sync.run({ tenantId: tenant.id, resource, mode: 'backfill' });
      process.stdout.write(`${resource}: backfilled in ${((Date.now() - at) / 1000).toFixed(1)} s\n`);
    }

    const store = simulator.store;
    const all: RestRecord[] = [];
    for (let index = 0; index < store.orders.length; index++) all.push(store.orders.get(index)!.order);
    const truth = groundTruth(all);
    const [got] = await db.system.query<Record<string, string>>(
      `SELECT count(*)::text AS orders, count(*) FILTER (WHERE test)::text AS test_orders,
              count(*) FILTER (WHERE cancelled_at IS NOT NULL)::text AS cancelled_orders,
              sum(total_discounts)::text AS discounts, sum(total_tax)::text AS tax,
              sum(total_price)::text AS total_price,
              sum(total_price - (raw->>'current_total_price')::numeric)::text AS refunded,
              (SELECT count(*) FROM refunds WHERE tenant_id = $1)::text AS refunds,
              (SELECT sum(price * quantity) FROM order_line_items WHERE tenant_id = $1)::text AS line_items
         FROM orders WHERE tenant_id = $1`,
      [tenant.id],
    );
    const expected: Record<string, string | number> = {
      orders: truth.orders,
      test_orders: truth.testOrders,
      cancelled_orders: truth.cancelledOrders,
      refunds: truth.refunds,
      line_items: truth.lineItemsTotal,
      discounts: truth.discounts,
      tax: truth.tax,
      total_price: truth.totalPrice,
      refunded: truth.refunded,
    };
    for (const [name, value] of Object.entries(expected)) {
      const match = new Big(got![name] ?? 'NaN').eq(value);
      if (!match) failures += 1;
      process.stdout.write(`${match ? 'ok  ' : 'DIFF'} ${name}: ${got![name]} (simulator ${value})\n`);
    }
    const [customers] = await db.system.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM customers WHERE tenant_id = $1',
      [tenant.id],
    );
    process.stdout.write(`customers: ${customers!.n} stored (store ${store.customers.length})\n`);
    if (Number(customers!.n) !== store.customers.length) failures += 1;
  } finally {
    await app.close();
    await drop();
    await simulator.close();
  }
  process.stdout.write(
    `sync check of ${orders} orders: ${failures === 0 ? 'all match' : `${failures} difference(s)`} in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
