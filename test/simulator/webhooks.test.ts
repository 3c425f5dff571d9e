// Webhook delivery as Shopify delivers: signed bodies (checked with Shopsight's verifyWebhookHmac), Shopify's
// headers, retries after a failure or a timeout until a 2xx, duplicates sharing X-Shopify-Event-Id, shuffled
// order within a window, and the changes through /_simulator that trigger them.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { verifyWebhookHmac } from '../../src/shopify/hmac.ts';
import { adminClient, dataAt } from './admin-client.ts';
import { idText } from './ids.ts';
import type { RestRecord } from './rest-shapes.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from './server.ts';

const SECRET = 'webhook-test-secret';

type Received = { headers: IncomingHttpHeaders; body: Buffer };

/** A webhook endpoint that records requests and answers with `respond` (status, or a delay in ms first). */
async function receiver(
  respond: (count: number) => number | { delayMs: number; status: number } = () => 200,
) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      const answer = respond(received.length);
      const { delayMs, status } = typeof answer === 'number' ? { delayMs: 0, status: answer } : answer;
      setTimeout(() => response.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function simulatorWith(options: SimulatorOptions): Promise<Simulator> {
  return startSimulator({ apiSecret: SECRET, shops: [{ orderCount: 20 }], ...options });
}

describe('a delivery', () => {
  let simulator: Simulator;
  let endpoint: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    endpoint = await receiver();
    simulator = await simulatorWith({ delivery: { retryScheduleMs: [10] } });
  });
  after(async () => {
    await simulator.close();
    await endpoint.close();
  });

  test('is signed with the app secret, carries Shopify’s headers, and the REST order with exact ids', async () => {
    const shop = simulator.shops[0] as string;
    // Subscribed through the GraphQL mutation, as an app subscribes.
    const client = adminClient(simulator.shopBaseUrl(shop), simulator.issueAccessToken(shop), '2026-01');
    const subscribed = await client.graphql(
      `mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { callbackUrl: "${endpoint.url}", format: JSON }) { userErrors { message } } }`,
    );
    assert.deepEqual(dataAt(subscribed, 'webhookSubscriptionCreate.userErrors'), []);
    const created = simulator.store.createOrder();
    await simulator.deliveriesSettled();

    assert.equal(endpoint.received.length, 1);
    const { headers, body } = endpoint.received[0] as Received;
    assert.equal(verifyWebhookHmac(body, headers['x-shopify-hmac-sha256'] as string, SECRET), true);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['x-shopify-topic'], 'orders/create');
    assert.equal(headers['x-shopify-shop-domain'], shop);
    assert.equal(headers['x-shopify-api-version'], '2026-01');
    assert.match(String(headers['x-shopify-webhook-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(headers['x-shopify-event-id']), /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(String(headers['x-shopify-triggered-at']))));
    assert.equal(body.toString(), JSON.stringify(created.order));
    assert.ok(body.toString().includes(`"id":${idText(created.order.id)},`), 'the id digit for digit');
  });
});

describe('retries', () => {
  test('a 500 is retried, and a 200 ends the retries; the event id stays, the webhook id changes', async () => {
    const endpoint = await receiver((count) => (count === 1 ? 500 : 200));
    const simulator = await simulatorWith({ delivery: { retryScheduleMs: [20, 20, 20] } });
    try {
      simulator.subscribe(simulator.shops[0] as string, 'orders/create', endpoint.url);
      simulator.store.createOrder();
      await simulator.deliveriesSettled();
      assert.equal(endpoint.received.length, 2);
      const [first, second] = endpoint.received as [Received, Received];
      assert.equal(first.headers['x-shopify-event-id'], second.headers['x-shopify-event-id']);
      assert.notEqual(first.headers['x-shopify-webhook-id'], second.headers['x-shopify-webhook-id']);
      assert.deepEqual(
        simulator.dispatcher.attempts.map((attempt) => [attempt.attempt, attempt.status]),
        [
          [1, 500],
          [2, 200],
        ],
      );
    } finally {
      await simulator.close();
      await endpoint.close();
    }
  });

  test('no answer within the timeout is retried, and the schedule ends the retries', async () => {
    const endpoint = await receiver(() => ({ delayMs: 300, status: 200 }));
    const simulator = await simulatorWith({ delivery: { retryScheduleMs: [10, 10], timeoutMs: 50 } });
    try {
      simulator.subscribe(simulator.shops[0] as string, 'orders/create', endpoint.url);
      simulator.store.createOrder();
      await simulator.deliveriesSettled();
      const attempts = simulator.dispatcher.attempts;
      assert.equal(attempts.length, 3, 'the first try and two retries');
      assert.ok(
        attempts.every(
          (attempt) => attempt.status === null && /no response within 50 ms/.test(String(attempt.error)),
        ),
      );
    } finally {
      await simulator.close();
      await endpoint.close();
    }
  });
});

describe('duplicates and order', () => {
  test('each event can be delivered several times with the same event id', async () => {
    const endpoint = await receiver();
    const simulator = await simulatorWith({ delivery: { duplicates: 3 } });
    try {
      simulator.subscribe(simulator.shops[0] as string, 'orders/create', endpoint.url);
      simulator.store.createOrder();
      await simulator.deliveriesSettled();
      assert.equal(endpoint.received.length, 3);
      assert.equal(new Set(endpoint.received.map((r) => r.headers['x-shopify-event-id'])).size, 1);
      assert.equal(new Set(endpoint.received.map((r) => r.headers['x-shopify-webhook-id'])).size, 3);
    } finally {
      await simulator.close();
      await endpoint.close();
    }
  });

  test('events in a window are delivered in shuffled order, all of them', async () => {
    const endpoint = await receiver();
    const simulator = await simulatorWith({ delivery: { shuffleWindowMs: 30, seed: 3 } });
    try {
      simulator.subscribe(simulator.shops[0] as string, 'orders/create', endpoint.url);
      const sent = Array.from({ length: 12 }, () => idText(simulator.store.createOrder().order.id));
      await simulator.deliveriesSettled();
      const got = endpoint.received.map((r) => /"id":(\d+)/.exec(r.body.toString())?.[1]);
      assert.deepEqual([...got].sort(), [...sent].sort());
      assert.notDeepEqual(got, sent);
    } finally {
      await simulator.close();
      await endpoint.close();
    }
  });
});

describe('changes through /_simulator send the topics Shopify sends', () => {
  let simulator: Simulator;
  let endpoint: Awaited<ReturnType<typeof receiver>>;
  let shop: string;
  before(async () => {
    endpoint = await receiver();
    simulator = await simulatorWith({});
    shop = simulator.shops[0] as string;
    for (const topic of [
      'orders/updated',
      'orders/cancelled',
      'orders/delete',
      'refunds/create',
      'customers/update',
      'products/delete',
    ]) {
      simulator.subscribe(shop, topic, endpoint.url);
    }
  });
  after(async () => {
    await simulator.close();
    await endpoint.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${simulator.url}/_simulator/shops/${shop}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: response.status === 204 ? null : ((await response.json()) as Record<string, RestRecord>),
    };
  };
  const topics = () => endpoint.received.map((r) => r.headers['x-shopify-topic']);

  test('a refund: refunds/create and orders/updated, and the order shows it', async () => {
    const order = [...simulator.store.generated.orders].find(
      (o) => o.financial_status === 'paid' && (o.refunds as unknown[]).length === 0 && !o.cancelled_at,
    ) as RestRecord;
    const line = (order.line_items as RestRecord[])[0] as RestRecord;
    const answer = await call('POST', `/orders/${idText(order.id)}/refunds`, {
      lines: [{ line_item_id: idText(line.id), quantity: 1 }],
      note: 'Scratched',
    });
    assert.equal(answer.status, 201);
    await simulator.deliveriesSettled();
    assert.deepEqual(topics(), ['refunds/create', 'orders/updated']);
    const refund = JSON.parse((endpoint.received[0] as Received).body.toString()) as RestRecord;
    assert.equal(refund.note, 'Scratched');
    const updated = JSON.parse((endpoint.received[1] as Received).body.toString()) as RestRecord;
    assert.equal(updated.financial_status, 'partially_refunded');
    assert.equal((updated.refunds as unknown[]).length, 1);
  });

  test('cancel, delete, customer and product changes; unknown ids answer 404', async () => {
    endpoint.received.length = 0;
    const orderId = idText(simulator.store.orders.get(2)?.order.id);
    assert.equal((await call('POST', `/orders/${orderId}/cancel`, { reason: 'fraud' })).status, 200);
    assert.equal(
      (await call('DELETE', `/orders/${idText(simulator.store.orders.get(3)?.order.id)}`)).status,
      204,
    );
    const customerId = idText(simulator.store.customers.get(0)?.id);
    assert.equal(
      (await call('PATCH', `/customers/${customerId}`, { note: 'VIP' })).body?.customer?.note,
      'VIP',
    );
    const productId = idText(simulator.store.products.get(1)?.id);
    assert.equal((await call('DELETE', `/products/${productId}`)).status, 204);
    assert.equal((await call('DELETE', '/orders/123')).status, 404);
    await simulator.deliveriesSettled();
    assert.deepEqual(
      topics().filter((t) => t !== 'refunds/create'),
      ['orders/cancelled', 'orders/updated', 'orders/delete', 'customers/update', 'products/delete'],
    );
    assert.equal((endpoint.received.at(-1) as Received).body.toString(), `{"id":${productId}}`);
  });
});
