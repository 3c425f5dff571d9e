/**
 * `npm run bench`: the whole benchmark suite, one bench after another, and one table of its figures and
 * same-run ratios against the issues' goals in bench/results/summary.{md,json}.
 *
 * Each bench runs as its own npm script (`bench:intake`, `bench:scale-out`, `bench:backfill`,
 * `bench:analytics`, `bench:rls`, `bench:dashboard`), so it owns its databases and children exactly as when
 * run alone; this runner reads the JSON result the bench wrote. A bench that exits non-zero is recorded as
 * failed (with its figures when it still wrote them) and the suite goes on; a script missing from
 * package.json is recorded as not available. The summary's exit code is 0 unless a bench failed.
 *
 * `--quick` passes each bench smaller sizes so the suite fits in a few minutes; since those figures are
 * not the benches' own defaults, each bench's own bench/results files are put back as they were after it
 * ran, and only the summary records the quick figures (marked as such).
 *
 *   npm run bench [-- --quick] [-- --only intake,analytics]
 */
import { spawn } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- other benches' result files, read defensively

/** One row of the summary: a figure, what it is measured against in the same run, and the goal if any. */
type Row = {
  bench: string;
  figure: string;
  value: string;
  /** `pass` / `miss` against the goal; undefined where the issue sets no goal (informational). */
  met?: boolean;
  goal?: string;
};

type Bench = {
  name: string;
  script: string;
  /** Files the bench writes under bench/results; the first is its JSON result. */
  results: string[];
  quickArgs: string[];
  rows: (result: Json) => Row[];
};

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const show = (value: number | undefined, formatter: Intl.NumberFormat, unit = '') =>
  value === undefined ? 'n/a' : `${formatter.format(value)}${unit}`;
const atLeast = (value: number | undefined, goal: number) => (value === undefined ? false : value >= goal);
const below = (value: number | undefined, goal: number) => (value === undefined ? false : value < goal);

/** The suite, in running order, with the goals each bench's issue sets (as the benches' own reports state them). */
const BENCHES: Bench[] = [
  {
    name: 'intake',
    script: 'bench:intake',
    results: ['webhook-intake.json', 'webhook-intake.md'],
    quickArgs: ['--duration', '3', '--orders', '20000'],
    rows: (r) => {
      const rate = num(r.intake?.measured?.acceptedPerSecond);
      const ratio = num(r.ratio?.acceptedPerSecond);
      const p99 = num(r.intake?.measured?.p99Ms);
      const worker = num(r.worker?.ordersPerSecond);
      return [
        {
          bench: 'intake',
          figure: 'durable intake rate',
          value: show(rate, integer, ' req/s'),
          goal: '>= 5,000 req/s',
          met: atLeast(rate, 5000),
        },
        {
          bench: 'intake',
          figure: 'intake / HMAC-only ceiling (same run)',
          value: show(ratio, fixed2),
          goal: '>= 0.25',
          met: atLeast(ratio, 0.25),
        },
        {
          bench: 'intake',
          figure: 'intake p99 latency',
          value: show(p99, integer, ' ms'),
          goal: '< 50 ms',
          met: below(p99, 50),
        },
        {
          bench: 'processing',
          figure: 'worker rate (1 worker)',
          value: show(worker, integer, ' orders/s'),
          goal: '>= 2,000 orders/s',
          met: atLeast(worker, 2000),
        },
      ];
    },
  },
  {
    name: 'scale-out, embedded vs server',
    script: 'bench:scale-out',
    results: ['scale-out.json', 'scale-out.md'],
    quickArgs: ['--duration', '3', '--orders', '24000', '--events', '3000'],
    rows: (r) => [
      {
        bench: 'scale-out',
        figure: 'intake, 2 api / 1 api processes',
        value: `${show(num(r.ratios?.intakeTwoApiOverOne), fixed2)} (${show(num(r.intake?.double?.acceptedPerSecond), integer)} / ${show(num(r.intake?.single?.acceptedPerSecond), integer)} req/s)`,
      },
      {
        bench: 'scale-out',
        figure: 'processing, 2 / 1 worker processes',
        value: `${show(num(r.ratios?.workerTwoOverOne), fixed2)} (${show(num(r.worker?.double?.eventsPerSecond), integer)} / ${show(num(r.worker?.single?.eventsPerSecond), integer)} orders/s)`,
      },
      ...(r.embedded
        ? [
            {
              bench: 'embedded vs server',
              figure: 'intake, PGlite / PostgreSQL (one api process)',
              value: `${show(num(r.ratios?.embeddedIntakeOverServer), fixed2)} (${show(num(r.embedded.pglite?.intake?.acceptedPerSecond), integer)} / ${show(num(r.embedded.postgres?.intake?.acceptedPerSecond), integer)} req/s)`,
            },
            {
              bench: 'embedded vs server',
              figure: 'worker drain, PGlite / PostgreSQL (one --role all process)',
              value: `${show(num(r.ratios?.embeddedDrainOverServer), fixed2)} (${show(num(r.embedded.pglite?.drain?.eventsPerSecond), integer)} / ${show(num(r.embedded.postgres?.drain?.eventsPerSecond), integer)} orders/s)`,
            },
          ]
        : []),
    ],
  },
  {
    name: 'backfill',
    script: 'bench:backfill',
    results: ['backfill.json', 'backfill.md'],
    quickArgs: ['--orders', '50000'],
    rows: (r) => {
      const ratio = num(r.ratioToCopy);
      const rss = num(r.backfill?.peakRssMb);
      return [
        {
          bench: 'backfill',
          figure: 'backfill / COPY of the same orders (same run)',
          value: show(ratio, fixed2),
          goal: '>= 0.5',
          met: atLeast(ratio, 0.5),
        },
        {
          bench: 'backfill',
          figure: 'backfill peak RSS',
          value: show(rss, integer, ' MB'),
          goal: '< 300 MB',
          met: below(rss, 300),
        },
      ];
    },
  },
  {
    name: 'analytics',
    script: 'bench:analytics',
    results: ['analytics.json', 'analytics.md'],
    quickArgs: ['--scale', '0.05', '--samples', '10', '--rounds', '1'],
    rows: (r) => {
      const reads = Object.entries((r.reads ?? {}) as Json).filter(([key]) => key.endsWith(', rollups'));
      const worstP95 = Math.max(...reads.map(([, read]) => num(read.p95Ms) ?? Infinity));
      const speedups = Object.values((r.speedup ?? {}) as Json).map((speedup) => num(speedup.p95) ?? 0);
      const minSpeedup = speedups.length > 0 ? Math.min(...speedups) : undefined;
      const writeCost = num(r.worker?.writeCost);
      return [
        {
          bench: 'analytics',
          figure: 'slowest report p95, from rollups',
          value: show(reads.length > 0 ? worstP95 : undefined, fixed2, ' ms'),
          goal: '< 15 ms',
          met: below(worstP95, 15),
        },
        {
          bench: 'analytics',
          figure: 'smallest p95 speed-up, rollups vs straight aggregate (same run)',
          value: show(minSpeedup, fixed2, 'x'),
          goal: '>= 30x',
          met: atLeast(minSpeedup, 30),
        },
        {
          bench: 'analytics',
          figure: 'rollup write cost, worker time on / off (same run)',
          value: show(writeCost, fixed2),
          goal: '< 1.20',
          met: below(writeCost, 1.2),
        },
      ];
    },
  },
  {
    name: 'rls',
    script: 'bench:rls',
    results: ['rls.json', 'rls.md'],
    quickArgs: ['--orders', '20000', '--rounds', '2'],
    rows: (r) => [
      {
        bench: 'row-level security',
        figure: 'summary read time, RLS on / off (same run)',
        value: show(num(r.summary?.slowdown), fixed2),
        goal: '< 1.10',
        met: below(num(r.summary?.slowdown), 1.1),
      },
      {
        bench: 'row-level security',
        figure: 'intake time per webhook, RLS on / off (same run)',
        value: show(num(r.intake?.slowdown), fixed2),
        goal: '< 1.10',
        met: below(num(r.intake?.slowdown), 1.1),
      },
    ],
  },
  {
    name: 'dashboard',
    script: 'bench:dashboard',
    results: ['dashboard.json', 'dashboard.md'],
    quickArgs: ['--orders', '10000', '--runs', '1'],
    rows: (r) => {
      const ms = num(r.medianDashboardCompleteMs);
      return [
        {
          bench: 'dashboard',
          figure: 'first load, embedded PGlite, complete (median)',
          value: show(ms, integer, ' ms') + ` with ${show(num(r.orders), integer)} orders`,
          goal: '< 1,000 ms',
          met: below(ms, 1000),
        },
      ];
    },
  },
];

type Outcome = {
  name: string;
  script: string;
  status: 'ok' | 'failed' | 'not available';
  exitCode?: number;
  seconds?: number;
  /** The bench's JSON result when it wrote one during this run. */
  result?: Json;
  rows: Row[];
  /** Last lines of the bench's output when it failed. */
  outputTail?: string;
};

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Runs `npm run <script> -- <args>`, output passed through; resolves with the exit code and the output's tail. */
function runScript(script: string, args: string[]): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
      to.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', (chunk: Buffer) => keep(chunk, process.stderr));
    child.stderr.on('data', (chunk: Buffer) => keep(chunk, process.stderr));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), tail }));
    child.on('error', (error) => resolve({ code: 1, tail: error.message }));
  });
}

async function snapshot(files: string[]): Promise<Map<string, Buffer | undefined>> {
  const saved = new Map<string, Buffer | undefined>();
  for (const file of files) {
    saved.set(file, await readFile(path.join(RESULTS_DIR, file)).catch(() => undefined));
  }
  return saved;
}

async function restore(saved: Map<string, Buffer | undefined>): Promise<void> {
  for (const [file, content] of saved) {
    const filepath = path.join(RESULTS_DIR, file);
    if (content === undefined) await rm(filepath, { force: true });
    else await writeFile(filepath, content);
  }
}

async function runBench(bench: Bench, scripts: Record<string, string>, quick: boolean): Promise<Outcome> {
  if (!(bench.script in scripts)) {
    log(`${bench.name}: no ${bench.script} script in package.json, not available`);
    return { name: bench.name, script: bench.script, status: 'not available', rows: [] };
  }
  const saved = await snapshot(bench.results);
  const startedAt = Date.now();
  log(`${bench.name}: npm run ${bench.script}${quick ? ` -- ${bench.quickArgs.join(' ')}` : ''}`);
  const { code, tail } = await runScript(bench.script, quick ? bench.quickArgs : []);
  const seconds = (Date.now() - startedAt) / 1000;
  const resultPath = path.join(RESULTS_DIR, bench.results[0]!);
  let result: Json | undefined;
  const written = await stat(resultPath).catch(() => undefined);
  if (written && written.mtimeMs >= startedAt) {
    result = JSON.parse(await readFile(resultPath, 'utf8')) as Json;
  }
  if (quick) await restore(saved);
  const rows = result ? bench.rows(result) : [];
  log(`${bench.name}: exit ${code} after ${Math.round(seconds)} s${result ? '' : ', no result written'}`);
  return {
    name: bench.name,
    script: bench.script,
    status: code === 0 ? 'ok' : 'failed',
    exitCode: code,
    seconds,
    result,
    rows,
    ...(code === 0 ? {} : { outputTail: tail }),
  };
}

function markdown(outcomes: Outcome[], facts: Json): string {
  const mark = (row: Row) => (row.goal === undefined ? '' : row.met ? 'pass' : '**miss**');
  const rows = outcomes.flatMap((outcome) => {
    if (outcome.status === 'not available') {
      return [`| ${outcome.name} | \`${outcome.script}\` not in package.json | not available | | |`];
    }
    const failed =
      outcome.status === 'failed'
        ? [
            `| ${outcome.name} | **failed** (exit ${outcome.exitCode}${outcome.result ? '; figures below are from its partial result' : ''}) | | | |`,
          ]
        : [];
    return [
      ...failed,
      ...outcome.rows.map(
        (row) => `| ${row.bench} | ${row.figure} | ${row.value} | ${row.goal ?? ''} | ${mark(row)} |`,
      ),
    ];
  });
  return [
    '# Benchmark suite',
    '',
    `Generated ${facts.generatedAt} by \`npm run bench${facts.quick ? ' -- --quick' : ''}\`` +
      (facts.quick
        ? " (**quick sizes**: smaller data and shorter runs than each bench's defaults; the per-bench files in this directory hold default-size runs)"
        : '') +
      `, ${integer.format(facts.totalSeconds)} s in all. Ratios compare two figures measured in the same run on the same machine; absolute rates depend on the host.`,
    '',
    `**Machine:** ${facts.machine.cpus} cores (${facts.machine.cpuModel}), ${facts.machine.memoryGiB} GiB, Node ${facts.machine.node}. ` +
      'PostgreSQL, the load generators and every Shopsight process share these cores, and other work was running on the host: ' +
      `load average (1 min) ${fixed2.format(facts.loadAverage.start)} at start, ${fixed2.format(facts.loadAverage.end)} at end.`,
    '',
    '| Bench | Figure | Measured | Goal | Met |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '| Bench | Script | Status | Seconds |',
    '|---|---|---|---:|',
    ...outcomes.map(
      (outcome) =>
        `| ${outcome.name} | \`${outcome.script}\` | ${outcome.status}${outcome.exitCode ? ` (exit ${outcome.exitCode})` : ''} | ${outcome.seconds === undefined ? '' : integer.format(outcome.seconds)} |`,
    ),
    '',
    "Details: each bench's own `bench/results/<bench>.md`; every figure of this run is in `summary.json`.",
    '',
  ].join('\n');
}

async function writeFormatted(name: string, text: string): Promise<string> {
  const filepath = path.join(RESULTS_DIR, name);
  const formatted = await format(text, { ...(await resolveConfig(filepath)), filepath });
  await writeFile(filepath, formatted);
  return formatted;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const only = values.only?.split(',').map((name) => name.trim());
  const selected = only
    ? BENCHES.filter((bench) => only.some((name) => bench.name.startsWith(name)))
    : BENCHES;
  if (selected.length === 0)
    throw new Error(`--only matches no bench of: ${BENCHES.map((b) => b.name).join(', ')}`);
  const { scripts } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0]!;
  const outcomes: Outcome[] = [];
  for (const bench of selected) outcomes.push(await runBench(bench, scripts, values.quick));
  const facts = {
    generatedAt: new Date().toISOString(),
    quick: values.quick,
    totalSeconds: (Date.now() - startedAt) / 1000,
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
  };
  await writeFormatted('summary.json', JSON.stringify({ ...facts, benches: outcomes }));
  process.stdout.write(await writeFormatted('summary.md', markdown(outcomes, facts)));
  return outcomes.some((outcome) => outcome.status === 'failed') ? 1 : 0;
}

process.exitCode = await main();
