/**
 * Daily rollups never drift: after a seeded random storm of webhooks through the real intake and worker
 * (creates, updates, edits that change amounts, refunds before and after their order, cancellations,
 * deletes, test orders, duplicates, older versions after newer ones, orders around midnight across both DST
 * changes), the rollup tables equal a rebuild from the entity tables, row for row, and the reports read from
 * them equal the same reports computed straight from the entity tables.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { topProducts, topProductsStraight } from '../../src/analytics/products.ts';
import type { DateRange } from '../../src/analytics/range.ts';
import { rebuildRollups, rollupMaintenance } from '../../src/analytics/rollups.ts';
import {
  salesOverTime,
  salesOverTimeStraight,
  salesSummary,
  salesSummaryStraight,
} from '../../src/analytics/sales.ts';
import { pino } from 'pino';
import { InboxWorker } from '../../src/ingest/worker.ts';
import { Metrics } from '../../src/lib/metrics.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { int, newId, orderBody, refundBody, type LineSpec, type RefundSpec } from '../helpers/factories.ts';
import { createRandom, type Random } from '../simulator/random.ts';

const SECRET = 'rollups-secret';
const SEED = Number(process.env.ROLLUP_STORM_SEED ?? 20261121);

/** Days around New York's DST changes (2025-03-09, 2025-11-02) and a year end. */
const DAYS = [
  '2025-03-08',
  '2025-03-09',
  '2025-03-10',
  '2025-11-01',
  '2025-11-02',
  '2025-11-03',
  '2025-12-31',
];
const PRODUCTS: [string | null, string | null][] = [
  ['9001', '9101'],
  ['9001', '9102'],
  ['9002', '9201'],
  [null, null],
];

type Delivery = { topic: string; body: string };

const money = (random: Random, min: number, max: number) =>
  (random.int(min * 100, max * 100) / 100).toFixed(2);

/** An instant within three hours of New York's midnight starting `day` (04:00 or 05:00 UTC). */
function nearMidnight(random: Random, day: string) {
  return new Date(Date.parse(`${day}T04:30:00Z`) + random.int(-180, 180) * 60_000).toISOString();
}

const later = (at: string, minMinutes: number, maxMinutes: number, random: Random) =>
  new Date(Date.parse(at) + random.int(minMinutes, maxMinutes) * 60_000).toISOString();

/** The webhooks of one order's life, in the order Shopify would send them. */
function orderStory(random: Random, customers: string[]): Delivery[] {
  const id = newId();
  const processedAt = nearMidnight(random, random.pick(DAYS));
  const test = random.chance(0.1);
  let customerId: string | null = random.chance(0.2) ? null : random.pick(customers);
  let lines: LineSpec[] = Array.from({ length: random.int(1, 3) }, () => {
    const [productId, variantId] = random.pick(PRODUCTS);
    return {
      id: newId(),
      price: money(random, 1, 80),
      quantity: random.int(1, 4),
      ...(random.chance(0.4) && { discount: money(random, 0, 1) }),
      ...(random.chance(0.5) && { tax: money(random, 0, 5) }),
      giftCard: random.chance(0.05),
      productId,
      variantId,
    };
  });
  let shipping = random.chance(0.5) ? money(random, 0, 15) : undefined;
  let cancelledAt: string | null = null;
  const refunds: RefundSpec[] = [];
  let updatedAt = processedAt;
  const version = (topic: string): Delivery => ({
    topic,
    body: orderBody({
      id,
      processedAt,
      updatedAt,
      cancelledAt,
      test,
      customerId,
      lines,
      ...(shipping && { shipping }),
      refunds,
    }).json,
  });
  const story = [version('orders/create')];
  for (let step = random.int(0, 4); step > 0; step -= 1) {
    updatedAt = later(updatedAt, 1, 2 * 24 * 60, random);
    const change = random.pick(['edit', 'customer', 'cancel', 'refund', 'refund_alone'] as const);
    if (change === 'edit') {
      // An order edit: quantities and prices change, a line may go.
      lines = lines
        .filter((line, index) => index === 0 || !random.chance(0.3))
        .map((line) => ({ ...line, quantity: random.int(1, 5), price: money(random, 1, 80) }));
      shipping = random.chance(0.5) ? money(random, 0, 15) : shipping;
      story.push(version(random.pick(['orders/updated', 'orders/edited'])));
    } else if (change === 'customer') {
      customerId = random.chance(0.2) ? null : random.pick(customers);
      story.push(version('orders/updated'));
    } else if (change === 'cancel' && cancelledAt === null) {
      cancelledAt = later(processedAt, 10, 3 * 24 * 60, random);
      story.push(version('orders/cancelled'));
    } else {
      const line = random.pick(lines);
      const quantity = random.int(1, line.quantity);
      const refund: RefundSpec = {
        id: newId(),
        processedAt: nearMidnight(random, random.pick(DAYS)),
        lines: [{ lineItemId: line.id!, quantity, subtotal: (Number(line.price) * quantity).toFixed(2) }],
        ...(random.chance(0.3) && shipping && { shipping }),
      };
      refunds.push(refund);
      if (change === 'refund_alone') {
        story.push({ topic: 'refunds/create', body: refundBody({ ...refund, orderId: id }).json });
      } else {
        story.push(version('orders/updated'));
      }
    }
  }
  if (random.chance(0.1)) story.push({ topic: 'orders/delete', body: JSON.stringify({ id: int(id) }) });
  return story;
}

/** A storm: every order's story, duplicated in part, shuffled (older versions and refunds arrive late). */
function storm(random: Random, orders: number): Delivery[] {
  const customers = Array.from({ length: 6 }, () => newId());
  const deliveries = Array.from({ length: orders }, () => orderStory(random, customers)).flat();
  for (const delivery of [...deliveries]) if (random.chance(0.15)) deliveries.push(delivery);
  for (let i = deliveries.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  return deliveries;
}

describe('daily rollups', () => {
  let app: TestApp;
  before(async () => {
    // Small batches, so that the storm spreads over many transactions.
    app = await startTestApp({ SHOPSIGHT_WORKER_BATCH_SIZE: '7' });
  });
  after(() => app.close());

  const tenant = async (timezone: string) => {
    const shopDomain = `r${newId()}.myshopify.com`;
    const created = await app.createTenant({ shopDomain, timezone, webhookSecret: SECRET });
    return {
      id: created.id,
      async send(deliveries: Delivery[]) {
        for (const { topic, body } of deliveries) {
          const response = await app.deliver({ shopDomain, secret: SECRET, topic, body });
          assert.equal(response.statusCode, 200, response.body);
        }
      },
    };
  };

  /** Every rollup row of the tenant, as text, in key order. */
  const rollupRows = async (tenantId: string) => ({
    daily_sales: await app.db.system.query(
      `SELECT d.*::text AS row FROM daily_sales d WHERE tenant_id = $1 ORDER BY date`,
      [tenantId],
    ),
    daily_product_sales: await app.db.system.query(
      `SELECT d.*::text AS row FROM daily_product_sales d WHERE tenant_id = $1 ORDER BY date, product_id, variant_id`,
      [tenantId],
    ),
    customer_stats: await app.db.system.query(
      `SELECT c.*::text AS row FROM customer_stats c WHERE tenant_id = $1 ORDER BY customer_id`,
      [tenantId],
    ),
  });

  const rebuilt = async (tenantId: string) => {
    assert.equal(await rebuildRollups(app.db, { tenantId }), 1);
    return rollupRows(tenantId);
  };

  it('equals a rebuild from the entity tables after a random event storm, and answers like the straight reports', async () => {
    const random = createRandom(SEED);
    const shops = [await tenant('America/New_York'), await tenant('UTC')];
    for (const shop of shops) {
      const deliveries = storm(random, 60);
      // Drained in chunks, so that events of one order land in different batches.
      for (let start = 0; start < deliveries.length;) {
        const end = start + random.int(1, 40);
        await shop.send(deliveries.slice(start, end));
        await app.drain();
        start = end;
      }
    }

    for (const shop of shops) {
      const incremental = await rollupRows(shop.id);
      assert.ok(incremental.daily_sales.length >= DAYS.length, `a storm spreads over days (seed ${SEED})`);
      assert.ok(incremental.customer_stats.length >= 3, `a storm has customers (seed ${SEED})`);
      assert.deepEqual(incremental, await rebuilt(shop.id), `rollups equal a rebuild (seed ${SEED})`);

      const [{ timezone }] = (await app.db.system.query<{ timezone: string }>(
        'SELECT timezone FROM tenants WHERE id = $1',
        [shop.id],
      )) as [{ timezone: string }];
      const ranges: DateRange[] = [
        { from: '2025-01-01', to: '2025-12-31', timezone },
        { from: '2025-03-09', to: '2025-03-09', timezone },
        { from: '2025-11-02', to: '2025-11-03', timezone },
        { from: '2025-03-01', to: '2025-11-01', timezone },
      ];
      await app.db.forTenant(shop.id, async (tx) => {
        for (const range of ranges) {
          const what = `${JSON.stringify(range)} (seed ${SEED})`;
          assert.deepEqual(
            await salesSummary(tx, shop.id, range, 'USD'),
            await salesSummaryStraight(tx, shop.id, range, 'USD'),
            `summary ${what}`,
          );
          for (const interval of ['day', 'week', 'month'] as const) {
            assert.deepEqual(
              await salesOverTime(tx, shop.id, range, interval),
              await salesOverTimeStraight(tx, shop.id, range, interval),
              `sales over time by ${interval} ${what}`,
            );
          }
          for (const sort of ['net_sales', 'units'] as const) {
            assert.deepEqual(
              await topProducts(tx, shop.id, range, sort, 100),
              await topProductsStraight(tx, shop.id, range, sort, 100),
              `top products by ${sort} ${what}`,
            );
          }
        }
        const year = await salesSummary(tx, shop.id, ranges[0]!, 'USD');
        assert.ok(
          year.orders > 20 && Number(year.returns) > 0,
          `the storm has sales and returns (seed ${SEED})`,
        );
      });
    }
  });

  it('stays equal to a rebuild with several workers writing batches side by side', async () => {
    const random = createRandom(SEED + 1);
    const shop = await tenant('America/New_York');
    await shop.send(storm(random, 60));
    const log = pino({ level: 'silent' });
    const options = { batchSize: 5, pollMs: 10, maxAttempts: 3, backoffBaseMs: 1 };
    const workers = [1, 2, 3].map(() => new InboxWorker(app.db, log, new Metrics(), options));
    await Promise.all(workers.map((worker) => worker.drain()));
    const [{ retried }] = (await app.db.system.query<{ retried: string }>(
      `SELECT count(*)::text AS retried FROM webhook_events WHERE tenant_id = $1 AND attempts <> 1`,
      [shop.id],
    )) as [{ retried: string }];
    assert.equal(retried, '0', 'no batch failed on a lock (deadlock) or a duplicate rollup row');
    assert.deepEqual(
      await rollupRows(shop.id),
      await rebuilt(shop.id),
      `rollups equal a rebuild (seed ${SEED + 1})`,
    );
  });

  it('drifts without the maintenance, which shows the comparison catches a missed change', async () => {
    const shop = await tenant('UTC');
    await shop.send([
      { topic: 'orders/create', body: orderBody({ processedAt: '2025-06-01T12:00:00Z' }).json },
    ]);
    await app.drain();
    rollupMaintenance.enabled = false;
    try {
      await shop.send([
        { topic: 'orders/create', body: orderBody({ processedAt: '2025-06-01T13:00:00Z' }).json },
      ]);
      await app.drain();
    } finally {
      rollupMaintenance.enabled = true;
    }
    const stale = await rollupRows(shop.id);
    assert.notDeepEqual(stale, await rebuilt(shop.id));
    const [day] = await app.db.system.query<{ orders: number }>(
      `SELECT orders FROM daily_sales WHERE tenant_id = $1 AND date = '2025-06-01'`,
      [shop.id],
    );
    assert.equal(day!.orders, 2, 'the rebuild counts both orders');
  });
});
