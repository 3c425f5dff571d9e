// Cost-based throttling: requested and actual costs in extensions.cost, the bucket emptied by requested cost
// and refilled by the unused part, THROTTLED (HTTP 200) when empty, recovery at restoreRate, the 429 mode.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClient, type AdminClient, type GraphqlAnswer } from './admin-client.ts';
import { startSimulator, type Simulator } from './server.ts';
import { LeakyBucket } from './throttle.ts';

type Cost = {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
};
const costOf = (answer: GraphqlAnswer) => (answer.body.extensions as { cost: Cost }).cost;

// 2 for the connection, 1 per order: 22 requested; 10 orders exist, so 12 actually.
const TEN_ORDERS = '{ orders(first: 20) { nodes { id } } }';

describe('the leaky bucket', () => {
  test('takes, refunds, refills at the restore rate and never overflows', () => {
    let now = 0;
    const bucket = new LeakyBucket({ maximumAvailable: 100, restoreRate: 10 }, () => now);
    assert.equal(bucket.take(60), true);
    assert.equal(bucket.take(60), false);
    assert.equal(bucket.status().currentlyAvailable, 40);
    assert.equal(bucket.secondsUntil(60), 2);
    now += 2000;
    assert.equal(bucket.take(60), true);
    bucket.refund(15);
    assert.equal(bucket.status().currentlyAvailable, 15);
    now += 60_000;
    assert.equal(bucket.status().currentlyAvailable, 100);
  });
});

describe('throttling over HTTP', () => {
  let now = 1_700_000_000_000;
  let simulator: Simulator;
  let client: AdminClient;

  before(async () => {
    simulator = await startSimulator({
      shops: [{ orderCount: 10 }],
      throttle: { maximumAvailable: 50, restoreRate: 10 },
      now: () => now,
    });
    const shop = simulator.shops[0] as string;
    client = adminClient(simulator.shopBaseUrl(shop), simulator.issueAccessToken(shop));
  });
  after(() => simulator.close());

  test('reports requested and actual cost, and gives back the unused part', async () => {
    const answer = await client.graphql(TEN_ORDERS);
    assert.deepEqual(costOf(answer), {
      requestedQueryCost: 22,
      actualQueryCost: 12,
      throttleStatus: { maximumAvailable: 50, currentlyAvailable: 38, restoreRate: 10 },
    });
  });

  test('answers THROTTLED with HTTP 200 when the bucket is short, and recovers at restoreRate', async () => {
    await client.graphql(TEN_ORDERS);
    await client.graphql(TEN_ORDERS);
    // 38 - 12 - 12 = 14 left, 22 requested.
    const throttled = await client.graphql(TEN_ORDERS);
    assert.equal(throttled.status, 200);
    assert.deepEqual(throttled.body.errors, [
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
      },
    ]);
    assert.equal(throttled.body.data, undefined);
    assert.deepEqual(costOf(throttled), {
      requestedQueryCost: 22,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 50, currentlyAvailable: 14, restoreRate: 10 },
    });
    now += 700;
    assert.equal(
      costOf(await client.graphql(TEN_ORDERS)).actualQueryCost,
      null,
      '21 points after 0.7 s: still short',
    );
    now += 100;
    const recovered = await client.graphql(TEN_ORDERS);
    assert.equal(recovered.body.errors, undefined);
    assert.equal(
      costOf(recovered).throttleStatus.currentlyAvailable,
      10,
      '22 available, 22 taken, 10 unused given back',
    );
  });

  test('a mutation costs 10', async () => {
    now += 60_000;
    const answer = await client.graphql(
      'mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { userErrors { message } } }',
    );
    assert.deepEqual([costOf(answer).requestedQueryCost, costOf(answer).actualQueryCost], [10, 10]);
  });
});

test('in 429 mode a throttled request gets HTTP 429 with Retry-After', async () => {
  const simulator = await startSimulator({
    shops: [{ orderCount: 10 }],
    throttle: { maximumAvailable: 30, restoreRate: 5, mode: '429' },
    now: () => 0,
  });
  try {
    const shop = simulator.shops[0] as string;
    const client = adminClient(simulator.shopBaseUrl(shop), simulator.issueAccessToken(shop));
    assert.equal((await client.graphql(TEN_ORDERS)).status, 200);
    const throttled = await client.graphql(TEN_ORDERS);
    assert.equal(throttled.status, 429);
    // 18 left, 22 requested, 5 per second.
    assert.equal(throttled.headers.get('retry-after'), '1');
  } finally {
    await simulator.close();
  }
});
