/**
 * Backfill and reconciliation against the Shopify simulator: a bulk backfill interrupted after two batches
 * resumes from its committed line and ends with the simulator's own totals (counts and sums) and the same
 * sales figures the webhook normalizer gives for the same orders; customers and products backfill; orders
 * created, refunded and deleted while webhooks were missed are repaired by reconciliation (with its counts);
 * a throttling store (leaky bucket and HTTP 429) still completes; and the control API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Big from 'big.js';
import { pino } from 'pino';
import { normalizeOrder } from '../../src/ingest/normalize.ts';
import { parseJsonLossless } from '../../src/lib/json.ts';
import { SyncService, type SyncJob } from '../../src/sync/sync.service.ts';
import { groundTruth } from '../simulator/generator.ts';
import { idText } from '../simulator/ids.ts';
import type { RestRecord } from '../simulator/rest-shapes.ts';
import { startSimulator, type Simulator } from '../simulator/server.ts';
import type { ThrottleOptions } from '../simulator/throttle.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const API_SECRET = 'sync-test-secret';
const ORDERS = 2000;
const log = pino({ level: 'silent' });

/** Every order the store has now, as its REST record. */
function storeOrders(simulator: Simulator, shop: string): RestRecord[] {
  const orders = simulator.shop(shop).store.orders;
  const all: RestRecord[] = [];
  for (let index = 0; index < orders.length; index++) {
    const record = orders.get(index);
    if (record) all.push(record.order);
  }
  return all;
}

async function connect(app: TestApp, simulator: Simulator, shop: string): Promise<string> {
  const tenant = await app.createTenant({ shopDomain: shop });
  const response = await app.api('POST', `/api/v1/tenants/${tenant.id}/connection`, {
    method: 'custom_app',
    accessToken: simulator.issueAccessToken(shop),
    webhookSecret: API_SECRET,
  });
  assert.equal(response.statusCode, 200, response.body);
  // The schedule must not start runs of its own in the middle of a test.
  await app.owner.query('UPDATE tenants SET reconcile_interval_minutes = 0 WHERE id = $1', [tenant.id]);
  return tenant.id;
}

function service(
  app: TestApp,
  options: { batchSize?: number; afterBatch?: (job: SyncJob, n: number) => void },
) {
  return new SyncService(
    app.db,
    app.connections,
    {
      apiVersion: '2026-04',
      adminBaseUrl: app.config.SHOPIFY_ADMIN_BASE_URL,
      batchSize: options.batchSize ?? 500,
      pollMs: { min: 20, max: 200 },
      overlapMs: 60_000,
    },
    log,
    options.afterBatch ? { afterBatch: options.afterBatch } : {},
  );
}

async function totals(app: TestApp, tenantId: string) {
  const [row] = await app.db.system.query<Record<string, string>>(
    `SELECT
       (SELECT count(*) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS orders,
       (SELECT count(*) FILTER (WHERE test) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS test,
       (SELECT count(*) FILTER (WHERE cancelled_at IS NOT NULL) FROM orders WHERE tenant_id = $1
          AND deleted_at IS NULL)::text AS cancelled,
       (SELECT coalesce(sum(total_discounts), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS discounts,
       (SELECT coalesce(sum(total_tax), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS tax,
       (SELECT coalesce(sum(total_price), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS total,
       (SELECT coalesce(sum(total_price - (raw->>'current_total_price')::numeric), 0) FROM orders
          WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS refunded,
       (SELECT coalesce(sum(gross_sales), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS gross,
       (SELECT coalesce(sum(discounts), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS line_discounts,
       (SELECT coalesce(sum(shipping), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS shipping,
       (SELECT coalesce(sum(taxes), 0) FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL)::text AS taxes,
       (SELECT coalesce(sum(li.price * li.quantity), 0) FROM order_line_items li JOIN orders o
          ON o.tenant_id = li.tenant_id AND o.id = li.order_id
          WHERE li.tenant_id = $1 AND o.deleted_at IS NULL)::text AS line_items,
       (SELECT count(*) FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
          WHERE r.tenant_id = $1 AND o.deleted_at IS NULL)::text AS refunds,
       (SELECT coalesce(sum(r.returns), 0) FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id
          AND o.id = r.order_id WHERE r.tenant_id = $1 AND o.deleted_at IS NULL)::text AS returns,
       (SELECT coalesce(sum(r.refunded_shipping), 0) FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id
          AND o.id = r.order_id WHERE r.tenant_id = $1 AND o.deleted_at IS NULL)::text AS refunded_shipping,
       (SELECT coalesce(sum(r.refunded_taxes), 0) FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id
          AND o.id = r.order_id WHERE r.tenant_id = $1 AND o.deleted_at IS NULL)::text AS refunded_taxes,
       (SELECT coalesce(sum((rli.raw->'subtotal_set'->'shop_money'->>'amount')::numeric), 0)
          FROM refund_line_items rli JOIN orders o ON o.tenant_id = rli.tenant_id AND o.id = rli.order_id
          WHERE rli.tenant_id = $1 AND o.deleted_at IS NULL)::text AS refunded_subtotal`,
    [tenantId],
  );
  return row!;
}

/** What the webhook normalizer makes of the same REST orders, summed. */
function expectedSales(tenantId: string, orders: RestRecord[]) {
  const sums = {
    gross: new Big(0),
    lineDiscounts: new Big(0),
    shipping: new Big(0),
    taxes: new Big(0),
    returns: new Big(0),
    refundedShipping: new Big(0),
    refundedTaxes: new Big(0),
  };
  for (const order of orders) {
    const normalized = normalizeOrder(tenantId, parseJsonLossless(JSON.stringify(order)));
    sums.gross = sums.gross.plus(normalized.order.gross_sales);
    sums.lineDiscounts = sums.lineDiscounts.plus(normalized.order.discounts);
    sums.shipping = sums.shipping.plus(normalized.order.shipping);
    sums.taxes = sums.taxes.plus(normalized.order.taxes);
    for (const refund of normalized.refunds) {
      sums.returns = sums.returns.plus(refund.refund.returns);
      sums.refundedShipping = sums.refundedShipping.plus(refund.refund.refunded_shipping);
      sums.refundedTaxes = sums.refundedTaxes.plus(refund.refund.refunded_taxes);
    }
  }
  return sums;
}

const same = (actual: string | undefined, expected: string | Big, what: string) =>
  assert.ok(new Big(actual ?? 'NaN').eq(expected), `${what}: ${actual} != ${expected.toString()}`);

describe('sync', () => {
  let simulator: Simulator;
  let app: TestApp;
  let shop: string;
  let tenantId: string;

  before(async () => {
    simulator = await startSimulator({
      apiSecret: API_SECRET,
      shops: [{ seed: 11, orderCount: ORDERS, customerCount: 300, productCount: 30 }],
      // Webhooks go to an address nobody answers: every one is missed, as during a long downtime.
      delivery: { retryScheduleMs: [] },
    });
    app = await startTestApp({
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_ADMIN_BASE_URL: `${simulator.url}/shops/{shop}`,
      SHOPSIGHT_PUBLIC_URL: 'http://127.0.0.1:9',
    });
    shop = simulator.shops[0]!;
    tenantId = await connect(app, simulator, shop);
  });
  after(async () => {
    await app?.close();
    await simulator?.close();
  });

  it('backfills orders through a crash after two batches, resuming without duplicates, to the store totals', async () => {
    let crashed = false;
    const crashing = service(app, {
      afterBatch: (_job, batch) => {
        if (batch === 2 && !crashed) {
          crashed = true;
          throw new Error('injected crash');
        }
      },
    });
    await assert.rejects(crashing.run({ tenantId, resource: 'orders', mode: 'backfill' }), /injected crash/);
    const [interrupted] = await app.db.system.query<{ lines_committed: string; bulk_operation_id: string }>(
      `SELECT lines_committed::text, bulk_operation_id FROM sync_states WHERE tenant_id = $1 AND resource = 'orders'`,
      [tenantId],
    );
    assert.ok(Number(interrupted!.lines_committed) > 0, 'the resume point was committed');
    assert.ok(interrupted!.bulk_operation_id, 'the operation is kept for the resume');

    await crashing.run({ tenantId, resource: 'orders', mode: 'backfill' });
    const [state] = await app.db.system.query<{ state: string; rows_done: string; rows_total: string }>(
      `SELECT state, rows_done::text, rows_total::text FROM sync_states WHERE tenant_id = $1 AND resource = 'orders'`,
      [tenantId],
    );
    assert.equal(state!.state, 'completed');
    // Resumed after the committed line: the 1,000 orders written before the crash were not read again.
    assert.equal(state!.rows_done, String(ORDERS));
    assert.equal(state!.rows_total, String(ORDERS));

    const orders = storeOrders(simulator, shop);
    const truth = groundTruth(orders);
    const got = await totals(app, tenantId);
    assert.equal(Number(got.orders), truth.orders);
    assert.equal(Number(got.test), truth.testOrders);
    assert.equal(Number(got.cancelled), truth.cancelledOrders);
    assert.equal(Number(got.refunds), truth.refunds);
    same(got.line_items, truth.lineItemsTotal, 'line items');
    same(got.discounts, truth.discounts, 'discounts');
    same(got.tax, truth.tax, 'tax');
    same(got.total, truth.totalPrice, 'total price');
    same(got.refunded, truth.refunded, 'refunded');
    same(got.refunded_subtotal, truth.refundedSubtotal, 'refunded subtotal');
    const sales = expectedSales(tenantId, orders);
    same(got.gross, sales.gross, 'gross sales');
    same(got.line_discounts, sales.lineDiscounts, 'discounts (sales)');
    same(got.shipping, sales.shipping, 'shipping');
    same(got.taxes, sales.taxes, 'taxes');
    same(got.returns, sales.returns, 'returns');
    same(got.refunded_shipping, sales.refundedShipping, 'refunded shipping');
    same(got.refunded_taxes, sales.refundedTaxes, 'refunded taxes');
    const [lines] = await app.db.system.query<{ duplicates: string }>(
      `SELECT count(*) - count(DISTINCT (order_id, id)) AS duplicates FROM order_line_items WHERE tenant_id = $1`,
      [tenantId],
    );
    assert.equal(lines!.duplicates, '0');
  });

  it('backfills customers and products (with variants)', async () => {
    const sync = service(app, {});
    await sync.run({ tenantId, resource: 'customers', mode: 'backfill' });
    await sync.run({ tenantId, resource: 'products', mode: 'backfill' });
    const store = simulator.shop(shop).store;
    const [row] = await app.db.system.query<{ customers: string; products: string; variants: string }>(
      `SELECT (SELECT count(*) FROM customers WHERE tenant_id = $1)::text AS customers,
              (SELECT count(*) FROM products WHERE tenant_id = $1)::text AS products,
              (SELECT count(*) FROM product_variants WHERE tenant_id = $1)::text AS variants`,
      [tenantId],
    );
    assert.equal(Number(row!.customers), store.customers.length);
    assert.equal(Number(row!.products), store.products.length);
    let variants = 0;
    for (let index = 0; index < store.products.length; index++) {
      variants += ((store.products.get(index) as RestRecord).variants as unknown[]).length;
    }
    assert.equal(Number(row!.variants), variants);
  });

  it('repairs missed webhooks by reconciliation: new orders, later refunds, updates and deletions', async () => {
    const store = simulator.shop(shop).store;
    const created = store.createOrder();
    const createdId = idText(created.order.id);
    // A refund created after its order, on an order backfilled long before.
    const refundable = storeOrders(simulator, shop).find(
      (order) =>
        order.financial_status === 'paid' &&
        (order.refunds as unknown[]).length === 0 &&
        (order.line_items as RestRecord[]).some((line) => line.gift_card !== true),
    )!;
    const line = (refundable.line_items as RestRecord[]).find((l) => l.gift_card !== true)!;
    const { refund } = store.refundOrder(idText(refundable.id), {
      lines: [{ lineItemId: idText(line.id), quantity: 1 }],
    });
    const deleted = idText(storeOrders(simulator, shop)[5]!.id);
    store.deleteOrder(deleted);

    await service(app, {}).run({ tenantId, resource: 'orders', mode: 'reconcile' });

    const [found] = await app.db.system.query<{ created: string; refund: string; deleted: string | null }>(
      `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1 AND id = $2)::text AS created,
              (SELECT count(*) FROM refunds WHERE tenant_id = $1 AND id = $3)::text AS refund,
              (SELECT deleted_at FROM orders WHERE tenant_id = $1 AND id = $4) AS deleted`,
      [tenantId, createdId, idText(refund.id), deleted],
    );
    assert.equal(found!.created, '1');
    assert.equal(found!.refund, '1');
    assert.ok(found!.deleted, 'the deleted order is soft-deleted');
    const [run] = await app.db.system.query<{
      mode: string;
      created: number;
      updated: number;
      deleted: number;
    }>(
      `SELECT mode, created, updated, deleted FROM sync_runs WHERE tenant_id = $1 AND resource = 'orders'
        ORDER BY id DESC LIMIT 1`,
      [tenantId],
    );
    assert.equal(run!.mode, 'reconcile');
    assert.equal(run!.created, 1);
    assert.ok(run!.updated >= 1, `updated ${run!.updated}`);
    assert.equal(run!.deleted, 1);

    const orders = storeOrders(simulator, shop);
    const truth = groundTruth(orders);
    const got = await totals(app, tenantId);
    assert.equal(Number(got.orders), truth.orders);
    assert.equal(Number(got.refunds), truth.refunds);
    same(got.total, truth.totalPrice, 'total price');
    same(got.refunded, truth.refunded, 'refunded');
    same(got.returns, expectedSales(tenantId, orders).returns, 'returns');
  });

  for (const [index, mode] of [
    [1, 'graphql'],
    [2, '429'],
  ] as const) {
    it(`completes against a throttling store (${mode === '429' ? 'HTTP 429' : 'THROTTLED'})`, async () => {
      const throttle: ThrottleOptions = { maximumAvailable: 300, restoreRate: 150, mode };
      const throttled = await startSimulator({
        apiSecret: API_SECRET,
        shops: [{ seed: 12 + index, orderCount: 10, customerCount: 450, productCount: 5 }],
        throttle,
      });
      try {
        const otherShop = throttled.shops[0]!;
        const local = await startTestApp({
          SHOPIFY_API_SECRET: API_SECRET,
          SHOPIFY_ADMIN_BASE_URL: `${throttled.url}/shops/{shop}`,
          SHOPSIGHT_PUBLIC_URL: 'http://127.0.0.1:9',
        });
        try {
          const id = await connect(local, throttled, otherShop);
          // No cursor: the incremental sync pages through every customer, 100 (about 200 points) a page.
          await service(local, {}).run({ tenantId: id, resource: 'customers', mode: 'incremental' });
          const [row] = await local.db.system.query<{ n: string }>(
            'SELECT count(*)::text AS n FROM customers WHERE tenant_id = $1',
            [id],
          );
          assert.equal(Number(row!.n), throttled.shop(otherShop).store.customers.length);
        } finally {
          await local.close();
        }
      } finally {
        await throttled.close();
      }
    });
  }

  it('control API: 202 with queued state, 409 unconnected, 400 bad body, progress through the queue', async () => {
    const manual = await app.createTenant({ shopDomain: 'not-connected.myshopify.com' });
    const refused = await app.api('POST', `/api/v1/tenants/${manual.id}/sync`, { mode: 'backfill' });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'not_connected');
    const bad = await app.api('POST', `/api/v1/tenants/${tenantId}/sync`, { mode: 'sideways' });
    assert.equal(bad.statusCode, 400);

    const accepted = await app.api('POST', `/api/v1/tenants/${tenantId}/sync`, {
      mode: 'incremental',
      resources: ['products'],
    });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const products = accepted
      .json<{ resources: { resource: string; state: string }[] }>()
      .resources.find((r) => r.resource === 'products')!;
    assert.ok(['queued', 'running', 'completed'].includes(products.state), products.state);

    const deadline = Date.now() + 30_000;
    let status: {
      resources: {
        resource: string;
        state: string;
        lastError: string | null;
        lastRun: { mode: string } | null;
      }[];
    };
    for (;;) {
      status = (await app.api('GET', `/api/v1/tenants/${tenantId}/sync`)).json();
      const current = status.resources.find((r) => r.resource === 'products')!;
      if (current.state === 'completed' && current.lastRun?.mode === 'incremental') break;
      assert.ok(Date.now() < deadline, `products still ${current.state} (${current.lastError})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const orders = status.resources.find((r) => r.resource === 'orders')!;
    assert.equal(orders.state, 'completed');
    // The run through the queue is counted in /metrics: rows by resource and the state of each sync.
    const metrics = (await app.server!.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^shopsight_sync_rows_total\{resource="products"\} [1-9]\d*$/m);
    assert.match(metrics, /^shopsight_sync_resources\{state="completed"\} [1-9]\d*$/m);
  });
});
