// Tests of the replay command: how sample files become deliveries, what goes over the wire, and the CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { verifyWebhookHmac } from '../shopify/hmac.ts';
import { planReplay, readReplayPlan, replayFolder, runReplayCommand } from './replay.ts';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/shopify');
const SECRET = 'replay-test-secret';
const SHOP = 'jsmith.myshopify.com';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Every delivery of the fixtures, in order, read off the files by hand (one line per object sent). */
const EXPECTED_DELIVERIES: [file: string, topic: string][] = [
  ['rest_abandoned_checkouts_list.json', 'checkouts/update'],
  ['rest_customers_list.json', 'customers/update'],
  ['rest_inventory_items_list.json', 'inventory_items/update'],
  ['rest_inventory_items_list.json', 'inventory_items/update'],
  ['rest_inventory_items_list.json', 'inventory_items/update'],
  ['rest_inventory_levels_list.json', 'inventory_levels/update'],
  ['rest_inventory_levels_list.json', 'inventory_levels/update'],
  ['rest_inventory_levels_list.json', 'inventory_levels/update'],
  ['rest_inventory_levels_list.json', 'inventory_levels/update'],
  ['rest_legacy_order_fixture.json', 'orders/updated'],
  ['rest_locations_list.json', 'locations/update'],
  ['rest_locations_list.json', 'locations/update'],
  ['rest_locations_list.json', 'locations/update'],
  ['rest_locations_list.json', 'locations/update'],
  ['rest_locations_list.json', 'locations/update'],
  ['rest_order_created_eur.json', 'orders/updated'],
  ['rest_order_created_partially_paid.json', 'orders/updated'],
  ['rest_order_created_with_discount.json', 'orders/updated'],
  ['rest_order_transactions_list.json', 'order_transactions/create'],
  ['rest_order_transactions_list.json', 'order_transactions/create'],
  ['rest_order_transactions_list.json', 'order_transactions/create'],
  ['rest_orders_list.json', 'orders/updated'],
  ['rest_products_list.json', 'products/update'],
  ['rest_products_list.json', 'products/update'],
  ['rest_refunds_list.json', 'refunds/create'],
  ['rest_shop.json', 'shop/update'],
  ['webhook_app_uninstalled.json', 'app/uninstalled'],
  ['webhook_bulk_operations_finish.json', 'bulk_operations/finish'],
  ['webhook_carts_create.json', 'carts/create'],
  ['webhook_customers_create.json', 'customers/create'],
  ['webhook_customers_data_request.json', 'customers/data_request'],
  ['webhook_inventory_items_create.json', 'inventory_items/create'],
  ['webhook_orders_create.json', 'orders/create'],
  ['webhook_orders_delete.json', 'orders/delete'],
  ['webhook_products_create.json', 'products/create'],
  ['webhook_products_delete.json', 'products/delete'],
  ['webhook_shop_redact.json', 'shop/redact'],
];

const EXPECTED_SKIPPED = [
  'README.md',
  'SOURCES.md',
  'bulk_query_products_variants.jsonl',
  'graphql_customer_fields.json',
  'graphql_product_with_cost_extensions.json',
  'graphql_products_legacy_resource_id.json',
  'graphql_products_page_forward.jsonc',
  'graphql_shop_and_products.json',
  'rest_refund_calculate.json',
  'rest_webhooks_list.json',
];

function tempFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'shopsight-replay-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };

/** A local HTTP server that records every request and answers with `respond`. */
async function startRecorder(respond: (request: Received, response: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      received.push(entry);
      respond(entry, response);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('planReplay on test/fixtures/shopify', () => {
  const plan = readReplayPlan(FIXTURES);

  test('maps each file to the expected topics, in file-name order', () => {
    assert.deepEqual(
      plan.deliveries.map((delivery) => [delivery.file, delivery.topic]),
      EXPECTED_DELIVERIES,
    );
    assert.deepEqual(planReplay(FIXTURES), plan.deliveries);
  });

  test('skips GraphQL, non-.json files, a refund calculation and the webhooks list, with reasons', () => {
    assert.deepEqual(
      plan.skipped.map((skip) => skip.file),
      EXPECTED_SKIPPED,
    );
    const reasonOf = (file: string) => plan.skipped.find((skip) => skip.file === file)?.reason ?? '';
    assert.match(reasonOf('graphql_shop_and_products.json'), /GraphQL/);
    assert.match(reasonOf('rest_refund_calculate.json'), /no id/);
    assert.match(reasonOf('rest_webhooks_list.json'), /"webhooks"/);
    assert.match(reasonOf('SOURCES.md'), /not a \.json file/);
  });

  test('sends webhook_ files byte for byte as on disk', () => {
    const webhooks = plan.deliveries.filter((delivery) => delivery.file.startsWith('webhook_'));
    assert.equal(webhooks.length, 11);
    for (const delivery of webhooks) {
      assert.ok(
        Buffer.from(delivery.body, 'utf8').equals(readFileSync(join(FIXTURES, delivery.file))),
        delivery.file,
      );
    }
  });

  test('keeps the id of webhook_orders_create.json exactly as the file writes it', () => {
    const order = plan.deliveries.find((delivery) => delivery.file === 'webhook_orders_create.json');
    assert.ok(order);
    assert.ok(
      readFileSync(join(FIXTURES, 'webhook_orders_create.json'), 'utf8').includes(
        '"id": 820982911946154500,',
      ),
    );
    assert.ok(order.body.includes('"id": 820982911946154500,'));
  });

  test('sends each REST object as its own compact JSON body', () => {
    const products = plan.deliveries.filter((delivery) => delivery.file === 'rest_products_list.json');
    assert.deepEqual(
      products.map((delivery) => (JSON.parse(delivery.body) as { id: number }).id),
      [632910392, 921728736],
    );
    const shop = plan.deliveries.find((delivery) => delivery.file === 'rest_shop.json');
    assert.equal((JSON.parse(shop?.body ?? '{}') as { myshopify_domain?: string }).myshopify_domain, SHOP);
  });

  test('gives stable, distinct, UUID-shaped event ids', () => {
    const again = planReplay(FIXTURES);
    assert.deepEqual(
      again.map((delivery) => delivery.eventId),
      plan.deliveries.map((delivery) => delivery.eventId),
    );
    assert.equal(new Set(again.map((delivery) => delivery.eventId)).size, again.length);
    for (const delivery of again) assert.match(delivery.eventId, UUID);
  });

  test('takes triggeredAt from updated_at, else created_at, else a fixed time, in UTC', () => {
    const at = (file: string) => plan.deliveries.find((delivery) => delivery.file === file)?.triggeredAt;
    // updated_at "2008-01-10T11:00:00-05:00"
    assert.equal(at('rest_orders_list.json'), '2008-01-10T16:00:00.000Z');
    // updated_at is null; created_at "2021-12-31T19:00:00-05:00"
    assert.equal(at('webhook_products_create.json'), '2022-01-01T00:00:00.000Z');
    // Transactions have only created_at "2005-08-05T12:59:12-04:00".
    assert.equal(at('rest_order_transactions_list.json'), '2005-08-05T16:59:12.000Z');
    assert.equal(at('webhook_orders_delete.json'), '2026-01-01T00:00:00.000Z');
  });
});

describe('planReplay on a constructed folder', () => {
  const bigOrder =
    '{"orders": [{"id": 820982911946154508, "line_items": [{"id": 9007199254740993, "price": "1.00"}], ' +
    '"total_weight": 0, "updated_at": "2024-05-01T10:00:00-04:00"}, {"name": "#no-id"}]}';
  const folder = tempFolder({
    'rest_orders_big.json': bigOrder,
    'webhook_not_a_topic.json': '{"id": 1}',
    'webhook_orders_paid.json': '{"id": 2}',
    'rest_broken.json': '{"orders": [',
    'notes.txt': 'not a sample',
    'Zeta_rest.json': '{}',
  });
  after(() => rmSync(folder, { recursive: true, force: true }));
  const plan = readReplayPlan(folder);

  test('keeps the exact digits of integers above 2^53 in a REST body', () => {
    const order = plan.deliveries.find((delivery) => delivery.file === 'rest_orders_big.json');
    assert.ok(order);
    assert.equal(
      order.body,
      '{"id":820982911946154508,"line_items":[{"id":9007199254740993,"price":"1.00"}],' +
        '"total_weight":0,"updated_at":"2024-05-01T10:00:00-04:00"}',
    );
    assert.ok(!order.body.includes('820982911946154500'));
    assert.equal(order.topic, 'orders/updated');
    assert.equal(order.triggeredAt, '2024-05-01T14:00:00.000Z');
  });

  test('sorts by byte order and skips what it cannot send, with reasons', () => {
    assert.deepEqual(
      plan.deliveries.map((delivery) => [delivery.file, delivery.topic]),
      [
        ['rest_orders_big.json', 'orders/updated'],
        ['webhook_orders_paid.json', 'orders/paid'],
      ],
    );
    assert.deepEqual(
      plan.skipped.map((skip) => [skip.file, skip.reason.split(':')[0]]),
      [
        ['Zeta_rest.json', 'name starts with neither webhook_ nor rest_'],
        ['notes.txt', 'not a .json file'],
        ['rest_broken.json', 'not valid JSON'],
        ['rest_orders_big.json', 'orders[1] has no id, so it is not a stored record (e.g. a calculation)'],
        ['webhook_not_a_topic.json', 'no known topic matches "not_a_topic"'],
      ],
    );
  });
});

describe('replayFolder', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  before(async () => {
    recorder = await startRecorder((request, response) => {
      // One delivery is refused, to show a non-2xx answer is reported rather than thrown.
      if (request.headers['x-shopify-topic'] === 'shop/redact') {
        sendJson(response, 401, { error: { code: 'invalid_hmac', message: 'signature does not match' } });
      } else {
        response.writeHead(202).end();
      }
    });
  });
  after(() => recorder.close());

  test('posts every delivery in order, signed, with the headers Shopify sends', async () => {
    const plan = planReplay(FIXTURES);
    const summary = await replayFolder({
      allTopics: true,
      folder: FIXTURES,
      url: `${recorder.url}/`,
      shopDomain: SHOP,
      secret: SECRET,
    });

    assert.equal(recorder.received.length, plan.length);
    const webhookIds = new Set<string>();
    recorder.received.forEach((request, i) => {
      const delivery = plan[i];
      assert.ok(delivery);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/webhooks/shopify');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['x-shopify-topic'], delivery.topic);
      assert.equal(request.headers['x-shopify-shop-domain'], SHOP);
      assert.equal(request.headers['x-shopify-api-version'], '2026-04');
      assert.equal(request.headers['x-shopify-event-id'], delivery.eventId);
      assert.equal(request.headers['x-shopify-triggered-at'], delivery.triggeredAt);
      const webhookId = request.headers['x-shopify-webhook-id'];
      assert.equal(typeof webhookId, 'string');
      assert.match(webhookId as string, UUID);
      webhookIds.add(webhookId as string);
      assert.ok(request.body.equals(Buffer.from(delivery.body, 'utf8')), delivery.file);
      const hmac = request.headers['x-shopify-hmac-sha256'] as string;
      assert.equal(verifyWebhookHmac(request.body, hmac, SECRET), true, delivery.file);
      assert.equal(verifyWebhookHmac(request.body, hmac, 'another-secret'), false);
    });
    assert.equal(webhookIds.size, plan.length);

    assert.equal(summary.sent, plan.length);
    assert.equal(summary.failed, 1);
    assert.deepEqual(summary.byStatus, { '202': plan.length - 1, '401': 1 });
    assert.deepEqual(
      summary.results.map((result) => [result.file, result.topic, result.eventId]),
      plan.map((delivery) => [delivery.file, delivery.topic, delivery.eventId]),
    );
    const refused = summary.results.filter((result) => !result.ok);
    assert.deepEqual(
      refused.map((result) => [result.file, result.status, result.error]),
      [['webhook_shop_redact.json', 401, 'invalid_hmac: signature does not match']],
    );
    assert.deepEqual(
      summary.skipped.map((skip) => skip.file),
      EXPECTED_SKIPPED,
    );
  });

  test('throws, naming the file, when the server cannot be reached', async () => {
    const folder = tempFolder({ 'webhook_orders_delete.json': '{"id": 1}' });
    try {
      await assert.rejects(
        replayFolder({ folder, url: 'http://127.0.0.1:1', shopDomain: SHOP, secret: SECRET }),
        /webhook_orders_delete\.json/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('runReplayCommand', () => {
  const TOKEN = 'admin-token-for-replay-tests';
  type Tenant = { id: string; shopDomain: string; webhookSecret: string };
  const tenants: Tenant[] = [];
  let recorder: Awaited<ReturnType<typeof startRecorder>>;

  before(async () => {
    // A stand-in for Shopsight's admin API and webhook route, just enough for the command's calls.
    recorder = await startRecorder((request, response) => {
      if (request.url.startsWith('/api/v1/') && request.headers.authorization !== `Bearer ${TOKEN}`) {
        return sendJson(response, 401, { error: { code: 'unauthorized', message: 'bad token' } });
      }
      const body = request.body.length ? (JSON.parse(request.body.toString()) as Record<string, string>) : {};
      if (request.method === 'POST' && request.url === '/api/v1/tenants') {
        if (tenants.some((tenant) => tenant.shopDomain === body.shopDomain)) {
          return sendJson(response, 409, { error: { code: 'conflict', message: 'tenant exists' } });
        }
        const tenant = {
          id: `t-${tenants.length + 1}`,
          shopDomain: body.shopDomain ?? '',
          webhookSecret: body.webhookSecret ?? '',
        };
        tenants.push(tenant);
        return sendJson(response, 201, { tenant: { id: tenant.id, shopDomain: tenant.shopDomain } });
      }
      if (request.method === 'GET' && request.url === '/api/v1/tenants') {
        return sendJson(response, 200, {
          tenants: tenants.map(({ id, shopDomain }) => ({ id, shopDomain })),
        });
      }
      const patched = tenants.find((tenant) => request.url === `/api/v1/tenants/${tenant.id}`);
      if (request.method === 'PATCH' && patched) {
        patched.webhookSecret = body.webhookSecret ?? '';
        return sendJson(response, 200, { tenant: { id: patched.id } });
      }
      if (request.method === 'POST' && request.url === '/webhooks/shopify') {
        const tenant = tenants.find((t) => t.shopDomain === request.headers['x-shopify-shop-domain']);
        const hmac = request.headers['x-shopify-hmac-sha256'] as string | undefined;
        const ok = tenant !== undefined && verifyWebhookHmac(request.body, hmac, tenant.webhookSecret);
        return ok
          ? response.writeHead(202).end()
          : sendJson(response, 401, { error: { code: 'invalid_hmac' } });
      }
      sendJson(response, 404, { error: { code: 'not_found' } });
    });
  });
  after(() => recorder.close());

  function capture() {
    const lines: string[] = [];
    return {
      lines,
      output: { log: (line: string) => lines.push(line), error: (line: string) => lines.push(line) },
    };
  }

  test('--help prints usage and exits 0; bad arguments exit 2', async () => {
    const help = capture();
    assert.equal(await runReplayCommand(['--help'], {}, help.output), 0);
    assert.match(help.lines.join('\n'), /^Usage: node src\/main\.ts replay/);

    for (const argv of [
      ['--nope'],
      ['--dir', join(FIXTURES, 'missing')],
      ['--dir', FIXTURES, '--shop', 'example.com', '--secret', 's'],
      ['--dir', FIXTURES, '--url', 'ftp://x', '--secret', 's'],
      ['--dir', FIXTURES],
      ['--dir', FIXTURES, '--create-tenant', '--url', recorder.url],
    ]) {
      const bad = capture();
      assert.equal(
        await runReplayCommand(argv, { SHOPSIGHT_DATA_DIR: '/nonexistent' }, bad.output),
        2,
        argv.join(' '),
      );
    }
  });

  test('creates the tenant, replays the folder, and never prints the secret or token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shopsight-data-'));
    writeFileSync(join(dataDir, 'admin-token'), `${TOKEN}\n`);
    try {
      const first = capture();
      const env = { SHOPSIGHT_DATA_DIR: dataDir };
      const argv = ['--dir', FIXTURES, '--url', recorder.url, '--create-tenant'];
      assert.equal(await runReplayCommand(argv, env, first.output), 0, first.lines.join('\n'));
      assert.deepEqual(
        tenants.map((tenant) => tenant.shopDomain),
        [SHOP],
      );
      const firstSecret = tenants[0]?.webhookSecret ?? '';
      assert.ok(firstSecret.length >= 32);
      const firstText = first.lines.join('\n');
      assert.match(firstText, /tenant t-1 \(jsmith\.myshopify\.com\): created/);
      assert.match(firstText, /^webhook_orders_create\.json +orders\/create +202$/m);
      assert.match(firstText, /rest_refund_calculate\.json +skipped: /);
      // shop/redact and app/uninstalled are skipped unless --all-topics: 37 samples, 35 sent.
      assert.match(firstText, /35 deliveries to .* \(35 x 202\), 0 failed/);
      assert.match(firstText, /webhook_shop_redact\.json.*--all-topics/);

      // Second run: 409, then GET and PATCH with a new random secret, which the deliveries must then use.
      const second = capture();
      assert.equal(await runReplayCommand(argv, env, second.output), 0, second.lines.join('\n'));
      const secondSecret = tenants[0]?.webhookSecret ?? '';
      assert.notEqual(secondSecret, firstSecret);
      assert.match(second.lines.join('\n'), /tenant t-1 \(jsmith\.myshopify\.com\): already existed/);
      const admin = recorder.received.filter((request) => request.url.startsWith('/api/v1/'));
      assert.deepEqual(
        admin.map((request) => `${request.method} ${request.url}`),
        ['POST /api/v1/tenants', 'POST /api/v1/tenants', 'GET /api/v1/tenants', 'PATCH /api/v1/tenants/t-1'],
      );
      const created = JSON.parse(admin[0]?.body.toString() ?? '{}') as Record<string, unknown>;
      assert.deepEqual(created, {
        shopDomain: SHOP,
        name: 'John Smith Test Store',
        timezone: 'America/New_York',
        currency: 'USD',
        webhookSecret: firstSecret,
      });

      for (const text of [firstText, second.lines.join('\n')]) {
        for (const secret of [firstSecret, secondSecret, TOKEN]) assert.ok(!text.includes(secret));
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('exits 1 when deliveries are refused', async () => {
    const run = capture();
    const argv = ['--dir', FIXTURES, '--url', recorder.url, '--secret', 'not-the-tenant-secret'];
    assert.equal(await runReplayCommand(argv, {}, run.output), 1);
    assert.match(run.lines.join('\n'), /35 deliveries to .* \(35 x 401\), 35 failed/);
    assert.ok(!run.lines.join('\n').includes('not-the-tenant-secret'));
  });
});
