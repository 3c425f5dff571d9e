/**
 * The cost of row-level security (issue 3's goal: under 10% slower), measured in one run on PostgreSQL:
 * - analytics: the sales summary over a year for the largest of several tenants, through the application's
 *   role (`db.forTenant`), with the policies in force and with them disabled;
 * - intake: webhook rows appended through the intake's group-commit writer, same two settings.
 * Rounds alternate (on, off, on, off, ...) so that drift on a shared machine hits both sides alike; the
 * report gives medians and the on/off ratio. Writes bench/results/rls.{json,md}.
 *
 *   node bench/rls/run.ts [--orders 200000] [--tenants 10] [--rounds 6] [--database-url postgres://...]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { salesSummary } from '../../src/analytics/sales.ts';
import { connectPostgres } from '../../src/db/client.ts';
import { tenantTables } from '../../src/db/tenant-tables.ts';
import { InboxWriter } from '../../src/ingest/inbox.repository.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200000' },
    tenants: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '6' },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const orders = Number(values.orders);
const tenantCount = Number(values.tenants);
const rounds = Number(values.rounds);

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const log = (message: string) => process.stdout.write(`[bench:rls] ${message}\n`);

const name = `shopsight_bench_rls_${Date.now()}`;
const serverUrl = new URL(values['database-url']);
const admin = new pg.Client({ connectionString: serverUrl.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = connectPostgres(url.toString(), 8);
const owner = new pg.Client({ connectionString: url.toString() });
try {
  await db.migrate();
  await owner.connect();
  log(`seeding ${orders} orders over ${tenantCount} tenants (half in the largest)`);
  const tenants = (
    await owner.query<{ id: string }>(
      `INSERT INTO tenants (shop_domain, name, timezone) SELECT 'bench-' || g || '.myshopify.com', 'bench ' || g, 'America/New_York'
       FROM generate_series(1, $1) g RETURNING id::text`,
      [tenantCount],
    )
  ).rows.map((row) => row.id);
  const largest = tenants[0]!;
  // Half the orders in the largest tenant, the rest spread over the others, over the past year.
  await owner.query(
    `INSERT INTO orders (tenant_id, id, customer_id, created_at, processed_at, updated_at, gross_sales, discounts, shipping, taxes, raw)
     SELECT CASE WHEN g % 2 = 0 THEN $1::uuid ELSE ($2::uuid[])[1 + g % array_length($2::uuid[], 1)] END,
            g, 1000 + g % 5000, ts, ts, ts, (g % 200) + 0.99, (g % 7), 5, ((g % 200) * 0.08)::numeric(12,2), '{}'::jsonb
     FROM generate_series(1, $3) g, LATERAL (SELECT now() - ((g % 365) || ' days')::interval AS ts) t`,
    [largest, tenants.slice(1), orders],
  );
  await owner.query(
    `INSERT INTO refunds (tenant_id, id, order_id, created_at, processed_at, returns, refunded_shipping, refunded_taxes, raw)
     SELECT tenant_id, id, id, processed_at + interval '3 days', processed_at + interval '3 days', gross_sales / 2, 0, taxes / 2, '{}'::jsonb
     FROM orders WHERE id % 10 = 0`,
  );
  await owner.query('ANALYZE');

  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const range = { from: yearAgo, to: today, timezone: 'America/New_York' };
  const tables = await tenantTables({
    query: async (text, params) => (await owner.query(text, params)).rows,
  });
  const setRls = async (on: boolean) => {
    for (const table of tables)
      await owner.query(`ALTER TABLE ${table} ${on ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`);
  };
  const summaryMs = async () => {
    const times: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      const start = performance.now();
      await db.forTenant(largest, (tx) => salesSummary(tx, largest, range, 'USD'));
      times.push(performance.now() - start);
    }
    return median(times);
  };
  let sequence = 0;
  const intakePerSecond = async () => {
    const writer = new InboxWriter(db);
    const count = 20_000;
    const payload = JSON.stringify({ id: 1, note: 'x'.repeat(4000) });
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < count) {
          next += 1;
          sequence += 1;
          await writer.append({
            tenantId: tenants[sequence % tenants.length]!,
            dedupeKey: `bench:${sequence}`,
            topic: 'orders/create',
            eventId: null,
            webhookId: null,
            apiVersion: null,
            triggeredAt: null,
            payload,
          });
        }
      }),
    );
    return count / ((performance.now() - start) / 1000);
  };

  const results = {
    on: { summaryMs: [] as number[], intake: [] as number[] },
    off: { summaryMs: [] as number[], intake: [] as number[] },
  };
  for (let round = 0; round < rounds; round += 1) {
    for (const on of round % 2 === 0 ? [true, false] : [false, true]) {
      await setRls(on);
      const side = on ? results.on : results.off;
      side.summaryMs.push(await summaryMs());
      side.intake.push(await intakePerSecond());
      log(
        `round ${round + 1} rls=${on ? 'on ' : 'off'} summary ${side.summaryMs.at(-1)!.toFixed(1)} ms, intake ${side.intake.at(-1)!.toFixed(0)}/s`,
      );
    }
  }
  await setRls(true);

  const summaryOn = median(results.on.summaryMs);
  const summaryOff = median(results.off.summaryMs);
  const intakeOn = median(results.on.intake);
  const intakeOff = median(results.off.intake);
  const report = {
    generatedAt: new Date().toISOString(),
    parameters: { orders, tenants: tenantCount, rounds, largestTenantOrders: Math.ceil(orders / 2) },
    summary: { rlsOnMs: summaryOn, rlsOffMs: summaryOff, slowdown: summaryOn / summaryOff },
    intake: { rlsOnPerSecond: intakeOn, rlsOffPerSecond: intakeOff, slowdown: intakeOff / intakeOn },
  };
  const table = `# Row-level security cost

${orders.toLocaleString('en-US')} orders over ${tenantCount} tenants; summary of the largest (${report.parameters.largestTenantOrders.toLocaleString('en-US')} orders) over a year; ${rounds} alternating rounds, medians. Generated ${report.generatedAt}.

| Measure | RLS on | RLS off | Cost (on / off) |
| --- | ---: | ---: | ---: |
| analytics summary, ms | ${summaryOn.toFixed(1)} | ${summaryOff.toFixed(1)} | ${report.summary.slowdown.toFixed(3)} |
| inbox appends per second | ${intakeOn.toFixed(0)} | ${intakeOff.toFixed(0)} | ${report.intake.slowdown.toFixed(3)} |

Goal: under 10% slower (cost below 1.10).
`;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/rls.json', `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync('bench/results/rls.md', table);
  process.stdout.write(table);
} finally {
  await owner.end().catch(() => undefined);
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
