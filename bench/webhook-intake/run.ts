/**
 * `npm run bench:intake`: how many signed `orders/create` webhooks per second Shopsight accepts durably, next
 * to a bare HMAC-checking Fastify server measured in the same run (the ceiling), and how fast the worker
 * normalizes the accepted orders. Owns the run's database (created fresh, dropped at the end), its child
 * processes (all stopped at the end, also on failure or Ctrl-C) and bench/results/webhook-intake.{json,md}.
 *
 * Phases: 1. HMAC-only baseline  2. Shopsight api intake, then a durability check of the inbox
 * 3. Shopsight worker draining the inbox. See README.md beside this file for how to read the figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { format, resolveConfig } from 'prettier';
import { busyShare, machineCpu, processCpuSeconds } from './cpu.ts';
import { runLoad, toQueue, type DeliveryQueue, type LoadResult } from './load.ts';
import { buildOrderDeliveries } from './payload.ts';
import { runChild, startChild, stopAllChildren, stopChild, type Child } from './processes.ts';
import { createTenant, freePort, waitForHealthy } from './shopsight.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const WEBHOOK_PATH = '/webhooks/shopify';
const SHOP_DOMAIN = 'bench-store.myshopify.com';
const SEED = 1;

const HMAC_SERVER_READY_MS = 15_000;
const MIGRATE_TIMEOUT_MS = 120_000;
const WORKER_DRAIN_TIMEOUT_MS = 10 * 60_000;
const WORKER_POLL_MS = 100;

/** The goals; absolute rates depend on the machine, the ratio much less (see README). */
const GOALS = {
  intakePerSecond: 5_000,
  intakeP99Ms: 50,
  ratioToCeiling: 0.25,
  workerOrdersPerSecond: 2_000,
};

/** Cores' worth of CPU used by other processes during the baseline above which the report warns. */
const NOISY_NEIGHBOUR_CORES = 0.2;

/** Names this bench creates; the drop refuses anything else, whatever the URL points at. */
const BENCH_DATABASE_NAME = /^shopsight_bench_\d{8}_\d{6}$/;

type Options = {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  orders: number;
  databaseUrl: string;
};

type IntakeResult = {
  tenantId: string;
  warmup: LoadResult;
  measured: LoadResult;
  /** 2xx answers over warm-up and measured runs. */
  acknowledged: number;
  /** Rows in webhook_events once the api has stopped. */
  inboxRows: number;
  /** Deliveries answered 2xx whose event id is not in the inbox: acknowledged but lost. */
  acknowledgedButMissing: number;
  /** Requests still in flight when a run (warm-up or measured) stopped: sent, never answered. */
  unanswered: number;
  /** Event ids stored in the inbox (the worker's expected orders). */
  storedEventIds: string[];
};

type WorkerResult = {
  /** Pending events when the worker started. */
  events: number;
  /** Worker spawn to an empty pending queue, in seconds (includes the worker's start-up). */
  seconds: number;
  /** Worker spawn to the first event leaving `pending`, in seconds. */
  startupSeconds: number;
  ordersPerSecond: number;
  lineItemsPerSecond: number;
  statuses: Record<string, number>;
  /** The worker process ended by itself before the bench stopped it (a long-running role should not). */
  exitedBeforeStop: boolean;
  /** CPU used during the drain: the worker's seconds, and the share of all cores busy (0..1). */
  cpu: { workerSeconds?: number; machineBusyShare?: number };
  orders: number;
  lineItems: number;
  expectedLineItems: number;
};

function log(message: string): void {
  process.stderr.write(`[bench:intake ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function readOptions(): Options {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: env.BENCH_DURATION ?? '10' },
      warmup: { type: 'string', default: env.BENCH_WARMUP ?? '1' },
      connections: { type: 'string', default: env.BENCH_CONNECTIONS ?? '64' },
      orders: { type: 'string', default: env.BENCH_ORDERS ?? '60000' },
      'database-url': {
        type: 'string',
        default: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      },
    },
  });
  const positiveInt = (name: string, text: string, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`--${name} must be an integer in 1..${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const options = {
    durationSeconds: positiveInt('duration', values.duration, 3600),
    warmupSeconds: Number(values.warmup),
    connections: positiveInt('connections', values.connections, 1000),
    orders: positiveInt('orders', values.orders, 1_000_000),
    databaseUrl: values['database-url'],
  };
  if (!Number.isInteger(options.warmupSeconds) || options.warmupSeconds < 0 || options.warmupSeconds > 60) {
    throw new Error(`--warmup must be an integer in 0..60, got ${JSON.stringify(values.warmup)}`);
  }
  if (options.orders < 2 * options.connections) {
    throw new Error('--orders must be at least twice --connections: each connection needs distinct bodies');
  }
  return options;
}

/**
 * Signs every delivery up front and keeps only what the run needs: the encoded requests, each event's
 * line-item count (to check the worker's output) and body sizes in bytes.
 */
function prepareLoad(orders: number, secret: string) {
  const deliveries = buildOrderDeliveries(orders, { secret, shopDomain: SHOP_DOMAIN, seed: SEED });
  const sizes = deliveries.map((delivery) => Buffer.byteLength(delivery.body));
  return {
    queue: toQueue(deliveries),
    lineItemsByEventId: new Map(
      deliveries.map((delivery) => [delivery.headers['x-shopify-event-id'] as string, delivery.lineItems]),
    ),
    bodyBytes: {
      mean: Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length),
      min: Math.min(...sizes),
      max: Math.max(...sizes),
    },
  };
}

function benchDatabaseName(now: Date): string {
  const iso = now.toISOString();
  return `shopsight_bench_${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

function withDatabase(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function count(db: pg.Client, sql: string): Promise<number> {
  const result = await db.query<{ n: string }>(sql);
  return Number(result.rows[0]?.n ?? 0);
}

/** Warm-up (JIT, connection pools) then the measured run, both against `url`. */
async function warmupAndMeasure(
  queue: DeliveryQueue,
  url: string,
  options: Options,
  server: Child,
  distinct: { onAccepted: (index: number) => void } | undefined,
): Promise<{ warmup: LoadResult; measured: LoadResult }> {
  // Against Shopsight every body must be new to the inbox, so the runs stop when the queue runs out.
  const remaining = () => (distinct ? { maxRequests: queue.bodies.length - queue.taken } : {});
  const common = {
    url,
    connections: options.connections,
    onAccepted: distinct?.onAccepted,
    serverPid: server.process.pid,
  };
  const warmup =
    options.warmupSeconds > 0
      ? await runLoad(queue, { ...common, durationSeconds: options.warmupSeconds, ...remaining() })
      : emptyLoad();
  if (distinct && queue.bodies.length - queue.taken < options.connections) {
    throw new Error('the warm-up used up the bodies; raise --orders or lower --warmup');
  }
  const measured = await runLoad(queue, {
    ...common,
    durationSeconds: options.durationSeconds,
    ...remaining(),
  });
  return { warmup, measured };
}

function emptyLoad(): LoadResult {
  return {
    sent: 0,
    accepted: 0,
    elapsedSeconds: 0,
    acceptedPerSecond: 0,
    p50Ms: 0,
    p99Ms: 0,
    meanMs: 0,
    maxMs: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: {},
    cpu: { wallSeconds: 0, loadGeneratorSeconds: 0 },
  };
}

async function measureBaseline(queue: DeliveryQueue, secret: string, options: Options): Promise<LoadResult> {
  const server = startChild(
    'hmac-only server',
    [path.join(import.meta.dirname, 'hmac-only-server.ts')],
    { ...process.env, PORT: '0', BENCH_WEBHOOK_SECRET: secret },
    REPO_ROOT,
  );
  try {
    const [, port] = await server.waitForLine(/^listening (\d+)$/, HMAC_SERVER_READY_MS);
    log(`phase 1: hmac-only baseline on port ${port}, ${options.durationSeconds} s`);
    queue.taken = 0;
    const { measured } = await warmupAndMeasure(
      queue,
      `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
      options,
      server,
      undefined,
    );
    return measured;
  } finally {
    await stopChild(server);
  }
}

async function measureIntake(
  queue: DeliveryQueue,
  secret: string,
  options: Options,
  serverEnv: NodeJS.ProcessEnv,
  db: pg.Client,
): Promise<IntakeResult> {
  log('phase 2: migrating the bench database');
  await runChild('migrate', ['src/main.ts', 'migrate'], serverEnv, REPO_ROOT, MIGRATE_TIMEOUT_MS);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = startChild(
    'api',
    ['src/main.ts', 'start', '--role', 'api'],
    { ...serverEnv, PORT: String(port) },
    REPO_ROOT,
  );
  const acceptedIndexes: number[] = [];
  let tenantId: string;
  let runs: { warmup: LoadResult; measured: LoadResult };
  try {
    await waitForHealthy(baseUrl, api);
    tenantId = await createTenant(baseUrl, serverEnv.SHOPSIGHT_ADMIN_TOKEN as string, secret, SHOP_DOMAIN);
    log(`phase 2: Shopsight intake on port ${port} (tenant ${tenantId}), ${options.durationSeconds} s`);
    queue.taken = 0;
    runs = await warmupAndMeasure(queue, `${baseUrl}${WEBHOOK_PATH}`, options, api, {
      onAccepted: (index) => acceptedIndexes.push(index),
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\napi output:\n${api.outputTail()}`, { cause: error });
  } finally {
    // Stopped before counting so that every transaction the api started has ended.
    await stopChild(api);
  }

  const inboxRows = await count(db, 'SELECT count(*) AS n FROM webhook_events');
  const stored = await db.query<{ event_id: string }>('SELECT event_id FROM webhook_events');
  const storedEventIds = stored.rows.map((row) => row.event_id);
  const storedSet = new Set(storedEventIds);
  const acknowledgedButMissing = acceptedIndexes.filter(
    (index) => !storedSet.has(queue.headers[index]?.['x-shopify-event-id'] as string),
  ).length;
  return {
    tenantId,
    ...runs,
    acknowledged: acceptedIndexes.length,
    unanswered: [runs.warmup, runs.measured].reduce(
      (sum, run) => sum + run.sent - run.accepted - run.non2xx,
      0,
    ),
    inboxRows,
    acknowledgedButMissing,
    storedEventIds,
  };
}

async function measureWorker(
  serverEnv: NodeJS.ProcessEnv,
  db: pg.Client,
  expectedLineItems: number,
): Promise<WorkerResult> {
  const pendingSql = "SELECT count(*) AS n FROM webhook_events WHERE status = 'pending'";
  const events = await count(db, pendingSql);
  log(`phase 3: worker draining ${events} pending events`);
  const port = await freePort();
  const machineBefore = machineCpu();
  const startedAt = performance.now();
  const worker = startChild(
    'worker',
    ['src/main.ts', 'start', '--role', 'worker'],
    { ...serverEnv, PORT: String(port) },
    REPO_ROOT,
  );
  let firstProgressAt: number | undefined;
  let doneAt: number | undefined;
  let exitedBeforeStop = false;
  let cpu: WorkerResult['cpu'] = {};
  try {
    while (doneAt === undefined) {
      // Read before checking for an exit, so a worker that drains the inbox and then exits still counts.
      const exitCode = worker.process.exitCode;
      const pending = await count(db, pendingSql);
      const now = performance.now();
      if (firstProgressAt === undefined && pending < events) firstProgressAt = now;
      if (pending === 0) {
        doneAt = now;
      } else if (exitCode !== null) {
        throw new Error(`the worker exited (code ${exitCode}) with ${pending} events still pending`);
      } else if (now - startedAt > WORKER_DRAIN_TIMEOUT_MS) {
        throw new Error(
          `the worker left ${pending} events pending after ${WORKER_DRAIN_TIMEOUT_MS / 1000} s`,
        );
      } else {
        await sleep(WORKER_POLL_MS);
      }
    }
    exitedBeforeStop = worker.process.exitCode !== null;
    cpu = {
      workerSeconds: worker.process.pid === undefined ? undefined : processCpuSeconds(worker.process.pid),
      machineBusyShare: busyShare(machineBefore, machineCpu()),
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nworker output:\n${worker.outputTail()}`, { cause: error });
  } finally {
    await stopChild(worker);
  }

  const statusRows = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM webhook_events GROUP BY status ORDER BY status',
  );
  const statuses = Object.fromEntries(statusRows.rows.map((row) => [row.status, Number(row.n)]));
  const seconds = (doneAt - startedAt) / 1000;
  const lineItems = await count(db, 'SELECT count(*) AS n FROM order_line_items');
  return {
    events,
    seconds,
    startupSeconds: ((firstProgressAt ?? doneAt) - startedAt) / 1000,
    ordersPerSecond: (statuses.processed ?? 0) / seconds,
    lineItemsPerSecond: lineItems / seconds,
    statuses,
    exitedBeforeStop,
    cpu,
    orders: await count(db, 'SELECT count(*) AS n FROM orders'),
    lineItems,
    expectedLineItems,
  };
}

/**
 * CPU seconds of the machine's busy time not used by `knownSeconds`' processes, over `window`; undefined
 * where /proc could not be read.
 */
function restSeconds(
  window: { wallSeconds: number; machineBusyShare?: number },
  knownSeconds: number[],
  cores: number,
): number | undefined {
  if (window.machineBusyShare === undefined) return undefined;
  const busySeconds = window.machineBusyShare * cores * window.wallSeconds;
  return busySeconds - knownSeconds.reduce((sum, seconds) => sum + seconds, 0);
}

/** `- label (wall s): name n s, ..., rest n s; machine n% busy`, leaving out what could not be read. */
function cpuLine(
  label: string,
  window: { wallSeconds: number; machineBusyShare?: number },
  processes: Record<string, number | undefined>,
  cores: number,
): string {
  const known = Object.entries(processes).filter(
    (entry): entry is [string, number] => entry[1] !== undefined,
  );
  const parts = known.map(([name, seconds]) => `${name} ${fixed2.format(seconds)} s`);
  const rest = restSeconds(
    window,
    known.map(([, seconds]) => seconds),
    cores,
  );
  if (rest !== undefined && window.machineBusyShare !== undefined) {
    parts.push(
      `rest ${fixed2.format(rest)} s; machine ${integer.format(window.machineBusyShare * 100)}% busy`,
    );
  }
  return `- ${label} (${fixed2.format(window.wallSeconds)} s): ${parts.join(', ')}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function loadRow(label: string, load: LoadResult): string {
  return (
    `| ${label} | ${integer.format(load.acceptedPerSecond)} req/s | ${load.p50Ms} | ${load.p99Ms} | ` +
    `${integer.format(load.non2xx)} / ${integer.format(load.errors)} | ` +
    `${integer.format(load.accepted)} in ${fixed2.format(load.elapsedSeconds)} s |`
  );
}

/** Everything about the run that is not a measurement, written beside the figures. */
type Facts = {
  generatedAt: string;
  machine: { cpus: number } & Record<string, unknown>;
  parameters: Omit<Options, 'databaseUrl'> & {
    seed: number;
    shopDomain: string;
    bodyBytes: { mean: number; min: number; max: number };
  };
  database: string;
  /** SHOPSIGHT_* and DATABASE_POOL_SIZE settings inherited from the bench's environment. */
  serverSettings: Record<string, string>;
};

function buildReport(facts: Facts, baseline: LoadResult, intake: IntakeResult, worker: WorkerResult) {
  const { parameters } = facts;
  const measured = intake.measured;
  const ratio = measured.acceptedPerSecond / baseline.acceptedPerSecond;
  const extraRows = intake.inboxRows - intake.acknowledged;
  const checks = {
    durable: intake.acknowledgedButMissing === 0,
    inboxMatchesAcknowledged: extraRows === 0,
    extraRowsExplained: extraRows >= 0 && extraRows <= intake.unanswered,
    everyEventProcessed: (worker.statuses.processed ?? 0) === intake.inboxRows,
    ordersMatchInbox: worker.orders === intake.inboxRows,
    lineItemsMatch: worker.lineItems === worker.expectedLineItems,
  };
  const goals = [
    {
      goal: 'durable intake rate',
      target: `>= ${integer.format(GOALS.intakePerSecond)} req/s`,
      actual: `${integer.format(measured.acceptedPerSecond)} req/s`,
      met: measured.acceptedPerSecond >= GOALS.intakePerSecond,
    },
    {
      goal: 'intake p99 latency',
      target: `< ${GOALS.intakeP99Ms} ms`,
      actual: `${measured.p99Ms} ms`,
      met: measured.p99Ms < GOALS.intakeP99Ms,
    },
    {
      goal: 'ratio to HMAC-only ceiling',
      target: `>= ${GOALS.ratioToCeiling}`,
      actual: fixed2.format(ratio),
      met: ratio >= GOALS.ratioToCeiling,
    },
    {
      goal: 'worker rate',
      target: `>= ${integer.format(GOALS.workerOrdersPerSecond)} orders/s`,
      actual: `${integer.format(worker.ordersPerSecond)} orders/s`,
      met: worker.ordersPerSecond >= GOALS.workerOrdersPerSecond,
    },
  ];

  const durability = !checks.durable
    ? `**DURABILITY FAILURE: ${intake.acknowledgedButMissing} deliveries answered 2xx are not in webhook_events.**`
    : checks.inboxMatchesAcknowledged
      ? 'Every 2xx answer is a row in webhook_events, and there is no other row.'
      : `**MISMATCH: ${integer.format(intake.inboxRows)} rows for ${integer.format(intake.acknowledged)} 2xx answers.** ` +
        'Every answered delivery is stored. ' +
        (checks.extraRowsExplained
          ? `The ${integer.format(extraRows)} other rows are among the ${integer.format(intake.unanswered)} requests ` +
            'in flight when a run stopped (stored, never answered: Shopify would retry them and the event id ' +
            'would deduplicate the retry).'
          : `**${integer.format(extraRows)} other rows are more than the ${integer.format(intake.unanswered)} ` +
            'requests left unanswered: unexplained.**');
  const workerMatches = checks.everyEventProcessed && checks.ordersMatchInbox && checks.lineItemsMatch;
  const ranOutEarly = measured.elapsedSeconds < parameters.durationSeconds - 0.5;
  // Nothing but the load generator and the HMAC-only server should run during the baseline, so any other
  // busy time there is a neighbour on the host, and the ceiling the ratio divides by is too low.
  const baselineRest = restSeconds(
    baseline.cpu,
    [baseline.cpu.loadGeneratorSeconds, baseline.cpu.serverSeconds ?? 0],
    facts.machine.cpus,
  );
  const neighbourCores = baselineRest === undefined ? 0 : baselineRest / baseline.cpu.wallSeconds;

  const markdown = [
    '# Webhook intake bench',
    '',
    `Signed \`orders/create\` webhooks of ${integer.format(parameters.bodyBytes.mean)} bytes on average, ` +
      `${parameters.connections} connections, up to ${parameters.durationSeconds} s per phase after a ` +
      `${parameters.warmupSeconds} s warm-up. Generated ${facts.generatedAt}.`,
    '',
    '| Phase | Rate | p50 (ms) | p99 (ms) | non-2xx / errors | Accepted |',
    '|---|---:|---:|---:|---:|---:|',
    loadRow('hmac-only baseline', baseline),
    loadRow('Shopsight intake', measured),
    `| ratio (intake / baseline) | ${fixed2.format(ratio)} | ${fixed2.format(measured.p50Ms / baseline.p50Ms)}x | ` +
      `${fixed2.format(measured.p99Ms / baseline.p99Ms)}x | | |`,
    `| worker (inbox to orders) | ${integer.format(worker.ordersPerSecond)} orders/s ` +
      `(${integer.format(worker.lineItemsPerSecond)} line items/s) | | | | ` +
      `${integer.format(worker.statuses.processed ?? 0)} in ${fixed2.format(worker.seconds)} s |`,
    '',
    '| Goal | Target | Actual | Met |',
    '|---|---|---|---|',
    ...goals.map((goal) => `| ${goal.goal} | ${goal.target} | ${goal.actual} | ${goal.met ? 'yes' : 'NO'} |`),
    '',
    '## Checks',
    '',
    `- Durability: ${integer.format(intake.acknowledged)} 2xx answers (warm-up included), ` +
      `${integer.format(intake.inboxRows)} rows in webhook_events. ${durability}`,
    `- Worker: events by status ${JSON.stringify(worker.statuses)}; ${integer.format(worker.orders)} orders ` +
      `(expected ${integer.format(intake.inboxRows)}), ${integer.format(worker.lineItems)} line items ` +
      `(expected ${integer.format(worker.expectedLineItems)}). ${workerMatches ? 'All match.' : '**MISMATCH.**'}`,
    `- Worker start-up (spawn to first event out of pending): ${fixed2.format(worker.startupSeconds)} s, ` +
      'counted in its rate.',
    ...(worker.exitedBeforeStop
      ? ['- **The worker process exited by itself once the inbox was empty.**']
      : []),
    ...(neighbourCores > NOISY_NEIGHBOUR_CORES
      ? [
          `- **Noisy host: other processes used ${fixed2.format(neighbourCores)} cores on average during the ` +
            'baseline, so the ceiling and the ratio are unreliable; run again when the host is quiet.**',
        ]
      : []),
    ...(ranOutEarly
      ? [
          `- The intake run sent all ${integer.format(parameters.orders)} bodies in ` +
            `${fixed2.format(measured.elapsedSeconds)} s, before its ${parameters.durationSeconds} s were up; ` +
            'raise --orders for a full-length run.',
        ]
      : []),
    '',
    '## Where the CPU went',
    '',
    `Seconds of CPU per process; "rest" is the machine's busy time minus those (PostgreSQL, and any other load on a shared host), out of ${facts.machine.cpus} cores.`,
    '',
    cpuLine(
      'hmac-only baseline',
      baseline.cpu,
      { 'load generator': baseline.cpu.loadGeneratorSeconds, server: baseline.cpu.serverSeconds },
      facts.machine.cpus,
    ),
    cpuLine(
      'Shopsight intake',
      measured.cpu,
      { 'load generator': measured.cpu.loadGeneratorSeconds, api: measured.cpu.serverSeconds },
      facts.machine.cpus,
    ),
    cpuLine(
      'worker drain',
      { wallSeconds: worker.seconds, machineBusyShare: worker.cpu.machineBusyShare },
      { worker: worker.cpu.workerSeconds },
      facts.machine.cpus,
    ),
    '',
    '## Run',
    '',
    `- machine: ${JSON.stringify(facts.machine)}`,
    `- parameters: ${JSON.stringify(parameters)}`,
    `- database: ${facts.database}`,
    `- server settings from the environment: ${JSON.stringify(facts.serverSettings)}`,
    '',
  ].join('\n');

  const json = {
    ...facts,
    baseline,
    intake: { ...intake, storedEventIds: undefined },
    ratio: {
      acceptedPerSecond: ratio,
      p50: measured.p50Ms / baseline.p50Ms,
      p99: measured.p99Ms / baseline.p99Ms,
    },
    worker,
    goals,
    checks,
    neighbourCoresDuringBaseline: neighbourCores,
  };
  // Goals are reported, not enforced (absolute rates depend on the host); lost or unprocessed data fails.
  const correct = checks.durable && checks.extraRowsExplained && workerMatches;
  return { markdown, json, correct };
}

/** Writes `text` to bench/results/`name` formatted as the repository's Prettier config says (results are committed). */
async function writeResult(name: string, text: string): Promise<string> {
  const filepath = path.join(RESULTS_DIR, name);
  const formatted = await format(text, { ...(await resolveConfig(filepath)), filepath });
  await writeFile(filepath, formatted);
  return formatted;
}

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  if (!BENCH_DATABASE_NAME.test(name)) throw new Error(`refusing to drop ${name}: not a bench database name`);
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

function serverSettingsFromEnv(): Record<string, string> {
  const secrets = new Set(['SHOPSIGHT_ADMIN_TOKEN', 'SHOPSIGHT_ENCRYPTION_KEY']);
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        (entry[0].startsWith('SHOPSIGHT_') || entry[0] === 'DATABASE_POOL_SIZE') &&
        !secrets.has(entry[0]) &&
        entry[1] !== undefined,
    ),
  );
}

/** Runs the three phases and writes the results; resolves with the process exit code. */
async function main(): Promise<number> {
  const options = readOptions();
  const loadAverageAtStart = loadavg()[0];
  const secret = randomBytes(24).toString('base64url');
  log(`signing ${integer.format(options.orders)} orders/create deliveries`);
  const { queue, lineItemsByEventId, bodyBytes } = prepareLoad(options.orders, secret);

  const databaseName = benchDatabaseName(new Date());
  const databaseUrl = withDatabase(options.databaseUrl, databaseName);
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  const db = new pg.Client({ connectionString: databaseUrl });
  let adminConnected = false;
  let dbConnected = false;
  let created = false;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopAllChildren();
      if (dbConnected) await db.end();
      if (created) {
        await dropDatabase(admin, databaseName);
        log(`dropped database ${databaseName}`);
      }
      if (adminConnected) await admin.end();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping children and dropping the bench database`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    SHOPSIGHT_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    SHOPSIGHT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  };

  try {
    await admin.connect();
    adminConnected = true;
    const version = await admin.query<{ server_version: string }>('SHOW server_version');
    await admin.query(`CREATE DATABASE "${databaseName}"`);
    created = true;
    log(`created database ${databaseName}`);
    await db.connect();
    dbConnected = true;

    const baseline = await measureBaseline(queue, secret, options);
    log(
      `baseline: ${integer.format(baseline.acceptedPerSecond)} req/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`,
    );
    const intake = await measureIntake(queue, secret, options, serverEnv, db);
    log(
      `intake: ${integer.format(intake.measured.acceptedPerSecond)} req/s, p50 ${intake.measured.p50Ms} ms, ` +
        `p99 ${intake.measured.p99Ms} ms; ${intake.acknowledged} 2xx, ${intake.inboxRows} inbox rows`,
    );
    if (intake.inboxRows !== intake.acknowledged || intake.acknowledgedButMissing > 0) {
      log(
        `!! MISMATCH: webhook_events has ${intake.inboxRows} rows for ${intake.acknowledged} 2xx answers; ` +
          `${intake.acknowledgedButMissing} answered deliveries are missing, ` +
          `${intake.unanswered} requests were in flight when the runs stopped`,
      );
    }
    const expectedLineItems = intake.storedEventIds.reduce(
      (sum, eventId) => sum + (lineItemsByEventId.get(eventId) ?? 0),
      0,
    );
    const worker = await measureWorker(serverEnv, db, expectedLineItems);
    log(`worker: ${integer.format(worker.ordersPerSecond)} orders/s over ${fixed2.format(worker.seconds)} s`);

    const dbUrl = new URL(options.databaseUrl);
    const report = buildReport(
      {
        generatedAt: new Date().toISOString(),
        machine: {
          cpus: availableParallelism(),
          cpuModel: cpus()[0]?.model,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
          platform: `${process.platform} ${process.arch}`,
          postgres: version.rows[0]?.server_version,
          loadAverage1mAtStart: loadAverageAtStart,
        },
        parameters: {
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          connections: options.connections,
          orders: options.orders,
          seed: SEED,
          shopDomain: SHOP_DOMAIN,
          bodyBytes,
        },
        database: `${dbUrl.host}/${databaseName} (dropped after the run)`,
        serverSettings: serverSettingsFromEnv(),
      },
      baseline,
      intake,
      worker,
    );
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeResult('webhook-intake.json', JSON.stringify(report.json));
    const markdown = await writeResult('webhook-intake.md', report.markdown);
    process.stdout.write(`\n${markdown}`);
    log(`wrote ${path.relative(REPO_ROOT, RESULTS_DIR)}/webhook-intake.{json,md}`);
    return report.correct ? 0 : 1;
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
// Exit explicitly: a lingering socket or timer in a child's client library must not keep the bench alive.
process.exit(exitCode);
