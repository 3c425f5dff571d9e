/**
 * Analytics speed with the daily rollups (issue 6, part 5), measured in one run on PostgreSQL:
 * - 2M orders over 200 tenants (the largest 500k, in America/New_York), spread over two years, with line
 *   items, refunds (~8%), cancellations (2%) and test orders, generated with SQL straight into the tables;
 * - the rollup rebuild of every tenant (`rollups rebuild`), timed;
 * - for the largest tenant, uncached (the functions behind the routes, through `db.forTenant`): p50/p95 of
 *   `summary` over the default 30 days and over 12 months, and of 12 months of daily `sales-over-time`,
 *   read from the rollups and computed straight from the entity tables, rounds interleaved; the answers of
 *   both are checked equal first;
 * - the write cost: inbox worker throughput on `orders/create` webhooks (the intake bench's realistic ~4 KB
 *   bodies, consecutive orders as live traffic sends them) into the largest tenant, rollup maintenance on
 *   and off, rounds alternating.
 * Writes bench/results/analytics.{json,md}.
 *
 *   node bench/analytics/run.ts [--scale 1] [--rounds 3] [--samples 40] [--database-url postgres://...]
 *
 * `--scale 0.1` divides orders (and webhooks) by ten for a quick run; tenants stay 200.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { deepStrictEqual } from 'node:assert/strict';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { rebuildRollups, rollupMaintenance } from '../../src/analytics/rollups.ts';
import type { DateRange } from '../../src/analytics/range.ts';
import {
  salesOverTime,
  salesOverTimeStraight,
  salesSummary,
  salesSummaryStraight,
} from '../../src/analytics/sales.ts';
import { connectPostgres, type Database } from '../../src/db/client.ts';
import { InboxWriter } from '../../src/ingest/inbox.repository.ts';
import { InboxWorker } from '../../src/ingest/worker.ts';
import { Metrics } from '../../src/lib/metrics.ts';
import { buildOrderDeliveries } from '../webhook-intake/payload.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    samples: { type: 'string', default: '40' },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const scale = Number(values.scale);
const rounds = Number(values.rounds);
const samples = Number(values.samples);
const TENANTS = 200;
const totalOrders = Math.round(2_000_000 * scale);
const largestOrders = Math.round(500_000 * scale);
/** Webhooks per worker round; consecutive orders of the intake bench's set (one winter, in time order). */
const webhooksPerRound = Math.max(1_000, Math.round(10_000 * scale));
const TIMEZONE = 'America/New_York';
const DAYS_OF_HISTORY = 730;

const log = (message: string) => process.stdout.write(`[bench:analytics] ${message}\n`);
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const median = (xs: number[]) => percentile(xs, 50);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const name = `shopsight_bench_analytics_${Date.now()}`;
const serverUrl = new URL(values['database-url']);
const admin = new pg.Client({ connectionString: serverUrl.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = connectPostgres(url.toString(), 8);
const owner = new pg.Client({ connectionString: url.toString() });
const runStarted = performance.now();

/**
 * Line k (0-2) of order g: the same formulas give the line items and the order's totals, so that the
 * order's gross sales and discounts are the sum of its lines'.
 */
const LINE = `
  SELECT k, 1 + (g + k) % 3 AS quantity, (5 + (g * 7 + k * 13) % 95) + 0.99 AS price,
         ((g * 31 + k * 17) % 300) AS product
  FROM generate_series(0, (g % 3)::int) AS k`;
const LINE_DISCOUNT = `CASE WHEN (g + k) % 4 = 0 THEN round(price * quantity * 0.1, 2) ELSE 0 END`;

async function seed(tenants: string[]) {
  const others = tenants.slice(1);
  // Bulk load: foreign keys are checked by construction here, not row by row.
  await owner.query('SET session_replication_role = replica');
  const started = performance.now();
  // Order g: the largest tenant's first, then round robin; a time within the past two years; 10% without
  // a customer; customers drawn from a pool a third the size of the tenant's orders (about three orders
  // each); 0.5% test orders; 2% cancelled.
  await owner.query(
    `INSERT INTO orders (tenant_id, id, customer_id, test, created_at, processed_at, updated_at, cancelled_at,
                         gross_sales, discounts, shipping, taxes, raw)
     SELECT CASE WHEN g <= $2 THEN $1::uuid ELSE ($3::uuid[])[1 + g % cardinality($3::uuid[])] END,
            1000000000000 + g,
            CASE WHEN g % 10 = 0 THEN NULL
                 ELSE 500000000000 + (g * 7919) % greatest(CASE WHEN g <= $2 THEN $2::bigint / 3
                                                                ELSE ($4::bigint - $2) / 3 END, 1) END,
            g % 200 = 0, ts, ts, ts, CASE WHEN g % 50 = 0 THEN ts + interval '20 hours' END,
            l.gross, l.discounts, CASE WHEN g % 2 = 0 THEN 5.00 ELSE 0 END, round(l.gross * 0.08, 2), '{}'::jsonb
     FROM generate_series(1, $4::bigint) AS g
     CROSS JOIN LATERAL (
       SELECT now() - make_interval(secs => (g * 2654435761) % ($5::bigint * 86400)) AS ts) t
     CROSS JOIN LATERAL (
       SELECT sum(price * quantity) AS gross, sum(${LINE_DISCOUNT}) AS discounts FROM (${LINE}) line) l`,
    [tenants[0], largestOrders, others, totalOrders, DAYS_OF_HISTORY],
  );
  log(`orders in ${seconds(performance.now() - started)}`);
  await owner.query(
    `INSERT INTO order_line_items (tenant_id, id, order_id, product_id, variant_id, title, quantity, price,
                                   gross_sales, discounts, taxes, raw)
     SELECT o.tenant_id, 2000000000000 + g * 4 + k, o.id, 700000000000 + product,
            800000000000 + product * 3 + (g + k) % 3, 'Product ' || product, quantity, price, price * quantity,
            ${LINE_DISCOUNT}, round(price * quantity * 0.08, 2), '{}'::jsonb
     FROM orders o
     CROSS JOIN LATERAL (SELECT o.id - 1000000000000 AS g) gg
     CROSS JOIN LATERAL (${LINE}) line`,
  );
  log(`line items in ${seconds(performance.now() - started)}`);
  // 8% of the orders not cancelled get a refund of one unit of their first line, 0-19 days later.
  await owner.query(
    `INSERT INTO refunds (tenant_id, id, order_id, created_at, processed_at, returns, refunded_shipping,
                          refunded_taxes, raw)
     SELECT o.tenant_id, 3000000000000 + g, o.id, at, at, li.price, 0, round(li.price * 0.08, 2), '{}'::jsonb
     FROM orders o
     CROSS JOIN LATERAL (SELECT o.id - 1000000000000 AS g,
                                least(now(), o.processed_at + make_interval(days => ((o.id % 20)::int))) AS at) r
     JOIN order_line_items li ON li.tenant_id = o.tenant_id AND li.id = 2000000000000 + g * 4
     WHERE g % 12 = 0 AND o.cancelled_at IS NULL`,
  );
  await owner.query(
    `INSERT INTO refund_line_items (tenant_id, id, refund_id, order_id, line_item_id, quantity, subtotal,
                                    total_tax, raw)
     SELECT r.tenant_id, 4000000000000 + (r.id - 3000000000000), r.id, r.order_id,
            2000000000000 + (r.id - 3000000000000) * 4, 1, r.returns, r.refunded_taxes, '{}'::jsonb
     FROM refunds r`,
  );
  await owner.query('SET session_replication_role = DEFAULT');
  log(`refunds in ${seconds(performance.now() - started)}; vacuum analyze`);
  await owner.query('VACUUM ANALYZE');
  return performance.now() - started;
}

/** `samples` timings (ms) of each function, interleaved so that drift hits every side alike. */
async function time(cases: Record<string, () => Promise<unknown>>) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((key) => [key, []]));
  for (const fn of Object.values(cases)) await fn(); // warm-up
  for (let i = 0; i < samples; i += 1) {
    for (const [key, fn] of Object.entries(cases)) {
      // The straight aggregate takes seconds at full size: a third of the samples is enough for its p95.
      if (key.endsWith('straight') && i % 3 !== 0) continue;
      const started = performance.now();
      await fn();
      times[key]!.push(performance.now() - started);
    }
  }
  return times;
}

/** Worker throughput (webhooks per second) over `bodies`, with the production default of two batches in flight. */
async function workerRound(tenantId: string, bodies: string[], round: string) {
  const writer = new InboxWriter(db);
  await Promise.all(
    bodies.map((payload, index) =>
      writer.append({
        tenantId,
        dedupeKey: `bench:${round}:${index}`,
        topic: 'orders/create',
        eventId: null,
        webhookId: null,
        apiVersion: '2026-04',
        triggeredAt: null,
        payload,
      }),
    ),
  );
  await owner.query('VACUUM ANALYZE webhook_events');
  const worker = new InboxWorker(db, pino({ level: 'silent' }), new Metrics(), {
    batchSize: 200,
    pollMs: 10,
    maxAttempts: 5,
    backoffBaseMs: 10,
  });
  const started = performance.now();
  const handled = (await Promise.all([worker.drain(), worker.drain()])).reduce((a, b) => a + b, 0);
  const ms = performance.now() - started;
  if (handled !== bodies.length) throw new Error(`worker handled ${handled} of ${bodies.length}`);
  return bodies.length / (ms / 1000);
}

try {
  await db.migrate();
  await owner.connect();
  const tenants = (
    await owner.query<{ id: string }>(
      `INSERT INTO tenants (shop_domain, name, timezone)
       SELECT 'bench-' || g || '.myshopify.com', 'bench ' || g,
              CASE WHEN g = 1 THEN $2 ELSE (ARRAY['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Australia/Sydney'])[1 + g % 4] END
       FROM generate_series(1, $1) g ORDER BY g RETURNING id::text`,
      [TENANTS, TIMEZONE],
    )
  ).rows.map((row) => row.id);
  const largest = tenants[0]!;
  log(`seeding ${totalOrders} orders over ${TENANTS} tenants (${largestOrders} in the largest)`);
  const seedMs = await seed(tenants);
  const [counts] = (
    await owner.query<{ line_items: string; refunds: string }>(
      `SELECT (SELECT count(*) FROM order_line_items) AS line_items, (SELECT count(*) FROM refunds) AS refunds`,
    )
  ).rows;

  log('rebuilding the rollups of every tenant');
  let largestRebuildMs = 0;
  const rebuildStarted = performance.now();
  await rebuildRollups(db, {
    progress: (id, ms) => {
      if (id === largest) largestRebuildMs = ms;
    },
  });
  const rebuildMs = performance.now() - rebuildStarted;
  await owner.query('VACUUM ANALYZE daily_sales, daily_product_sales, customer_stats');
  log(`rebuilt in ${seconds(rebuildMs)} (largest tenant ${seconds(largestRebuildMs)})`);

  // The default range: the last 30 days in the store's time zone, today included (src/analytics/range.ts).
  const [{ today }] = (
    await owner.query<{ today: string }>(`SELECT (now() AT TIME ZONE $1)::date::text AS today`, [TIMEZONE])
  ).rows as [{ today: string }];
  const shift = (date: string, days: number) =>
    new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const last30: DateRange = { from: shift(today, -29), to: today, timezone: TIMEZONE };
  const last12Months: DateRange = { from: shift(today, -364), to: today, timezone: TIMEZONE };

  const read = <T>(fn: (tx: Parameters<Parameters<Database['forTenant']>[1]>[0]) => Promise<T>) =>
    db.forTenant(largest, fn);
  const cases = {
    'summary 30 days, rollups': () => read((tx) => salesSummary(tx, largest, last30, 'USD')),
    'summary 30 days, straight': () => read((tx) => salesSummaryStraight(tx, largest, last30, 'USD')),
    'summary 12 months, rollups': () => read((tx) => salesSummary(tx, largest, last12Months, 'USD')),
    'summary 12 months, straight': () => read((tx) => salesSummaryStraight(tx, largest, last12Months, 'USD')),
    'sales-over-time 12 months daily, rollups': () =>
      read((tx) => salesOverTime(tx, largest, last12Months, 'day')),
    'sales-over-time 12 months daily, straight': () =>
      read((tx) => salesOverTimeStraight(tx, largest, last12Months, 'day')),
  };
  log('checking that rollups and straight aggregates answer alike');
  deepStrictEqual(await cases['summary 30 days, rollups'](), await cases['summary 30 days, straight']());
  deepStrictEqual(await cases['summary 12 months, rollups'](), await cases['summary 12 months, straight']());
  deepStrictEqual(
    await cases['sales-over-time 12 months daily, rollups'](),
    await cases['sales-over-time 12 months daily, straight'](),
  );
  log(`timing reads (${samples} samples each, a third for the straight aggregates)`);
  const times = await time(cases);
  const reads = Object.fromEntries(
    Object.entries(times).map(([key, xs]) => [
      key,
      { samples: xs.length, p50Ms: median(xs), p95Ms: percentile(xs, 95) },
    ]),
  );
  for (const [key, value] of Object.entries(reads)) {
    log(`${key}: p50 ${value.p50Ms.toFixed(1)} ms, p95 ${value.p95Ms.toFixed(1)} ms`);
  }

  log(`worker: ${rounds} rounds each of ${webhooksPerRound} webhooks with rollups on and off, alternating`);
  // The set spreads its orders evenly over one winter: 60,000 of them make ~480 a day, about the largest
  // tenant's own rate, so that a batch of consecutive webhooks spans hours, as live traffic does.
  const bodies = buildOrderDeliveries(Math.max(60_000, webhooksPerRound * rounds * 2), {
    secret: 'bench',
    shopDomain: 'bench-1.myshopify.com',
  }).map((delivery) => delivery.body);
  const throughput = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < rounds * 2; round += 1) {
    const on = round % 4 === 0 || round % 4 === 3;
    rollupMaintenance.enabled = on;
    const slice = bodies.slice(round * webhooksPerRound, (round + 1) * webhooksPerRound);
    const perSecond = await workerRound(largest, slice, String(round));
    (on ? throughput.on : throughput.off).push(perSecond);
    log(`round ${round + 1} rollups ${on ? 'on ' : 'off'}: ${perSecond.toFixed(0)} webhooks/s`);
  }
  rollupMaintenance.enabled = true;

  const ratio = (key: string, p: 'p50Ms' | 'p95Ms') =>
    reads[`${key}, straight`]![p] / reads[`${key}, rollups`]![p];
  const readKeys = ['summary 30 days', 'summary 12 months', 'sales-over-time 12 months daily'];
  const onPerSecond = median(throughput.on);
  const offPerSecond = median(throughput.off);
  const report = {
    generatedAt: new Date().toISOString(),
    parameters: {
      scale,
      orders: totalOrders,
      tenants: TENANTS,
      largestTenantOrders: largestOrders,
      lineItems: Number(counts!.line_items),
      refunds: Number(counts!.refunds),
      samples,
      rounds,
      webhooksPerRound,
      postgres: (await owner.query<{ server_version: string }>('SHOW server_version')).rows[0]!
        .server_version,
    },
    durations: {
      seedMs,
      rebuildMs,
      largestTenantRebuildMs: largestRebuildMs,
      runMs: performance.now() - runStarted,
    },
    reads,
    speedup: Object.fromEntries(
      readKeys.map((key) => [key, { p50: ratio(key, 'p50Ms'), p95: ratio(key, 'p95Ms') }]),
    ),
    worker: {
      rollupsOnPerSecond: onPerSecond,
      rollupsOffPerSecond: offPerSecond,
      rounds: throughput,
      /** Time per webhook with the maintenance over time without: 1.20 would be 20% more. */
      writeCost: offPerSecond / onPerSecond,
    },
  };

  const row = (key: string) => {
    const rollup = reads[`${key}, rollups`]!;
    const straight = reads[`${key}, straight`]!;
    return `| ${key} | ${rollup.p50Ms.toFixed(1)} | ${rollup.p95Ms.toFixed(1)} | ${straight.p50Ms.toFixed(1)} | ${straight.p95Ms.toFixed(1)} | ${ratio(key, 'p50Ms').toFixed(1)}x | ${ratio(key, 'p95Ms').toFixed(1)}x |`;
  };
  const table = `# Analytics with daily rollups

${totalOrders.toLocaleString('en-US')} orders (${report.parameters.lineItems.toLocaleString('en-US')} line items, ${report.parameters.refunds.toLocaleString('en-US')} refunds) over ${TENANTS} tenants and two years; the largest tenant (${largestOrders.toLocaleString('en-US')} orders, ${TIMEZONE}) is read. PostgreSQL ${report.parameters.postgres}, scale ${scale}. Generated ${report.generatedAt}; the run took ${seconds(report.durations.runMs)} (seeding ${seconds(seedMs)}, rebuild of all tenants ${seconds(rebuildMs)}, of the largest ${seconds(largestRebuildMs)}).

Reads are uncached (the functions behind the routes, through \`db.forTenant\`), rollups and straight aggregate interleaved in the same run, and both answered alike before timing. ${samples} samples per rollup read, ${Math.ceil(samples / 3)} per straight one.

| Report (largest tenant) | rollups p50 ms | rollups p95 ms | straight p50 ms | straight p95 ms | speed-up p50 | speed-up p95 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${readKeys.map(row).join('\n')}

Worker on \`orders/create\` webhooks into the largest tenant (batches of 200, two in flight), medians of ${rounds} alternating rounds of ${webhooksPerRound.toLocaleString('en-US')}:

| Rollup maintenance | webhooks/s |
| --- | ---: |
| on | ${onPerSecond.toFixed(0)} |
| off | ${offPerSecond.toFixed(0)} |
| write cost (time on / time off) | ${report.worker.writeCost.toFixed(3)} |

Goals: p95 under 15 ms and at least 30x faster than the straight aggregate; write cost under 1.20.
`;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/analytics.json', `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync('bench/results/analytics.md', table);
  process.stdout.write(table);
} finally {
  await owner.end().catch(() => undefined);
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
