/**
 * `npm run bench:scale-out`: what adding processes buys, and what the embedded default costs, each as a
 * ratio of two rates measured minutes apart in the same run on the same machine.
 *
 * Part A, scale-out on one PostgreSQL server (a fresh `shopsight_bench_<yyyymmdd>_<hhmmss>` database):
 *   1. intake: signed `orders/create` webhooks into one `--role api` process, then the same load split
 *      evenly over two api processes (half the connections on each port); ratio 2 / 1.
 *   2. processing: the same number of pending inbox events drained by one `--role worker` process, then by
 *      two; ratio 2 / 1. The workers are started and idle before their events become due (`available_at`
 *      is held at infinity until then), so the clock covers draining only, not process start-up.
 * Part B, embedded vs server, the way one machine runs Shopsight: intake into one `--role api` process,
 * then one `--role all` process (the worker inside the server, as `npm start` runs it) draining all that was
 * stored, clocked from its start-up log line to its last event (read from its `/metrics` counters, the same
 * way on both). First on PGlite in a temporary SHOPSIGHT_DATA_DIR, then on a second fresh PostgreSQL
 * database. Ratios PGlite / PostgreSQL.
 *
 * Every request carries a body never sent to that database before (nothing is deduplicated). Writes
 * bench/results/scale-out.{json,md}; drops its databases and data directory and stops its children at the
 * end, also on failure or Ctrl-C.
 *
 *   node bench/scale-out/run.ts [--duration 10] [--connections 64] [--orders 100000] [--events 20000]
 *     [--skip-embedded] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { format, resolveConfig } from 'prettier';
import { busyShare, machineCpu } from '../webhook-intake/cpu.ts';
import { runLoad, toQueue, type DeliveryQueue, type LoadResult } from '../webhook-intake/load.ts';
import { buildOrderDeliveries } from '../webhook-intake/payload.ts';
import { runChild, startChild, stopAllChildren, stopChild, type Child } from '../webhook-intake/processes.ts';
import { createTenant, freePort, waitForHealthy } from '../webhook-intake/shopsight.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const WEBHOOK_PATH = '/webhooks/shopify';
const SEED = 1;
const MIGRATE_TIMEOUT_MS = 120_000;
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 100;
const WORKER_READY_TIMEOUT_MS = 120_000;
/** Time given to started workers to make a first (empty) claim before events are released. */
const WORKER_SETTLE_MS = 1_000;
/** Names this bench creates; the drop refuses anything else. */
const BENCH_DATABASE_NAME = /^shopsight_bench_scale_\d+_(out|embedded)$/;

type Options = {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  orders: number;
  events: number;
  skipEmbedded: boolean;
  databaseUrl: string;
};

/** Load run against one or more ports at once, summed: the rate is all 2xx answers over the longest run. */
type SplitLoad = {
  processes: number;
  acceptedPerSecond: number;
  accepted: number;
  elapsedSeconds: number;
  /** Worst of the per-port percentiles, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Share of all cores busy during the measured run (0..1). */
  machineBusyShare?: number;
};

type Drain = {
  processes: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  statuses: Record<string, number>;
  machineBusyShare?: number;
};

type Embedded = {
  database: 'PGlite' | 'PostgreSQL';
  /** One `--role api` process. */
  intake: SplitLoad;
  /** One `--role all` process draining everything the intake stored, from its start-up to the last event. */
  drain: { events: number; seconds: number; eventsPerSecond: number; dead: number };
};

function log(message: string): void {
  process.stderr.write(`[bench:scale-out ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '64' },
      orders: { type: 'string', default: '100000' },
      events: { type: 'string', default: '20000' },
      'skip-embedded': { type: 'boolean', default: false },
      'database-url': {
        type: 'string',
        default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      },
    },
  });
  const integerIn = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const options: Options = {
    durationSeconds: integerIn('duration', values.duration, 1, 3600),
    warmupSeconds: integerIn('warmup', values.warmup, 0, 60),
    // Even: the two-process runs put half the connections on each port.
    connections: integerIn('connections', values.connections, 2, 1000) & ~1,
    orders: integerIn('orders', values.orders, 1, 2_000_000),
    events: integerIn('events', values.events, 100, 1_000_000),
    skipEmbedded: values['skip-embedded'],
    databaseUrl: values['database-url'],
  };
  if (options.orders < 4 * options.connections) {
    throw new Error('--orders must be at least four times --connections');
  }
  return options;
}

function withDatabase(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function count(db: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const result = await db.query<{ n: string }>(sql, params);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Runs the load against every base URL at once, connections split evenly, taking bodies from the shared
 * queue (one JavaScript thread: no body is handed out twice). Stops when the time is up or the bodies left
 * run out.
 */
async function splitLoad(
  queue: DeliveryQueue,
  servers: { baseUrl: string; child: Child }[],
  connections: number,
  durationSeconds: number,
): Promise<SplitLoad> {
  const remaining = queue.bodies.length - queue.taken;
  if (remaining < connections) throw new Error('out of bodies: raise --orders');
  const share = Math.floor(connections / servers.length);
  const machineBefore = machineCpu();
  const runs: LoadResult[] = await Promise.all(
    servers.map((server) =>
      runLoad(queue, {
        url: `${server.baseUrl}${WEBHOOK_PATH}`,
        connections: share,
        durationSeconds,
        maxRequests: Math.floor(remaining / servers.length),
        serverPid: server.child.process.pid,
      }),
    ),
  );
  const accepted = runs.reduce((sum, run) => sum + run.accepted, 0);
  const elapsedSeconds = Math.max(...runs.map((run) => run.elapsedSeconds));
  return {
    processes: servers.length,
    acceptedPerSecond: accepted / elapsedSeconds,
    accepted,
    elapsedSeconds,
    p50Ms: Math.max(...runs.map((run) => run.p50Ms)),
    p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    machineBusyShare: busyShare(machineBefore, machineCpu()),
  };
}

/** Starts `count` Shopsight processes of `role`, each on its own port, and waits for their /healthz. */
async function startServers(role: 'api' | 'all', processes: number, env: NodeJS.ProcessEnv) {
  const servers: { baseUrl: string; child: Child }[] = [];
  for (let index = 0; index < processes; index++) {
    const port = await freePort();
    const child = startChild(
      `${role} ${index + 1}`,
      ['src/main.ts', 'start', '--role', role],
      { ...env, PORT: String(port) },
      REPO_ROOT,
    );
    servers.push({ baseUrl: `http://127.0.0.1:${port}`, child });
  }
  // PGlite's start-up (WebAssembly, migrations) is slow on a loaded host.
  for (const server of servers) await waitForHealthy(server.baseUrl, server.child, WORKER_READY_TIMEOUT_MS);
  return servers;
}

/** Intake with 1 api process, then with 2, against the same database; distinct bodies throughout. */
async function measureIntakeScaleOut(queue: DeliveryQueue, options: Options, env: NodeJS.ProcessEnv) {
  const servers = await startServers('api', 2, env);
  try {
    const one = servers.slice(0, 1);
    if (options.warmupSeconds > 0)
      await splitLoad(queue, servers, options.connections, options.warmupSeconds);
    log(`A1: intake, 1 api process, ${options.durationSeconds} s`);
    const single = await splitLoad(queue, one, options.connections, options.durationSeconds);
    log(`A1: intake, 2 api processes, ${options.durationSeconds} s`);
    const double = await splitLoad(queue, servers, options.connections, options.durationSeconds);
    return { single, double };
  } finally {
    for (const server of servers) await stopChild(server.child);
  }
}

/**
 * Drains `events` inbox events with `processes` worker processes. The events must be pending with
 * `available_at = 'infinity'`; they become due once the workers are up, and the clock runs from then until
 * none of them is pending.
 */
async function drainWith(
  processes: number,
  events: number,
  db: pg.Client,
  env: NodeJS.ProcessEnv,
): Promise<Drain> {
  // At info level a process logs "starting" once migrated and connected, just before its worker loop starts.
  const workers = Array.from({ length: processes }, (_, index) =>
    startChild(
      `worker ${index + 1}`,
      ['src/main.ts', 'start', '--role', 'worker'],
      { ...env, LOG_LEVEL: 'info' },
      REPO_ROOT,
    ),
  );
  try {
    for (const worker of workers) await worker.waitForLine(/"msg":"starting"/, WORKER_READY_TIMEOUT_MS);
    await sleep(WORKER_SETTLE_MS);
    const machineBefore = machineCpu();
    const startedAt = performance.now();
    // The lowest ids first: the workers claim in id order, so nothing held back sits ahead of them.
    const released = await db.query<{ first: string; last: string }>(
      `WITH released AS (
         UPDATE webhook_events SET available_at = now()
         WHERE id IN (SELECT id FROM webhook_events WHERE available_at = 'infinity' ORDER BY id LIMIT $1)
         RETURNING id)
       SELECT min(id)::text AS first, max(id)::text AS last FROM released`,
      [events],
    );
    const pendingSql =
      "SELECT count(*) AS n FROM webhook_events WHERE status = 'pending' AND available_at < 'infinity'";
    for (;;) {
      const pending = await count(db, pendingSql);
      if (pending === 0) break;
      const exited = workers.find((worker) => worker.process.exitCode !== null);
      if (exited)
        throw new Error(`${exited.name} exited with ${pending} events pending:\n${exited.outputTail()}`);
      if (performance.now() - startedAt > DRAIN_TIMEOUT_MS) {
        throw new Error(`${pending} events still pending after ${DRAIN_TIMEOUT_MS / 1000} s`);
      }
      await sleep(POLL_MS);
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const machineBusyShare = busyShare(machineBefore, machineCpu());
    const rows = await db.query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM webhook_events WHERE id BETWEEN $1 AND $2 GROUP BY status ORDER BY status',
      [released.rows[0]!.first, released.rows[0]!.last],
    );
    return {
      processes,
      events,
      seconds,
      eventsPerSecond: events / seconds,
      statuses: Object.fromEntries(rows.rows.map((row) => [row.status, Number(row.n)])),
      machineBusyShare,
    };
  } finally {
    for (const worker of workers) await stopChild(worker);
  }
}

async function measureWorkerScaleOut(options: Options, db: pg.Client, env: NodeJS.ProcessEnv) {
  const stored = await count(db, "SELECT count(*) AS n FROM webhook_events WHERE status = 'pending'");
  const events = Math.min(options.events, Math.floor(stored / 2));
  if (events < 100) throw new Error(`only ${stored} events in the inbox: too few to drain twice`);
  await db.query("UPDATE webhook_events SET available_at = 'infinity' WHERE status = 'pending'");
  log(`A2: ${events} events drained by 1 worker process`);
  const single = await drainWith(1, events, db, env);
  log(`A2: ${events} further events drained by 2 worker processes`);
  const double = await drainWith(2, events, db, env);
  return { single, double, leftOver: stored - 2 * events };
}

/**
 * The process's own counters from `/metrics`: deliveries accepted as new, and inbox events the worker
 * finished (and of those, dead-lettered). Counted in memory, unlike the inbox gauges, which query the
 * database and keep their last value when the single PGlite connection is too busy to answer in time.
 */
async function counters(baseUrl: string): Promise<{ accepted: number; finished: number; dead: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
  const sum = (prefix: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    accepted: sum('shopsight_webhooks_accepted_total{duplicate="false"}'),
    finished: sum('shopsight_inbox_events_total{'),
    dead: sum('shopsight_inbox_events_total{outcome="dead"'),
  };
}

/**
 * Part B for one database, the way a single machine runs Shopsight: intake into one `--role api` process,
 * then one `--role all` process (as `npm start` runs) draining what was stored, clocked from its
 * "starting" log line (migrated, connected; the worker starts right after) to its last event.
 */
async function measureEmbedded(
  database: Embedded['database'],
  queue: DeliveryQueue,
  secret: string,
  shopDomain: string,
  options: Options,
  env: NodeJS.ProcessEnv,
): Promise<Embedded> {
  let intake: SplitLoad;
  let stored: number;
  const [api] = await startServers('api', 1, env);
  try {
    await createTenant(api!.baseUrl, env.SHOPSIGHT_ADMIN_TOKEN as string, secret, shopDomain);
    queue.taken = 0;
    if (options.warmupSeconds > 0) {
      await splitLoad(queue, [api!], options.connections, options.warmupSeconds);
    }
    log(`B: ${database}, intake into one --role api process for ${options.durationSeconds} s`);
    intake = await splitLoad(queue, [api!], options.connections, options.durationSeconds);
    // Requests cut off when the run stopped may still commit; let them.
    await sleep(1_000);
    stored = (await counters(api!.baseUrl)).accepted;
  } finally {
    await stopChild(api!.child);
  }

  const port = await freePort();
  const all = startChild(
    `${database} all`,
    ['src/main.ts', 'start', '--role', 'all'],
    { ...env, PORT: String(port), LOG_LEVEL: 'info' },
    REPO_ROOT,
  );
  try {
    await all.waitForLine(/"msg":"starting"/, WORKER_READY_TIMEOUT_MS);
    const startedAt = performance.now();
    log(`B: ${database}, one --role all process draining ${stored} events`);
    const baseUrl = `http://127.0.0.1:${port}`;
    // The worker starts before the HTTP server listens (on PGlite, long before: both share one connection).
    const read = () => counters(baseUrl).catch(() => undefined);
    let now = await read();
    while (now === undefined || now.finished < stored) {
      if (all.process.exitCode !== null) throw new Error(`${database}: the process exited while draining`);
      if (performance.now() - startedAt > DRAIN_TIMEOUT_MS) throw new Error(`${database}: drain timed out`);
      await sleep(POLL_MS);
      now = await read();
    }
    const seconds = (performance.now() - startedAt) / 1000;
    return {
      database,
      intake,
      drain: { events: stored, seconds, eventsPerSecond: stored / seconds, dead: now.dead },
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${all.outputTail()}`, { cause: error });
  } finally {
    await stopChild(all);
  }
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (share: number | undefined) => (share === undefined ? '' : `${integer.format(share * 100)}%`);

async function writeResult(name: string, text: string): Promise<string> {
  const filepath = path.join(RESULTS_DIR, name);
  const formatted = await format(text, { ...(await resolveConfig(filepath)), filepath });
  await writeFile(filepath, formatted);
  return formatted;
}

async function main(): Promise<number> {
  const options = readOptions();
  const loadAverage1mAtStart = loadavg()[0];
  const stamp = Date.now();
  const scaleOutDb = `shopsight_bench_scale_${stamp}_out`;
  const embeddedDb = `shopsight_bench_scale_${stamp}_embedded`;
  const secret = randomBytes(24).toString('base64url');
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    SHOPSIGHT_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    SHOPSIGHT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  delete baseEnv.DATABASE_URL;

  const admin = new pg.Client({ connectionString: options.databaseUrl });
  const created: string[] = [];
  let dataDir: string | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopAllChildren();
      for (const name of created) {
        if (!BENCH_DATABASE_NAME.test(name)) throw new Error(`refusing to drop ${name}`);
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
      await admin.end().catch(() => undefined);
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping children, dropping the bench databases`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await admin.connect();
    const postgresVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;

    // Part A: scale-out on one PostgreSQL database.
    log(`signing ${integer.format(options.orders)} deliveries`);
    const shopDomain = 'bench-store.myshopify.com';
    const queue = toQueue(buildOrderDeliveries(options.orders, { secret, shopDomain, seed: SEED }));
    await admin.query(`CREATE DATABASE "${scaleOutDb}"`);
    created.push(scaleOutDb);
    const scaleOutEnv = { ...baseEnv, DATABASE_URL: withDatabase(options.databaseUrl, scaleOutDb) };
    await runChild('migrate', ['src/main.ts', 'migrate'], scaleOutEnv, REPO_ROOT, MIGRATE_TIMEOUT_MS);
    const db = new pg.Client({ connectionString: scaleOutEnv.DATABASE_URL });
    await db.connect();
    let intake: Awaited<ReturnType<typeof measureIntakeScaleOut>>;
    let worker: Awaited<ReturnType<typeof measureWorkerScaleOut>>;
    try {
      const [setup] = await startServers('api', 1, scaleOutEnv);
      try {
        await createTenant(setup!.baseUrl, baseEnv.SHOPSIGHT_ADMIN_TOKEN as string, secret, shopDomain);
      } finally {
        await stopChild(setup!.child);
      }
      intake = await measureIntakeScaleOut(queue, options, scaleOutEnv);
      log(
        `A1: ${integer.format(intake.single.acceptedPerSecond)} vs ${integer.format(intake.double.acceptedPerSecond)} req/s`,
      );
      worker = await measureWorkerScaleOut(options, db, scaleOutEnv);
      log(
        `A2: ${integer.format(worker.single.eventsPerSecond)} vs ${integer.format(worker.double.eventsPerSecond)} orders/s`,
      );
    } finally {
      await db.end();
    }

    // Part B: the same single process on PGlite, then on PostgreSQL.
    let embedded: { pglite: Embedded; postgres: Embedded } | undefined;
    if (!options.skipEmbedded) {
      dataDir = await mkdtemp(path.join(tmpdir(), 'shopsight-bench-embedded-'));
      const pglite = await measureEmbedded('PGlite', queue, secret, shopDomain, options, {
        ...baseEnv,
        SHOPSIGHT_DATA_DIR: dataDir,
      });
      await admin.query(`CREATE DATABASE "${embeddedDb}"`);
      created.push(embeddedDb);
      const postgres = await measureEmbedded('PostgreSQL', queue, secret, shopDomain, options, {
        ...baseEnv,
        DATABASE_URL: withDatabase(options.databaseUrl, embeddedDb),
      });
      embedded = { pglite, postgres };
    }

    const ratios = {
      intakeTwoApiOverOne: intake.double.acceptedPerSecond / intake.single.acceptedPerSecond,
      workerTwoOverOne: worker.double.eventsPerSecond / worker.single.eventsPerSecond,
      ...(embedded && {
        embeddedIntakeOverServer:
          embedded.pglite.intake.acceptedPerSecond / embedded.postgres.intake.acceptedPerSecond,
        embeddedDrainOverServer:
          embedded.pglite.drain.eventsPerSecond / embedded.postgres.drain.eventsPerSecond,
      }),
    };
    const machine = {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: postgresVersion,
      loadAverage1mAtStart,
      loadAverage1mAtEnd: loadavg()[0],
    };
    const json = {
      generatedAt: new Date().toISOString(),
      machine,
      parameters: { ...options, databaseUrl: undefined, seed: SEED },
      intake,
      worker,
      embedded,
      ratios,
    };
    const loadRow = (label: string, run: SplitLoad) =>
      `| ${label} | ${integer.format(run.acceptedPerSecond)} req/s | ${run.p50Ms} | ${run.p99Ms} | ` +
      `${run.non2xx} / ${run.errors} | ${percent(run.machineBusyShare)} |`;
    const drainRow = (label: string, run: Drain) =>
      `| ${label} | ${integer.format(run.eventsPerSecond)} orders/s | ${integer.format(run.events)} in ` +
      `${fixed2.format(run.seconds)} s | ${JSON.stringify(run.statuses)} | ${percent(run.machineBusyShare)} |`;
    const markdown = [
      '# Scale-out and embedded vs server',
      '',
      `Generated ${json.generatedAt}. **The machine has ${machine.cpus} cores, shared by PostgreSQL, the load ` +
        'generator and every Shopsight process measured** (and, on a shared host, by other work): a second ' +
        'process adds no core here, so these ratios show what a second process does on a saturated machine, ' +
        'not what it does with cores of its own. Two workers on one store also wait on each other where ' +
        "concurrent batches upsert the same customers' rows (row locks seen in pg_stat_activity). " +
        `Load average (1 min) ${fixed2.format(loadAverage1mAtStart ?? 0)} at start, ` +
        `${fixed2.format(machine.loadAverage1mAtEnd ?? 0)} at end.`,
      '',
      `## Scale-out on one PostgreSQL ${postgresVersion} database`,
      '',
      `Signed \`orders/create\` webhooks, ${options.connections} connections in all (split evenly over the api ` +
        `processes), up to ${options.durationSeconds} s per run after a ${options.warmupSeconds} s warm-up.`,
      '',
      '| Intake | Rate | p50 (ms) | p99 (ms) | non-2xx / errors | CPU busy |',
      '|---|---:|---:|---:|---:|---:|',
      loadRow('1 api process', intake.single),
      loadRow('2 api processes', intake.double),
      `| **ratio 2 / 1** | **${fixed2.format(ratios.intakeTwoApiOverOne)}** | | | | |`,
      '',
      'Workers (`--role worker`, default batch size and concurrency) draining the same number of pending events; ' +
        'started and idle before the events became due, so start-up is not counted.',
      '',
      '| Processing | Rate | Drained | Statuses | CPU busy |',
      '|---|---:|---:|---|---:|',
      drainRow('1 worker process', worker.single),
      drainRow('2 worker processes', worker.double),
      `| **ratio 2 / 1** | **${fixed2.format(ratios.workerTwoOverOne)}** | | | |`,
      '',
      ...(embedded
        ? [
            '## Embedded (PGlite) vs server (PostgreSQL)',
            '',
            'Intake into one `start --role api` process, then one `start --role all` process (the worker ' +
              'inside the server, as `npm start` runs it) draining everything stored, clocked from its start-up ' +
              'log line to its last event. PGlite in a fresh SHOPSIGHT_DATA_DIR, PostgreSQL in a fresh database; ' +
              'same bodies, same connections.',
            '',
            '| Database | Intake | p99 (ms) | Worker drain | Dead letters |',
            '|---|---:|---:|---:|---:|',
            ...[embedded.pglite, embedded.postgres].map(
              (run) =>
                `| ${run.database} | ${integer.format(run.intake.acceptedPerSecond)} req/s | ${run.intake.p99Ms} | ` +
                `${integer.format(run.drain.eventsPerSecond)} orders/s (${integer.format(run.drain.events)} in ` +
                `${fixed2.format(run.drain.seconds)} s) | ${run.drain.dead} |`,
            ),
            `| **ratio PGlite / PostgreSQL** | **${fixed2.format(ratios.embeddedIntakeOverServer!)}** | | ` +
              `**${fixed2.format(ratios.embeddedDrainOverServer!)}** | |`,
            '',
          ]
        : []),
      '## Run',
      '',
      `- machine: ${JSON.stringify(machine)}`,
      `- parameters: ${JSON.stringify(json.parameters)}`,
      '',
    ].join('\n');
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeResult('scale-out.json', JSON.stringify(json));
    process.stdout.write(`\n${await writeResult('scale-out.md', markdown)}`);
    const clean =
      worker.single.statuses.dead === undefined &&
      worker.double.statuses.dead === undefined &&
      (embedded === undefined || embedded.pglite.drain.dead + embedded.postgres.drain.dead === 0);
    if (!clean) log('!! some events were dead-lettered');
    return clean ? 0 : 1;
  } finally {
    await cleanup();
  }
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
process.exit(exitCode);
