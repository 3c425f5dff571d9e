/**
 * Checks that a large store is served without being held in memory: iterates every order of a generated
 * store (computing its ground truth), then bulk-exports them through the simulator and streams the JSONL
 * download, sampling the process's RSS all along. Prints one JSON line with timings, counts and the highest
 * RSS; exits 1 when the export misses objects or RSS went over the limit.
 *
 *   node test/simulator/scale-check.ts [--orders 100000] [--max-rss-mb 300]
 *
 * scale.test.ts runs it on a smaller store under a capped heap; run it by hand for the full 100k.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminClient, dataAt } from './admin-client.ts';
import { groundTruth } from './generator.ts';
import type { RestRecord } from './rest-shapes.ts';
import { startSimulator } from './server.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    'max-rss-mb': { type: 'string', default: '300' },
  },
});
const orderCount = Number(values.orders);
const maxRssMb = Number(values['max-rss-mb']);

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
/** Peak RSS of each phase, and the live heap after it (after a full GC when run with --expose-gc). */
const phases: Record<string, { peakRssMb: number; liveHeapMb: number }> = {};
const endPhase = (name: string) => {
  (globalThis as { gc?: () => void }).gc?.();
  phases[name] = {
    peakRssMb: Math.round(peakRss / 1e6),
    liveHeapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
};

const simulator = await startSimulator({
  shops: [{ orderCount, seed: 1 }],
  throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
});
try {
  const shop = simulator.shops[0] as string;
  const client = adminClient(simulator.shopBaseUrl(shop), simulator.issueAccessToken(shop));

  let started = performance.now();
  function* sampled(orders: Iterable<RestRecord>) {
    let count = 0;
    for (const order of orders) {
      if (++count % 1000 === 0) sampleRss();
      yield order;
    }
  }
  const truth = groundTruth(sampled(simulator.store.generated.orders));
  const iterateSeconds = (performance.now() - started) / 1000;
  endPhase('iterate');

  started = performance.now();
  const query =
    '{ orders { edges { node { id name updatedAt totalPriceSet { shopMoney { amount } } lineItems { edges { node { id quantity } } } } } } }';
  const run = await client.graphql(
    'mutation($q: String!) { bulkOperationRunQuery(query: $q) { userErrors { message } } }',
    { q: query },
  );
  const errors = dataAt<unknown[]>(run, 'bulkOperationRunQuery.userErrors');
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
  type Operation = {
    status: string;
    objectCount: string;
    rootObjectCount: string;
    fileSize: string;
    url: string;
  };
  let operation: Operation;
  for (;;) {
    sampleRss();
    const answer = await client.graphql(
      '{ currentBulkOperation { status objectCount rootObjectCount fileSize url } }',
    );
    operation = dataAt<Operation>(answer, 'currentBulkOperation');
    if (operation.status !== 'CREATED' && operation.status !== 'RUNNING') break;
    await sleep(100);
  }
  const exportSeconds = (performance.now() - started) / 1000;
  endPhase('export');

  // Count the download's lines as it streams, without keeping it.
  started = performance.now();
  let lines = 0;
  let roots = 0;
  let partial = '';
  const decoder = new TextDecoder();
  for await (const chunk of (await fetch(operation.url)).body as ReadableStream<Uint8Array>) {
    const text = partial + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    partial = parts.pop() as string;
    for (const line of parts) {
      lines += 1;
      if (!line.includes('"__parentId"')) roots += 1;
    }
    sampleRss();
  }
  const downloadSeconds = (performance.now() - started) / 1000;
  endPhase('download');

  const report = {
    orders: orderCount,
    status: operation.status,
    rootObjectCount: Number(operation.rootObjectCount),
    objectCount: Number(operation.objectCount),
    linesDownloaded: lines,
    rootsDownloaded: roots,
    fileSizeMb: Math.round(Number(operation.fileSize) / 1e5) / 10,
    iterateSeconds: Math.round(iterateSeconds * 10) / 10,
    exportSeconds: Math.round(exportSeconds * 10) / 10,
    downloadSeconds: Math.round(downloadSeconds * 10) / 10,
    peakRssMb: Math.round(peakRss / 1e6),
    phases,
    truth,
  };
  console.log(JSON.stringify(report));
  const complete =
    report.status === 'COMPLETED' &&
    report.rootObjectCount === orderCount &&
    roots === orderCount &&
    lines === report.objectCount &&
    truth.orders === orderCount;
  if (!complete || report.peakRssMb > maxRssMb) process.exitCode = 1;
} finally {
  await simulator.close();
}
