/**
 * End to end on real Shopify samples: a listening Shopsight, the `replay` command sending every sample in
 * test/fixtures/shopify (verbatim copies of ../shared/fixtures/shopify) over HTTP, signed (all but the
 * ones that would erase or disconnect the store, which the command skips by default), the worker
 * draining the inbox, and the analytics API answering the figures of a hand calculation, to the cent.
 *
 * Hand calculation (store jsmith.myshopify.com from rest_shop.json: America/New_York, USD). Files are sent
 * in name order; the orders that count (webhook_orders_create.json is a test order, and orders/delete then
 * deletes it):
 *
 * | order (file)                                | day (NY)   | gross  | discounts | taxes | customer   |
 * |---------------------------------------------|------------|--------|-----------|-------|------------|
 * | 450789469 (rest_orders_list: 3 x 199.00)     | 2008-01-10 | 597.00 | 10.00     | 11.94 | 207119551  |
 * | 1073459976 (rest_order_created_eur: 3x74.99) | 2025-04-02 | 224.97 | 0.00      | 13.50 | none       |
 * | 1073459980 (..._partially_paid: 1 x 199.00)  | 2025-04-02 | 199.00 | 0.00      | 0.00  | 1073339474 |
 * | 1073459981 (..._with_discount: 1 x 199.00)   | 2025-04-02 | 199.00 | 17.91     | 0.00  | 1073339475 |
 *
 * rest_legacy_order_fixture.json is the same order 450789469 with the same updated_at; rest_orders_list.json
 * comes later in name order and wins the tie. Refund 509562969 (embedded in rest_orders_list.json, and alone
 * in rest_refunds_list.json; stored once) returns two lines on 2025-04-02: subtotals 195.66 + 195.67 =
 * 391.33, taxes 3.98 + 3.98 = 7.96, no shipping.
 *
 * Whole history: orders 4; gross 1219.97; discounts 27.91; returns 391.33; net 800.73; shipping 0.00;
 * taxes 25.44 - 7.96 = 17.48; total 818.21; AOV (1219.97 - 27.91) / 4 = 298.015 -> 298.02; customers 3,
 * all new.
 * 2025-04-02: orders 3; gross 622.97; discounts 17.91; returns 391.33; net 213.73; taxes 13.50 - 7.96 =
 * 5.54; total 219.27; AOV 605.06 / 3 = 201.686.. -> 201.69.
 * 2008-01-10: orders 1; gross 597.00; discounts 10.00; net 587.00; taxes 11.94; total 598.94 (the order's
 * own total_price); AOV 587.00.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runReplayCommand } from '../../src/cli/replay.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/shopify', import.meta.url));
const silent = { log: () => undefined, error: () => undefined };

describe('replaying the real Shopify samples', () => {
  let app: TestApp;
  let url: string;
  let tenantId: string;
  before(async () => {
    app = await startTestApp();
    url = await app.server!.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app.close());

  /** Runs the replay command on the samples against the listening server. Returns its exit code. */
  const replay = () =>
    runReplayCommand(
      ['--dir', FIXTURES, '--url', url, '--create-tenant', '--secret', 'replay-secret'],
      { SHOPSIGHT_ADMIN_TOKEN: app.token, PATH: process.env.PATH },
      silent,
    );

  const summary = async (from: string, to: string) => {
    const response = await app.api(
      'GET',
      `/api/v1/tenants/${tenantId}/analytics/summary?from=${from}&to=${to}`,
    );
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  it('sends every sample over HTTP, signed, and every delivery is accepted', async () => {
    const code = await replay();
    assert.equal(code, 0);
    const tenants = (await app.api('GET', '/api/v1/tenants')).json().tenants;
    const tenant = tenants.find((t: { shopDomain: string }) => t.shopDomain === 'jsmith.myshopify.com');
    assert.ok(tenant, 'the replay created the tenant from rest_shop.json');
    assert.equal(tenant.timezone, 'America/New_York');
    assert.equal(tenant.currency, 'USD');
    tenantId = tenant.id;
    await app.drain();
    const [erasing] = await app.db.system.query<{ n: string }>(
      `SELECT count(*) AS n FROM webhook_events WHERE topic IN ('shop/redact', 'customers/redact', 'app/uninstalled')`,
    );
    assert.equal(erasing!.n, '0', 'the samples that erase or disconnect the store are skipped by default');
    const [dead] = await app.db.system.query<{ n: string }>(
      `SELECT count(*) AS n FROM webhook_events WHERE status = 'dead'`,
    );
    assert.equal(dead!.n, '0');
  });

  it('answers the hand-calculated figures for the whole history', async () => {
    const all = await summary('2000-01-01', '2026-01-01');
    assert.deepEqual(
      {
        orders: all.orders,
        grossSales: all.grossSales,
        discounts: all.discounts,
        returns: all.returns,
        netSales: all.netSales,
        shipping: all.shipping,
        taxes: all.taxes,
        totalSales: all.totalSales,
        averageOrderValue: all.averageOrderValue,
        customers: all.customers,
        newCustomers: all.newCustomers,
      },
      {
        orders: 4,
        grossSales: '1219.97',
        discounts: '27.91',
        returns: '391.33',
        netSales: '800.73',
        shipping: '0.00',
        taxes: '17.48',
        totalSales: '818.21',
        averageOrderValue: '298.02',
        customers: 3,
        newCustomers: 3,
      },
    );
  });

  it('puts the 2008 sale and the 2025 refund of order 450789469 on their own days', async () => {
    const orderDay = await summary('2008-01-10', '2008-01-10');
    assert.deepEqual(
      [
        orderDay.orders,
        orderDay.grossSales,
        orderDay.discounts,
        orderDay.netSales,
        orderDay.taxes,
        orderDay.totalSales,
        orderDay.averageOrderValue,
      ],
      [1, '597.00', '10.00', '587.00', '11.94', '598.94', '587.00'],
    );
    const refundDay = await summary('2025-04-02', '2025-04-02');
    assert.deepEqual(
      [
        refundDay.orders,
        refundDay.grossSales,
        refundDay.discounts,
        refundDay.returns,
        refundDay.netSales,
        refundDay.taxes,
        refundDay.totalSales,
        refundDay.averageOrderValue,
      ],
      [3, '622.97', '17.91', '391.33', '213.73', '5.54', '219.27', '201.69'],
    );
  });

  it('ranks the customers by net sales and keeps their ids as Shopify sent them', async () => {
    const response = await app.api(
      'GET',
      `/api/v1/tenants/${tenantId}/analytics/top-customers?from=2000-01-01&to=2026-01-01`,
    );
    const top = response
      .json()
      .customers.map((c: { customerId: string; netSales: string; orders: number }) => [
        c.customerId,
        c.orders,
        c.netSales,
      ]);
    // 207119551: 587.00 - 391.33 = 195.67; 1073339474: 199.00; 1073339475: 181.09.
    assert.deepEqual(top, [
      ['1073339474', 1, '199.00'],
      ['207119551', 1, '195.67'],
      ['1073339475', 1, '181.09'],
    ]);
  });

  it('changes nothing when the same samples are replayed again', async () => {
    const before = await summary('2000-01-01', '2026-01-01');
    const [inboxBefore] = await app.db.system.query<{ n: string }>(
      'SELECT count(*) AS n FROM webhook_events',
    );
    const code = await replay();
    assert.equal(code, 0);
    await app.drain();
    const [inboxAfter] = await app.db.system.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events');
    assert.equal(inboxAfter!.n, inboxBefore!.n, 'event ids deduplicate the second replay');
    assert.deepEqual(await summary('2000-01-01', '2026-01-01'), before);
  });
});
