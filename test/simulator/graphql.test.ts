// The Admin GraphQL API of the simulator: pagination walks every order once (forwards, backwards,
// reversed, by updated_at), `query:` filters match a brute-force filter of the REST data, answers have the
// shape of Shopify's GraphQL samples, and schema validation rejects what Shopify would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminClient, dataAt, type AdminClient } from './admin-client.ts';
import { idText } from './ids.ts';
import type { RestRecord } from './rest-shapes.ts';
import { startSimulator, type Simulator } from './server.ts';
import { shapeDifferences } from './shape.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/shopify');
const fixtureText = (file: string) => readFileSync(resolve(FIXTURES, file), 'utf8');
const fixture = (file: string) => JSON.parse(fixtureText(file)) as Record<string, unknown>;

type Page<N> = {
  edges: { cursor: string; node: N }[];
  nodes: N[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};
type OrderNode = { id: string; legacyResourceId: string; updatedAt: string; createdAt: string };

let simulator: Simulator;
let client: AdminClient;
let restOrders: RestRecord[];
const ORDER_COUNT = 230;

before(async () => {
  simulator = await startSimulator({
    shops: [{ seed: 4, orderCount: ORDER_COUNT, productCount: 12 }],
    // These tests read a lot; throttling has its own tests.
    throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
  });
  const shop = simulator.shops[0] as string;
  client = adminClient(simulator.shopBaseUrl(shop), simulator.issueAccessToken(shop));
  restOrders = [...simulator.store.generated.orders];
});
after(() => simulator.close());

const ORDERS_PAGE = `query Orders($first: Int, $after: String, $last: Int, $before: String, $query: String, $reverse: Boolean, $sortKey: OrderSortKeys) {
  orders(first: $first, after: $after, last: $last, before: $before, query: $query, reverse: $reverse, sortKey: $sortKey) {
    edges { cursor node { id legacyResourceId createdAt updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Every page of `orders` with `variables`, following `endCursor` (or `startCursor` backwards). */
async function walk(variables: Record<string, unknown>, backwards = false, from: string | null = null) {
  const pages: OrderNode[][] = [];
  let cursor = from;
  for (;;) {
    const answer = await client.graphql(ORDERS_PAGE, {
      ...variables,
      ...(backwards ? { last: 37, before: cursor } : { first: 37, after: cursor }),
    });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const page = dataAt<Page<OrderNode>>(answer, 'orders');
    pages.push(page.edges.map((edge) => edge.node));
    const more = backwards ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more) return pages;
    cursor = backwards ? page.pageInfo.startCursor : page.pageInfo.endCursor;
  }
}

const ids = (pages: OrderNode[][]) => pages.flat().map((order) => order.legacyResourceId);
const restIds = (orders: RestRecord[]) => orders.map((order) => idText(order.id));

describe('cursor pagination', () => {
  test('first/after walks every order exactly once, in id order', async () => {
    const pages = await walk({});
    assert.deepEqual(ids(pages), restIds(restOrders));
    assert.equal(new Set(ids(pages)).size, ORDER_COUNT);
    assert.ok(pages.slice(0, -1).every((page) => page.length === 37));
  });

  test('last/before walks them backwards, and reverse: true walks newest first', async () => {
    const backwards = await walk({}, true);
    assert.deepEqual(
      backwards
        .reverse()
        .flat()
        .map((o) => o.legacyResourceId),
      restIds(restOrders),
    );
    assert.deepEqual(ids(await walk({ reverse: true })), restIds(restOrders).reverse());
  });

  test('pageInfo tells the first page from the next ones', async () => {
    const first = dataAt<Page<OrderNode>>(await client.graphql(ORDERS_PAGE, { first: 5 }), 'orders');
    assert.deepEqual([first.pageInfo.hasNextPage, first.pageInfo.hasPreviousPage], [true, false]);
    const second = dataAt<Page<OrderNode>>(
      await client.graphql(ORDERS_PAGE, { first: 5, after: first.pageInfo.endCursor }),
      'orders',
    );
    assert.deepEqual([second.pageInfo.hasNextPage, second.pageInfo.hasPreviousPage], [true, true]);
    assert.equal(first.pageInfo.endCursor, first.edges[4]?.cursor);
  });

  test('cursors look like Shopify’s: base64 of last_id and last_value, the id exact', async () => {
    const sample = fixtureText('graphql_products_page_forward.jsonc');
    const shopifyCursor = /"endCursor": "([^"]+)"/.exec(sample)?.[1] as string;
    const theirs = Buffer.from(shopifyCursor, 'base64').toString();
    const page = dataAt<Page<OrderNode>>(await client.graphql(ORDERS_PAGE, { first: 1 }), 'orders');
    const ours = Buffer.from(page.pageInfo.endCursor as string, 'base64').toString();
    assert.match(theirs, /^\{"last_id":\d+,"last_value":"\d+"\}$/);
    assert.match(ours, /^\{"last_id":\d+,"last_value":"\d+"\}$/);
    assert.ok(ours.includes(`"last_id":${page.edges[0]?.node.legacyResourceId},`));
  });

  test('an order changed between pages is neither repeated nor skipped', async () => {
    const first = dataAt<Page<OrderNode>>(await client.graphql(ORDERS_PAGE, { first: 10 }), 'orders');
    simulator.store.updateOrder(first.edges[3]?.node.legacyResourceId as string, {
      note: 'changed between pages',
    });
    simulator.store.updateOrder(restIds(restOrders)[50] as string, { note: 'changed ahead of the cursor' });
    const rest = await walk({}, false, first.pageInfo.endCursor);
    assert.deepEqual(ids(rest), restIds(restOrders).slice(10));
  });

  test('first or last is required, and at most 250', async () => {
    const missing = await client.graphql('{ orders { nodes { id } } }');
    assert.match(JSON.stringify(missing.body.errors), /you must provide one of first or last/);
    const big = await client.graphql('{ orders(first: 251) { nodes { id } } }');
    assert.match(JSON.stringify(big.body.errors), /page size/);
  });
});

describe('query: filters', () => {
  const updatedAfter = '2025-07-01T00:00:00Z';
  /** The ids of the orders as they stand now (tests above change some) that `predicate` keeps. */
  const expected = (predicate: (order: RestRecord) => boolean) => {
    const orders = Array.from(
      { length: simulator.store.orders.length },
      (_, i) => simulator.store.orders.get(i)?.order,
    );
    return restIds(orders.filter((order): order is RestRecord => order !== undefined && predicate(order)));
  };
  const time = (order: RestRecord, key: string) => Math.floor(Date.parse(String(order[key])) / 1000) * 1000;

  test('updated_at:> matches what a scan of every order finds', async () => {
    const pages = await walk({ query: `updated_at:>'${updatedAfter}'` });
    const want = expected((order) => time(order, 'updated_at') > Date.parse(updatedAfter));
    assert.ok(want.length > 10 && want.length < ORDER_COUNT);
    assert.deepEqual(ids(pages).sort(), [...want].sort());
  });

  test('created_at range with AND, and by updated_at', async () => {
    const query = "created_at:>=2025-03-01 AND created_at:<'2025-05-01T00:00:00Z'";
    const want = expected(
      (order) =>
        time(order, 'created_at') >= Date.parse('2025-03-01T00:00:00Z') &&
        time(order, 'created_at') < Date.parse('2025-05-01T00:00:00Z'),
    );
    assert.deepEqual(ids(await walk({ query })), want);
    const byUpdate = await walk({ query: `updated_at:>='${updatedAfter}'`, sortKey: 'UPDATED_AT' });
    const times = byUpdate.flat().map((order) => Date.parse(order.updatedAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.deepEqual(
      ids(byUpdate).sort(),
      expected((order) => time(order, 'updated_at') >= Date.parse(updatedAfter)).sort(),
    );
  });

  test('an unsupported field is ignored with a warning, OR is refused', async () => {
    const answer = await client.graphql(
      '{ orders(first: 3, query: "fulfillment_status:shipped") { nodes { id } } }',
    );
    assert.equal(dataAt<unknown[]>(answer, 'orders.nodes').length, 3);
    assert.match(JSON.stringify(answer.body.extensions?.search), /invalid search field/);
    const or = await client.graphql('{ orders(first: 3, query: "id:1 OR id:2") { nodes { id } } }');
    assert.match(JSON.stringify(or.body.errors), /only AND/);
  });
});

describe('objects, ids and shapes', () => {
  test('an order read by id has the REST order’s numbers', async () => {
    const rest = restOrders.find((order) => (order.refunds as unknown[]).length > 0) as RestRecord;
    const answer = await client.graphql(
      `query($id: ID!) { order(id: $id) { id legacyResourceId name totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        currentTotalPriceSet { shopMoney { amount } } refunds { totalRefundedSet { shopMoney { amount } } }
        lineItems(first: 10) { nodes { quantity originalUnitPriceSet { shopMoney { amount } } } } } }`,
      { id: rest.admin_graphql_api_id },
    );
    type Money = { shopMoney: { amount: string } };
    type Order = {
      legacyResourceId: string;
      totalPriceSet: Money;
      currentTotalPriceSet: Money;
      refunds: { totalRefundedSet: Money }[];
    };
    const order = dataAt<Order>(answer, 'order');
    assert.equal(order.legacyResourceId, idText(rest.id));
    const decimal = (text: string) => Number(text).toFixed(2);
    const total = order.totalPriceSet.shopMoney.amount;
    assert.equal(decimal(total), rest.total_price);
    assert.match(
      total,
      /^\d+\.\d+$/,
      'a Decimal: at least one fractional digit, no trailing zeros beyond it',
    );
    const current = order.currentTotalPriceSet.shopMoney.amount;
    const refunded = order.refunds.reduce(
      (sum, refund) => sum + Number(refund.totalRefundedSet.shopMoney.amount),
      0,
    );
    assert.equal((Number(total) - refunded).toFixed(2), decimal(current));
  });

  test('node(id) resolves each type; an unknown id is null', async () => {
    const store = simulator.store;
    const order = restOrders[7] as RestRecord;
    const customer = store.customers.get(2) as RestRecord;
    const product = store.products.get(3) as RestRecord;
    const variant = (product.variants as RestRecord[])[0] as RestRecord;
    const answer = await client.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, {
      ids: [
        order.admin_graphql_api_id,
        customer.admin_graphql_api_id,
        product.admin_graphql_api_id,
        variant.admin_graphql_api_id,
        'gid://shopify/Order/1',
      ],
    });
    const nodes = dataAt<({ __typename: string } | null)[]>(answer, 'nodes');
    assert.deepEqual(
      nodes.map((node) => node?.__typename ?? null),
      ['Order', 'Customer', 'Product', 'ProductVariant', null],
    );
  });

  test('shop and products answer with the shape of Shopify’s sample (graphql_shop_and_products.json)', async () => {
    const answer = await client.graphql(
      '{ shop { id name email billingAddress { id address1 } } products(first: 2) { nodes { id title } } }',
    );
    assert.deepEqual(shapeDifferences(fixture('graphql_shop_and_products.json'), answer.body), []);
  });

  test('legacyResourceId, forward pages, customers and costs have Shopify’s shapes', async () => {
    const legacy = await client.graphql('{ products(first: 5) { edges { node { id legacyResourceId } } } }');
    assert.deepEqual(shapeDifferences(fixture('graphql_products_legacy_resource_id.json'), legacy.body), []);
    const forward = await client.graphql(
      '{ products(first: 3) { nodes { title } pageInfo { hasNextPage endCursor } } }',
    );
    const sample = JSON.parse(fixtureText('graphql_products_page_forward.jsonc').replace(/^\s*\/\/.*$/m, ''));
    assert.deepEqual(shapeDifferences(sample, forward.body), []);
    const customerId = (simulator.store.customers.get(0) as RestRecord).admin_graphql_api_id;
    const customer = await client.graphql('query($id: ID!) { customer(id: $id) { displayName phone } }', {
      id: customerId,
    });
    assert.deepEqual(shapeDifferences(fixture('graphql_customer_fields.json'), customer.body), []);
    const productId = (simulator.store.products.get(1) as RestRecord).admin_graphql_api_id;
    const product = await client.graphql('query($id: ID!) { product(id: $id) { id title handle } }', {
      id: productId,
    });
    assert.deepEqual(
      shapeDifferences(fixture('graphql_product_with_cost_extensions.json'), product.body),
      [],
    );
  });

  test('abandoned checkouts page and carry money in both currencies', async () => {
    const query = `query($after: String) { abandonedCheckouts(first: 20, after: $after) {
      nodes { id totalPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
        lineItems(first: 5) { nodes { quantity originalTotalPriceSet { shopMoney { amount } } } } }
      pageInfo { hasNextPage endCursor } } }`;
    type Checkout = {
      lineItems: { nodes: unknown[] };
      totalPriceSet: { presentmentMoney: { currencyCode: string } };
    };
    const checkouts: Checkout[] = [];
    let cursor: string | null = null;
    do {
      const answer = await client.graphql(query, { after: cursor });
      const page = dataAt<Page<Checkout>>(answer, 'abandonedCheckouts');
      checkouts.push(...page.nodes);
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor);
    assert.equal(checkouts.length, simulator.store.generated.params.checkoutCount);
    assert.ok(checkouts.every((checkout) => checkout.lineItems.nodes.length > 0));
    assert.ok(new Set(checkouts.map((c) => c.totalPriceSet.presentmentMoney.currencyCode)).size > 1);
  });

  test('a query over the single query cost limit is refused with MAX_COST_EXCEEDED', async () => {
    const answer = await client.graphql(
      '{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }',
    );
    assert.match(JSON.stringify(answer.body.errors), /MAX_COST_EXCEEDED/);
    assert.equal(answer.body.data, undefined);
  });

  test('the schema refuses what Shopify would: unknown fields, wrong enum values, no token', async () => {
    const unknown = await client.graphql('{ orders(first: 1) { nodes { totallyNotAField } } }');
    assert.equal(unknown.status, 200);
    assert.match(JSON.stringify(unknown.body.errors), /totallyNotAField/);
    const sortKey = await client.graphql('{ orders(first: 1, sortKey: TOTAL_PRICE) { nodes { id } } }');
    assert.match(JSON.stringify(sortKey.body.errors), /TOTAL_PRICE/);
    const anonymous = adminClient(simulator.shopBaseUrl(simulator.shops[0] as string), 'shpat_wrong');
    const denied = await anonymous.graphql('{ shop { id } }');
    assert.equal(denied.status, 401);
    assert.match(String(denied.body.errors), /Invalid API key or access token/);
  });
});

describe('webhook subscriptions by GraphQL', () => {
  test('create, list, refuse a duplicate, delete', async () => {
    const create = `mutation($topic: WebhookSubscriptionTopic!, $url: URL!) {
      webhookSubscriptionCreate(topic: $topic, webhookSubscription: { callbackUrl: $url, format: JSON }) {
        webhookSubscription { id topic uri endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
        userErrors { field message }
      }
    }`;
    const made = await client.graphql(create, { topic: 'ORDERS_CREATE', url: 'http://127.0.0.1:9/hooks' });
    const subscription = dataAt<{ id: string; topic: string }>(
      made,
      'webhookSubscriptionCreate.webhookSubscription',
    );
    assert.equal(subscription.topic, 'ORDERS_CREATE');
    const again = await client.graphql(create, { topic: 'ORDERS_CREATE', url: 'http://127.0.0.1:9/hooks' });
    assert.match(JSON.stringify(dataAt(again, 'webhookSubscriptionCreate.userErrors')), /already been taken/);
    const list = await client.graphql(
      '{ webhookSubscriptions(first: 10, topics: [ORDERS_CREATE]) { nodes { id apiVersion { handle } } } }',
    );
    assert.deepEqual(dataAt(list, 'webhookSubscriptions.nodes'), [
      { id: subscription.id, apiVersion: { handle: '2026-04' } },
    ]);
    const deleted = await client.graphql(
      'mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }',
      { id: subscription.id },
    );
    assert.equal(dataAt(deleted, 'webhookSubscriptionDelete.deletedWebhookSubscriptionId'), subscription.id);
    assert.deepEqual(
      dataAt(
        await client.graphql('{ webhookSubscriptions(first: 10) { nodes { id } } }'),
        'webhookSubscriptions.nodes',
      ),
      [],
    );
  });
});
