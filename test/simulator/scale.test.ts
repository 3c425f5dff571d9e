// A store too big to hold is iterated and bulk-exported in bounded memory: scale-check.ts runs in its own
// process (so that its memory is its own), on 25,000 orders here to keep the suite quick; the same script
// runs the full 100,000 by hand (docs/simulator.md).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const ORDERS = 25_000;

test(`${ORDERS} orders are iterated and bulk-exported with a live heap that does not grow, under 300 MB RSS`, async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      // A full GC before each heap reading. The caps keep V8 from growing its heap far beyond what is live
      // (it does, when a process allocates fast); a simulator that held the orders would run out of heap.
      '--expose-gc',
      '--max-semi-space-size=16',
      '--max-old-space-size=128',
      resolve(import.meta.dirname, 'scale-check.ts'),
      '--orders',
      String(ORDERS),
      '--max-rss-mb',
      '300',
    ],
    { env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 1 << 20 },
  );
  const report = JSON.parse(stdout) as {
    status: string;
    rootObjectCount: number;
    objectCount: number;
    linesDownloaded: number;
    peakRssMb: number;
    phases: Record<string, { liveHeapMb: number }>;
    truth: { orders: number };
  };
  assert.equal(report.status, 'COMPLETED');
  assert.equal(report.rootObjectCount, ORDERS);
  assert.equal(report.truth.orders, ORDERS);
  assert.equal(report.linesDownloaded, report.objectCount);
  assert.ok(report.peakRssMb < 300, `peak RSS ${report.peakRssMb} MB`);
  // Holding the orders would take hundreds of MB; a few dozen is the working set of one chunk.
  for (const [phase, { liveHeapMb }] of Object.entries(report.phases)) {
    assert.ok(liveHeapMb < 64, `live heap after ${phase}: ${liveHeapMb} MB`);
  }
});
