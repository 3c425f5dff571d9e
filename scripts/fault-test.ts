/**
 * Fault test (issue #8): 2 api + 2 worker processes on a real PostgreSQL and a real Redis, a bounded flood
 * of signed webhooks with duplicates and reordering, and while it runs: one worker killed with SIGKILL (and
 * started again), PostgreSQL restarted, Redis stopped and started. Afterwards every accepted event is in the
 * tables exactly once (order count, line-item count and gross sales equal the sender's), nothing is dead or
 * pending, and every delivery that was not accepted was answered non-2xx (the sender, like Shopify, retries
 * those until they are accepted).
 *
 * The PostgreSQL cluster and the Redis server are the test's own (a temporary `initdb` on a free port, a
 * `redis-server` child), so restarting them disturbs nothing else on the machine. Needs the PostgreSQL server
 * binaries (`/usr/lib/postgresql/<version>/bin`) and `redis-server`; as root the cluster runs as `postgres`.
 *
 *   npm run test:fault [-- --orders 2000]
 *
 * Exit 0 when every check holds, 1 otherwise; a table of figures is printed either way.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import Big from 'big.js';
import pg from 'pg';
import { signWebhookBody } from '../src/shopify/hmac.ts';
import { freePort } from '../test/helpers/net.ts';
import { orderBody } from '../test/helpers/factories.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '1500' } } });
const ORDERS = Number(values.orders);
const SHOP = 'fault.myshopify.com';
const SECRET = 'fault-secret';
const TOKEN = randomBytes(18).toString('base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => process.stdout.write(`[fault] ${message}\n`);

// --- the test's own PostgreSQL and Redis -------------------------------------------------------------------
const pgBin = (() => {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort().at(-1) : undefined;
  if (!version) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(root, version, 'bin');
})();
const asRoot = process.getuid?.() === 0;
const work = mkdtempSync(join(tmpdir(), 'shopsight-fault-'));
const pgData = join(work, 'pg');
if (asRoot) {
  chmodSync(work, 0o777);
  const { uid, gid } = userIds('postgres');
  chownSync(work, uid, gid);
}
function userIds(name: string) {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}
/** The command line of a PostgreSQL binary, as `postgres` when we are root (initdb refuses root). */
function pgCommand(binary: string, args: string[]): [string, string[]] {
  const command = join(pgBin, binary);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}
/** Runs a PostgreSQL binary to its end, blocking (setup and teardown). */
const pgRun = (binary: string, args: string[]) => execFileSync(...pgCommand(binary, args), { stdio: 'pipe' });
/** Runs a PostgreSQL binary without blocking, so that the flood goes on while it runs. */
const pgRunAsync = (binary: string, args: string[]) => promisify(execFile)(...pgCommand(binary, args));
const pgPort = await freePort();
const redisPort = await freePort();
const pgOptions = `-p ${pgPort} -k ${work} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
const pgCtlArgs = (action: string) => [
  '-D',
  pgData,
  '-o',
  pgOptions,
  '-l',
  join(work, 'pg.log'),
  '-w',
  '-m',
  'fast',
  action,
];
const pgCtl = (action: string) => pgRun('pg_ctl', pgCtlArgs(action));

let redis: ChildProcess | undefined;
function startRedis() {
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}
async function stopRedis() {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// --- Shopsight processes -----------------------------------------------------------------------------------
const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  SHOPSIGHT_ADMIN_TOKEN: TOKEN,
  SHOPSIGHT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  SHOPSIGHT_RATE_LIMIT_PER_MINUTE: '1000000',
  SHOPSIGHT_TENANT_CACHE_TTL_MS: '500',
  SHOPSIGHT_WORKER_BACKOFF_BASE_MS: '50',
  LOG_LEVEL: 'error',
};
const processes = new Map<string, ChildProcess>();
function startProcess(name: string, role: 'api' | 'worker', port = 0) {
  const child = spawn(process.execPath, ['src/main.ts', 'start', '--role', role], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  processes.set(name, child);
  return child;
}
async function waitHealthy(port: number) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`api on port ${port} did not become healthy`);
}

// --- the flood ---------------------------------------------------------------------------------------------
type Delivery = { topic: string; body: string; eventId: string };
type Expected = { gross: Big; lines: number };

function planFlood() {
  const deliveries: Delivery[] = [];
  const expected = new Map<string, Expected>();
  for (let i = 0; i < ORDERS; i++) {
    const quantity = 1 + (i % 3);
    const price = `${10 + (i % 17)}.${String(i % 100).padStart(2, '0')}`;
    const created = orderBody({
      processedAt: '2025-06-01T10:00:00Z',
      updatedAt: '2025-06-01T10:00:00Z',
      lines: [{ price, quantity }],
    });
    deliveries.push({ topic: 'orders/create', body: created.json, eventId: `create-${created.id}` });
    let final: Expected = { gross: new Big(price).times(quantity), lines: 1 };
    if (i % 2 === 0) {
      // An edit adds a line: the newer version must win whatever the arrival order.
      const updated = orderBody({
        id: created.id,
        processedAt: '2025-06-01T10:00:00Z',
        updatedAt: '2025-06-02T10:00:00Z',
        lines: [
          { id: created.lineIds[0], price, quantity },
          { price: '5.00', quantity: 2 },
        ],
      });
      deliveries.push({ topic: 'orders/updated', body: updated.json, eventId: `update-${created.id}` });
      final = { gross: new Big(price).times(quantity).plus(10), lines: 2 };
    }
    expected.set(created.id, final);
  }
  // Duplicates: every fifth event is delivered twice (same event id, as Shopify's retries and duplicates are).
  const withDuplicates = deliveries.flatMap((d, i) => (i % 5 === 0 ? [d, d] : [d]));
  // Reordering: shuffle within windows of 25 with a fixed seed.
  let seed = 20261121;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let start = 0; start < withDuplicates.length; start += 25) {
    const end = Math.min(start + 25, withDuplicates.length);
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(random() * (i - start + 1));
      [withDuplicates[i], withDuplicates[j]] = [withDuplicates[j]!, withDuplicates[i]!];
    }
  }
  return { deliveries: withDuplicates, expected };
}

const answers = new Map<string, number>();
const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);

/** Delivers like Shopify: signed, and retried with backoff until a 2xx answer. */
async function deliver(ports: number[], delivery: Delivery, index: number) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = ports[(index + attempt) % ports.length]!;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': delivery.topic,
          'x-shopify-shop-domain': SHOP,
          'x-shopify-hmac-sha256': signWebhookBody(delivery.body, SECRET),
          'x-shopify-event-id': delivery.eventId,
          'x-shopify-webhook-id': randomBytes(8).toString('hex'),
          'x-shopify-triggered-at': new Date().toISOString(),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      count(String(response.status));
      if (response.ok) return;
    } catch {
      count('no answer');
    }
    await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
  }
  throw new Error(`delivery ${delivery.eventId} was never accepted`);
}

async function main() {
  log(`PostgreSQL ${pgBin} on ${pgPort}, Redis on ${redisPort}, ${ORDERS} orders`);
  pgRun('initdb', ['-D', pgData, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pgCtl('start');
  startRedis();
  execFileSync(process.execPath, ['src/main.ts', 'migrate'], { env, stdio: 'inherit' });

  const [port1, port2] = [await freePort(), await freePort()];
  startProcess('api-1', 'api', port1);
  await waitHealthy(port1);
  const created = await fetch(`http://127.0.0.1:${port1}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ shopDomain: SHOP, webhookSecret: SECRET }),
  });
  if (created.status !== 201) throw new Error(`create tenant: ${created.status} ${await created.text()}`);
  const tenantId = ((await created.json()) as { id: string }).id;
  startProcess('api-2', 'api', port2);
  await waitHealthy(port2);
  startProcess('worker-1', 'worker');
  startProcess('worker-2', 'worker');

  const { deliveries, expected } = planFlood();
  const faults = [
    {
      at: 0.25,
      name: 'SIGKILL worker-1, start it again',
      run: async () => {
        processes.get('worker-1')!.kill('SIGKILL');
        await sleep(1000);
        startProcess('worker-1', 'worker');
      },
    },
    {
      at: 0.5,
      name: 'restart PostgreSQL',
      run: async () => void (await pgRunAsync('pg_ctl', pgCtlArgs('restart'))),
    },
    {
      at: 0.75,
      name: 'stop Redis, start it again',
      run: async () => {
        await stopRedis();
        await sleep(2000);
        startRedis();
      },
    },
  ];
  const started = Date.now();
  let next = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const faultRuns: Promise<void>[] = [];
  for (const delivery of deliveries) {
    while (faults[0] && sent / deliveries.length >= faults[0].at) {
      const fault = faults.shift()!;
      log(`${fault.name} (at ${Math.round(fault.at * 100)} % of the flood)`);
      faultRuns.push(fault.run());
    }
    const promise = deliver([port1, port2], delivery, next++).then(() => void inFlight.delete(promise));
    inFlight.add(promise);
    sent++;
    if (inFlight.size >= 24) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await Promise.all(faultRuns);
  log(`flood sent in ${((Date.now() - started) / 1000).toFixed(1)} s: ${deliveries.length} deliveries`);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let pending = -1;
  for (let i = 0; i < 600 && pending !== 0; i++) {
    const { rows } = await client.query<{ pending: string }>(
      `SELECT count(*) FILTER (WHERE status = 'pending') AS pending FROM webhook_events WHERE tenant_id = $1`,
      [tenantId],
    );
    pending = Number(rows[0]!.pending);
    if (pending) await sleep(200);
  }
  const { rows: tables } = await client.query<{
    orders: string;
    lines: string;
    gross: string;
    dead: string;
    events: string;
    rollup_orders: string;
    rollup_gross: string;
  }>(
    `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1) AS orders,
            (SELECT count(*) FROM order_line_items WHERE tenant_id = $1) AS lines,
            (SELECT coalesce(sum(gross_sales), 0)::text FROM orders WHERE tenant_id = $1) AS gross,
            (SELECT count(*) FROM webhook_events WHERE tenant_id = $1 AND status = 'dead') AS dead,
            (SELECT count(*) FROM webhook_events WHERE tenant_id = $1) AS events,
            (SELECT coalesce(sum(orders), 0) FROM daily_sales WHERE tenant_id = $1) AS rollup_orders,
            (SELECT coalesce(sum(gross_sales), 0)::text FROM daily_sales WHERE tenant_id = $1) AS rollup_gross`,
    [tenantId],
  );
  await client.end();
  const got = tables[0]!;
  const want = {
    orders: expected.size,
    lines: [...expected.values()].reduce((n, e) => n + e.lines, 0),
    gross: [...expected.values()].reduce((sum, e) => sum.plus(e.gross), new Big(0)),
    events: new Set(deliveries.map((d) => d.eventId)).size,
  };
  const checks: [string, string, string][] = [
    ['orders', String(want.orders), got.orders],
    ['order line items', String(want.lines), got.lines],
    ['gross sales', want.gross.toFixed(2), new Big(got.gross).toFixed(2)],
    ['orders in the daily rollup', String(want.orders), got.rollup_orders],
    ['gross sales in the daily rollup', want.gross.toFixed(2), new Big(got.rollup_gross).toFixed(2)],
    ['inbox events (one per event id)', String(want.events), got.events],
    ['pending after drain', '0', String(pending)],
    ['dead letters', '0', got.dead],
  ];
  log('answers to deliveries: ' + [...answers].map(([status, n]) => `${status} x${n}`).join(', '));
  let ok = true;
  for (const [name, expectedValue, actual] of checks) {
    const pass = expectedValue === actual;
    ok &&= pass;
    log(`${pass ? 'ok  ' : 'FAIL'} ${name}: expected ${expectedValue}, got ${actual}`);
  }
  return ok;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  log(`error: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  for (const child of processes.values()) child.kill('SIGTERM');
  await sleep(500);
  for (const child of processes.values()) if (child.exitCode === null) child.kill('SIGKILL');
  await stopRedis();
  try {
    pgCtl('stop');
  } catch {
    // already stopped
  }
  rmSync(work, { recursive: true, force: true });
}
log(ok ? 'fault test: ok' : 'fault test: FAILED');
process.exit(ok ? 0 : 1);
