// Bulk operations: CREATED, RUNNING, COMPLETED; a JSONL result with every object and `__parentId` children
// in the shape of Shopify's sample; one operation at a time; invalid queries refused; cancel; and the
// bulk_operations/finish webhook.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { adminClient, dataAt, type AdminClient } from './admin-client.ts';
import type { RestRecord } from './rest-shapes.ts';
import { startSimulator, type Simulator } from './server.ts';
import { shapeDifferences } from './shape.ts';

const SAMPLE = readFileSync(
  resolve(import.meta.dirname, '../fixtures/shopify/bulk_query_products_variants.jsonl'),
  'utf8',
);

type Operation = {
  id: string;
  status: string;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
};
const OPERATION_FIELDS = 'id status objectCount rootObjectCount fileSize url';

let simulator: Simulator;
let client: AdminClient;
let shop: string;
const finished: RestRecord[] = [];
let hooks: ReturnType<typeof createServer>;

before(async () => {
  hooks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      finished.push(JSON.parse(body) as RestRecord);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => hooks.listen(0, '127.0.0.1', done));
  simulator = await startSimulator({
    shops: [{ orderCount: 120, productCount: 9 }],
    // Small chunks with a pause, so that the test sees the operation RUNNING.
    bulk: { chunkSize: 10, chunkDelayMs: 40 },
    throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
  });
  shop = simulator.shops[0] as string;
  client = adminClient(simulator.shopBaseUrl(shop), simulator.issueAccessToken(shop));
  simulator.subscribe(
    shop,
    'bulk_operations/finish',
    `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/`,
  );
});
after(async () => {
  await simulator.close();
  await new Promise<void>((done) => hooks.close(() => done()));
});

async function run(query: string) {
  const answer = await client.graphql(
    `mutation($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { ${OPERATION_FIELDS} } userErrors { field message code } } }`,
    { query },
  );
  return dataAt<{ bulkOperation: Operation | null; userErrors: { message: string; code: string }[] }>(
    answer,
    'bulkOperationRunQuery',
  );
}

async function current(): Promise<Operation> {
  return dataAt<Operation>(
    await client.graphql(`{ currentBulkOperation { ${OPERATION_FIELDS} } }`),
    'currentBulkOperation',
  );
}

async function completed(): Promise<Operation> {
  for (;;) {
    const operation = await current();
    if (!['CREATED', 'RUNNING', 'CANCELING'].includes(operation.status)) return operation;
    await sleep(10);
  }
}

async function jsonl(url: string): Promise<Record<string, unknown>[]> {
  const text = await (await fetch(url)).text();
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('bulkOperationRunQuery', () => {
  test('products with variants: lines shaped like Shopify’s sample, every object, children after parents', async () => {
    const started = await run(
      '{ products { edges { node { id variants { edges { node { id title } } } } } } }',
    );
    assert.deepEqual(started.userErrors, []);
    assert.equal(started.bulkOperation?.status, 'CREATED');
    const done = await completed();
    assert.equal(done.status, 'COMPLETED');
    const lines = await jsonl(done.url as string);
    const sample = SAMPLE.trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const products = simulator.store.generated.products;
    const variants = products.flatMap((product) => product.variants as RestRecord[]);
    assert.equal(lines.length, products.length + variants.length);
    assert.equal(done.objectCount, String(lines.length));
    assert.equal(done.rootObjectCount, String(products.length));
    assert.equal(
      Number(done.fileSize),
      Buffer.byteLength(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'),
    );
    let parent: unknown = null;
    for (const line of lines) {
      if (line.__parentId === undefined) {
        assert.deepEqual(shapeDifferences(sample[0], line), []);
        parent = line.id;
      } else {
        assert.deepEqual(shapeDifferences(sample[1], line), []);
        assert.equal(line.__parentId, parent, 'a child follows its parent');
      }
    }
    assert.deepEqual(
      lines.filter((line) => line.__parentId).map((line) => line.id),
      variants.map((variant) => variant.admin_graphql_api_id),
    );
  });

  test('orders with line items and a filter; RUNNING on the way; the finish webhook; node(id) status', async () => {
    const started = await run(
      '{ orders(query: "created_at:>=2025-03-01") { edges { node { name totalPriceSet { shopMoney { amount } } lineItems { edges { node { id quantity } } } } } } }',
    );
    const id = started.bulkOperation?.id as string;
    let seen = await current();
    while (seen.status === 'CREATED') seen = await current();
    assert.equal(seen.status, 'RUNNING');
    const done = await completed();
    const lines = await jsonl(done.url as string);
    const orders = [...simulator.store.generated.orders].filter(
      (o) => Date.parse(String(o.created_at)) >= Date.parse('2025-03-01T00:00:00Z'),
    );
    const roots = lines.filter((line) => line.__parentId === undefined);
    assert.deepEqual(
      roots.map((line) => line.name),
      orders.map((order) => order.name),
    );
    assert.ok(
      roots.every((line) => typeof line.id === 'string'),
      'id added for the children’s __parentId',
    );
    const lineItems = orders.flatMap((order) => order.line_items as RestRecord[]);
    assert.equal(lines.length - roots.length, lineItems.length);
    const byId = await client.graphql(
      'query($id: ID!) { node(id: $id) { ... on BulkOperation { status objectCount } } }',
      { id },
    );
    assert.deepEqual(dataAt(byId, 'node'), { status: 'COMPLETED', objectCount: String(lines.length) });
    await simulator.deliveriesSettled();
    const finish = finished.find((body) => body.admin_graphql_api_id === id) as RestRecord;
    assert.deepEqual(
      { ...finish, completed_at: typeof finish.completed_at, created_at: typeof finish.created_at },
      {
        admin_graphql_api_id: id,
        completed_at: 'string',
        created_at: 'string',
        error_code: null,
        status: 'completed',
        type: 'query',
      },
    );
  });

  test('one operation at a time; cancel; invalid queries are refused with userErrors', async () => {
    const first = await run('{ orders { edges { node { id } } } }');
    const second = await run('{ customers { edges { node { id } } } }');
    assert.equal(second.bulkOperation, null);
    assert.equal(second.userErrors[0]?.code, 'OPERATION_IN_PROGRESS');
    const cancel = await client.graphql(
      'mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }',
      { id: first.bulkOperation?.id },
    );
    assert.equal(dataAt(cancel, 'bulkOperationCancel.bulkOperation.status'), 'CANCELING');
    assert.equal((await completed()).status, 'CANCELED');

    for (const [query, message] of [
      ['{ shop { name } }', /one top-level connection/],
      ['{ orders { edges { node { nope } } } }', /Cannot query field/],
      ['not graphql', /Syntax Error/],
    ] as const) {
      const refused = await run(query);
      assert.equal(refused.bulkOperation, null);
      assert.match(refused.userErrors[0]?.message ?? '', message);
    }
  });
});
