/**
 * `npm run bench:backfill [-- --orders N]` (default 1,000,000): how fast the backfill writes a bulk export
 * of orders into PostgreSQL, next to a plain COPY of the same orders (id and raw JSONB) into a table with
 * the same key, measured in the same run on the same database: the ceiling.
 *
 * 1. A child process has the simulator export N orders with the backfill's bulk query to a temporary JSONL
 *    file (not timed; the simulator's memory stays out of the measurement).
 * 2. COPY: the orders, mapped to their REST shape as the backfill stores them, written to a CSV file (not
 *    timed), then `\copy` through psql (timed).
 * 3. Backfill: `SyncService.importBulkResult` streams the file from a local HTTP server, reassembles
 *    children, normalizes and writes batches through `BatchWrites` with the resume point (timed), in this
 *    process; peak RSS is this process's.
 * Results: bench/results/backfill.{json,md}. Needs PostgreSQL (`--database-url`, default
 * postgres://postgres@127.0.0.1:5432/postgres) and psql; the bench database is created and dropped here.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import pg from 'pg';
import { pino } from 'pino';
import type { ConnectionService } from '../../src/tenants/connection.service.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS = path.join(REPO_ROOT, 'bench', 'results');
const GOALS = { ratioToCopy: 0.5, peakRssMb: 300 };

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    'batch-size': { type: 'string', default: '1000' },
    // A folder with orders.jsonl and orders.csv from an earlier generate.ts run (with --tenant), reused
    // instead of exporting again (a million orders take the simulator about half an hour here).
    from: { type: 'string' },
    tenant: { type: 'string' },
  },
});
const orders = Number(values.orders);
const serverUrl = values['database-url'];
const batchSize = Number(values['batch-size']);

// Shopsight's modules are loaded here, after a first reading, so that the report can tell what loading
// them costs (most of the process's RSS) from what the backfill itself takes.
const rssAtStart = process.memoryUsage().rss;
const { connectPostgres } = await import('../../src/db/client.ts');
const { SyncService } = await import('../../src/sync/sync.service.ts');
const rssAfterModules = process.memoryUsage().rss;

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function main() {
  const reuse = values.from !== undefined && values.tenant !== undefined;
  const dir = reuse ? values.from! : await mkdtemp(path.join(tmpdir(), 'shopsight-bench-backfill-'));
  const jsonl = path.join(dir, 'orders.jsonl');
  const csv = path.join(dir, 'orders.csv');
  const name = `shopsight_bench_backfill_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let server: ReturnType<typeof createServer> | undefined;
  try {
    const tenantId = reuse ? values.tenant! : randomUUID();
    let phase = process.hrtime.bigint();
    if (!reuse) {
      const child = spawn(
        process.execPath,
        [
          path.join(import.meta.dirname, 'generate.ts'),
          ...['--orders', String(orders), '--out', jsonl, '--csv', csv, '--tenant', tenantId],
        ],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      const [code] = (await once(child, 'exit')) as [number];
      if (code !== 0) throw new Error(`generate exited ${code}`);
    }
    const generateSeconds = reuse ? null : seconds(phase);
    const fileBytes = (await stat(jsonl)).size;
    process.stdout.write(
      `${orders} orders exported (${mb(fileBytes)} MB JSONL)${generateSeconds === null ? '' : ` in ${generateSeconds.toFixed(1)} s`}\n`,
    );

    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const db = connectPostgres(url.toString(), 4);
    await db.migrate();
    await db.ownerSql(
      `INSERT INTO tenants (id, shop_domain, name, connection_status) VALUES ($1, $2, 'bench', 'connected')`,
      [tenantId, 'bench-backfill.myshopify.com'],
    );
    await db.ownerSql(
      'CREATE TABLE bench_copy (tenant_id uuid NOT NULL, id bigint NOT NULL, raw jsonb NOT NULL, PRIMARY KEY (tenant_id, id))',
    );
    phase = process.hrtime.bigint();
    await promisify(execFile)('psql', [
      url.toString(),
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy bench_copy FROM '${csv}' WITH (FORMAT csv)`,
    ]);
    const copySeconds = seconds(phase);
    const [copyStats] = (
      await db.ownerSql(
        'SELECT count(*)::int AS n, avg(octet_length(raw::text))::int AS bytes FROM bench_copy',
      )
    ).rows as { n: number; bytes: number }[];
    const copied = copyStats!.n;

    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/jsonl' });
      createReadStream(jsonl).pipe(response);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders.jsonl`;
    // importBulkResult runs no Shopify call: the connection service is never asked for a token.
    const sync = new SyncService(
      db,
      {} as ConnectionService,
      { apiVersion: '2026-04', adminBaseUrl: '', batchSize },
      pino({ level: 'warn' }),
    );
    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    let peakHeap = 0;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    }, 50);
    phase = process.hrtime.bigint();
    await sync.importBulkResult(tenantId, 'orders', fileUrl);
    const backfillSeconds = seconds(phase);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
    const counts = (
      await db.ownerSql(
        `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1)::int AS orders,
                (SELECT count(*) FROM order_line_items WHERE tenant_id = $1)::int AS line_items,
                (SELECT count(*) FROM refunds WHERE tenant_id = $1)::int AS refunds`,
        [tenantId],
      )
    ).rows[0] as { orders: number; line_items: number; refunds: number };
    await db.close();

    const result = {
      date: new Date().toISOString(),
      orders,
      jsonlMegabytes: mb(fileBytes),
      averageRawBytes: copyStats!.bytes,
      generateSeconds: generateSeconds === null ? null : round(generateSeconds),
      copy: { rows: copied, seconds: round(copySeconds), rowsPerSecond: Math.round(copied / copySeconds) },
      backfill: {
        orders: counts.orders,
        lineItems: counts.line_items,
        refunds: counts.refunds,
        seconds: round(backfillSeconds),
        ordersPerSecond: Math.round(counts.orders / backfillSeconds),
        peakRssMb: mb(peakRss),
        rssBeforeMb: mb(baselineRss),
        rssAtStartMb: mb(rssAtStart),
        rssAfterModulesMb: mb(rssAfterModules),
        peakHeapUsedMb: mb(peakHeap),
        maxOldSpaceMb: v8.getHeapStatistics().heap_size_limit / 1024 / 1024,
        batchSize,
      },
      ratioToCopy: round(copySeconds / backfillSeconds),
      goals: GOALS,
    };
    await writeFile(path.join(RESULTS, 'backfill.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(path.join(RESULTS, 'backfill.md'), report(result));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    server?.close();
    if (/^shopsight_bench_backfill_\d+$/.test(name))
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    if (!reuse) await rm(dir, { recursive: true, force: true });
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

function report(r: {
  date: string;
  orders: number;
  jsonlMegabytes: number;
  averageRawBytes: number;
  copy: { rows: number; seconds: number; rowsPerSecond: number };
  backfill: {
    orders: number;
    lineItems: number;
    refunds: number;
    seconds: number;
    ordersPerSecond: number;
    peakRssMb: number;
    rssBeforeMb: number;
    rssAtStartMb: number;
    rssAfterModulesMb: number;
    peakHeapUsedMb: number;
    maxOldSpaceMb: number;
    batchSize: number;
  };
  ratioToCopy: number;
}): string {
  const ok = (pass: boolean) => (pass ? 'met' : 'not met');
  return `# Backfill benchmark

\`npm run bench:backfill -- --orders ${r.orders}\`, ${r.date}. The simulator's bulk export of ${r.orders} orders
(${r.jsonlMegabytes} MB of JSONL; each order's raw JSON ${r.averageRawBytes} bytes on average) written by the backfill
(stream, reassemble, normalize, \`BatchWrites\` in batches of ${r.backfill.batchSize} with the resume point), against a
plain \`COPY\` of the same orders (tenant, id, raw JSONB; same primary key) into the same PostgreSQL in the same run.

| | rows | seconds | rows/s |
| --- | --- | --- | --- |
| COPY (ceiling) | ${r.copy.rows} | ${r.copy.seconds} | ${r.copy.rowsPerSecond} |
| backfill | ${r.backfill.orders} orders, ${r.backfill.lineItems} line items, ${r.backfill.refunds} refunds | ${r.backfill.seconds} | ${r.backfill.ordersPerSecond} orders/s |

- Ratio to COPY: **${r.ratioToCopy}** (goal ≥ ${GOALS.ratioToCopy}: ${ok(r.ratioToCopy >= GOALS.ratioToCopy)}).
- Peak RSS of the backfill process: **${r.backfill.peakRssMb} MB** (goal < ${GOALS.peakRssMb} MB: ${ok(r.backfill.peakRssMb < GOALS.peakRssMb)});
  ${r.backfill.rssBeforeMb} MB before the backfill started (${r.backfill.rssAtStartMb} MB for Node itself, ${r.backfill.rssAfterModulesMb} MB
  once Shopsight's modules were loaded: the schema's drizzle-orm import accounts for most of it), peak V8 heap in use
  ${r.backfill.peakHeapUsedMb} MB, heap limit ${r.backfill.maxOldSpaceMb} MB (\`npm run bench:backfill\` caps the old space at
  192 MB: without a cap V8 keeps more garbage before collecting and RSS grows with its headroom, not with the
  store's size).

The machine is shared (2 cores, other work running): absolute rates vary from run to run, the ratio less.
`;
}

await main();
