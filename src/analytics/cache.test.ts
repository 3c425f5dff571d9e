import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Metrics } from '../lib/metrics.ts';
import { AnalyticsCache } from './cache.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const cache = (options: { ttlMs?: number; maxEntries?: number } = {}) =>
  new AnalyticsCache({ metrics: new Metrics(), log: pino({ level: 'silent' }), ...options });

describe('AnalyticsCache in process', () => {
  it('misses, then hits the saved answer, by URL and Accept', async () => {
    const answers = cache();
    const first = await answers.lookup(A, '/summary?from=2025-01-01', 'application/json');
    assert.equal(first.body, undefined);
    await answers.save(first, '{"orders":1}');
    assert.equal(
      (await answers.lookup(A, '/summary?from=2025-01-01', 'application/json')).body,
      '{"orders":1}',
    );
    assert.equal((await answers.lookup(A, '/summary?from=2025-01-02', 'application/json')).body, undefined);
    assert.equal((await answers.lookup(A, '/summary?from=2025-01-01', 'text/csv')).body, undefined);
  });

  it("drops only the invalidated tenant's answers, also one computed before the invalidation", async () => {
    const answers = cache();
    const a = await answers.lookup(A, '/summary', '');
    const b = await answers.lookup(B, '/summary', '');
    await answers.save(b, 'b');
    await answers.invalidate([A]);
    // An answer computed from data read before the change arrives after it: it must not be served.
    await answers.save(a, 'stale a');
    assert.equal((await answers.lookup(A, '/summary', '')).body, undefined);
    assert.equal((await answers.lookup(B, '/summary', '')).body, 'b');
  });

  it('expires entries after the TTL and keeps at most maxEntries', async () => {
    const short = cache({ ttlMs: 5 });
    await short.save(await short.lookup(A, '/x', ''), 'x');
    await sleep(20);
    assert.equal((await short.lookup(A, '/x', '')).body, undefined);

    const small = cache({ maxEntries: 2 });
    for (const url of ['/1', '/2', '/3']) await small.save(await small.lookup(A, url, ''), url);
    assert.equal((await small.lookup(A, '/1', '')).body, undefined, 'the oldest entry is evicted');
    assert.equal((await small.lookup(A, '/3', '')).body, '/3');
  });
});
