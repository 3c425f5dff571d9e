/**
 * Writes the simulator's bulk export of `--orders N` orders (the backfill's own bulk query) to `--out`, as
 * Shopify's JSONL, and the COPY input to `--csv`: `tenant,id,raw` per order, raw being the order's REST
 * shape as the backfill stores it. Run as a child of run.ts so that neither the simulator's memory nor this
 * preparation counts in the backfill's peak RSS.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { bulkQuery, toRest } from '../../src/sync/graphql-shapes.ts';
import { assembleRoots } from '../../src/sync/jsonl.ts';
import { ShopifySource } from '../../src/sync/shopify-source.ts';
import { startSimulator } from '../../test/simulator/server.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    out: { type: 'string' },
    csv: { type: 'string' },
    tenant: { type: 'string' },
  },
});
const orders = Number(values.orders);
if (!Number.isInteger(orders) || orders < 1 || !values.out || !values.csv || !values.tenant) {
  throw new Error('--orders N --out FILE --csv FILE --tenant ID');
}

const simulator = await startSimulator({
  shops: [{ seed: 1, orderCount: orders, customerCount: Math.ceil(orders / 3), productCount: 25 }],
  throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
  bulk: { chunkSize: 1000 },
});
try {
  const shop = simulator.shops[0]!;
  const source = new ShopifySource({
    baseUrl: simulator.shopBaseUrl(shop),
    apiVersion: '2026-04',
    accessToken: simulator.issueAccessToken(shop),
  });
  const started = await source.runBulk(bulkQuery('orders'));
  if (!('operation' in started)) throw new Error('a bulk operation is already running');
  let operation = started.operation;
  while (operation.status === 'CREATED' || operation.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    operation = (await source.bulk(operation.id))!;
  }
  if (operation.status !== 'COMPLETED' || !operation.url)
    throw new Error(`bulk operation ${operation.status}`);
  const response = await fetch(operation.url);
  await pipeline(
    Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    createWriteStream(values.out),
  );
  const out = createWriteStream(values.csv);
  let rawBytes = 0;
  const lines = createInterface({ input: createReadStream(values.out), crlfDelay: Infinity });
  for await (const root of assembleRoots(lines)) {
    const rest = toRest('orders', root.node);
    const raw = JSON.stringify(rest);
    rawBytes += raw.length;
    if (!out.write(`${values.tenant},${String(rest.id)},"${raw.replaceAll('"', '""')}"\n`)) {
      await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'close');
  process.stdout.write(
    `${JSON.stringify({ rootObjectCount: operation.rootObjectCount, objectCount: operation.objectCount, rawBytes })}\n`,
  );
} finally {
  await simulator.close();
}
