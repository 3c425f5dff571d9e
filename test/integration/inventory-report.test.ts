/**
 * The inventory report (GET /api/v1/tenants/:tenantId/analytics/inventory) on data ingested through signed
 * webhooks, with the expected figures worked out by hand in each case, and the tenant settings it reads
 * (PATCH /api/v1/tenants/:tenantId).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InventoryResponse } from '../../src/analytics/inventory.routes.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { int, newId, orderBody, refundBody } from '../helpers/factories.ts';
import { createTenantAs, signUp } from '../helpers/users.ts';

const SECRET = 'inventory-secret';
/** orderBody's line items are this product and variant. */
const PRODUCT = '632910392';
const VARIANT = '808950810';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('inventory report', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  /** A store of its own: sends webhooks and reads the report as the operator. */
  const store = async (options: { timezone?: string; tenantId?: string } = {}) => {
    let tenantId: string;
    let domain: string;
    if (options.tenantId) {
      tenantId = options.tenantId;
      const patched = await app.api('PATCH', `/api/v1/tenants/${tenantId}`, { webhookSecret: SECRET });
      assert.equal(patched.statusCode, 200, patched.body);
      domain = patched.json().shopDomain;
    } else {
      domain = `i${newId()}.myshopify.com`;
      const timezone = options.timezone ?? 'America/New_York';
      tenantId = (await app.createTenant({ shopDomain: domain, timezone, webhookSecret: SECRET })).id;
    }
    const send = async (topic: string, body: unknown, triggeredAt?: string) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const response = await app.deliver({
        shopDomain: domain,
        secret: SECRET,
        topic,
        body: text,
        ...(triggeredAt && { triggeredAt }),
      });
      assert.equal(response.statusCode, 200, response.body);
    };
    return {
      id: tenantId,
      send,
      /** The product of orderBody's lines, its variant linked to `item`. */
      async product(item: string, title = 'IPod Nano - 8GB') {
        await send('products/create', {
          id: int(PRODUCT),
          title,
          status: 'active',
          updated_at: '2026-01-01T00:00:00Z',
          variants: [
            {
              id: int(VARIANT),
              product_id: int(PRODUCT),
              title: 'Pink',
              sku: 'IPOD2008PINK',
              position: 1,
              inventory_item_id: int(item),
            },
          ],
        });
      },
      async item(id: string, cost: string | null) {
        await send('inventory_items/create', {
          id: int(id),
          sku: 'IPOD2008PINK',
          cost,
          tracked: true,
          updated_at: '2026-01-01T00:00:00Z',
        });
      },
      async location(id: string, name: string, active = true) {
        await send('locations/create', { id: int(id), name, active, updated_at: '2026-01-01T00:00:00Z' });
      },
      async level(item: string, location: string, available: number) {
        await send('inventory_levels/update', {
          inventory_item_id: int(item),
          location_id: int(location),
          available,
          updated_at: '2026-01-02T00:00:00Z',
        });
      },
      async report(query = '', headers: Record<string, string> = {}) {
        return app.server!.inject({
          method: 'GET',
          url: `/api/v1/tenants/${tenantId}/analytics/inventory${query}`,
          headers: { authorization: `Bearer ${app.token}`, ...headers },
        });
      },
      async json(query = ''): Promise<InventoryResponse> {
        const response = await this.report(query);
        assert.equal(response.statusCode, 200, response.body);
        return response.json();
      },
    };
  };

  it('shows 3.5 days of cover for a variant selling 10 a day with 35 on hand', async () => {
    const shop = await store();
    const [item, location] = [newId(), newId()];
    await shop.product(item);
    await shop.item(item, '2.50');
    await shop.location(location, 'Main');
    await shop.level(item, location, 35);
    // In the 3-day window: 32 sold, 2 of them refunded: 30 net, 10 a day. Outside it or not counted: an
    // order 10 days ago, a test order, a deleted order.
    const lineId = newId();
    const sale = orderBody({
      processedAt: hoursAgo(0.1),
      lines: [{ id: lineId, price: '20.00', quantity: 32 }],
    });
    await shop.send('orders/create', sale.json);
    await shop.send(
      'refunds/create',
      refundBody({
        orderId: sale.id,
        processedAt: hoursAgo(0.05),
        lines: [{ lineItemId: lineId, quantity: 2, subtotal: '40.00' }],
      }).json,
    );
    await shop.send(
      'orders/create',
      orderBody({ processedAt: hoursAgo(240), lines: [{ price: '20.00', quantity: 50 }] }).json,
    );
    await shop.send(
      'orders/create',
      orderBody({ processedAt: hoursAgo(0.1), test: true, lines: [{ price: '20.00', quantity: 100 }] }).json,
    );
    const deleted = orderBody({ processedAt: hoursAgo(0.1), lines: [{ price: '20.00', quantity: 7 }] });
    await shop.send('orders/create', deleted.json);
    await shop.send('orders/delete', JSON.stringify({ id: int(deleted.id) }));
    await app.drain();

    const report = await shop.json('?days=3');
    assert.equal(report.window.days, 3);
    assert.equal(report.window.timezone, 'America/New_York');
    assert.equal(report.currency, 'USD');
    assert.deepEqual(report.rows, [
      {
        productId: PRODUCT,
        productTitle: 'IPod Nano - 8GB',
        variantId: VARIANT,
        variantTitle: 'Pink',
        sku: 'IPOD2008PINK',
        inventoryItemId: item,
        locationId: location,
        locationName: 'Main',
        onHand: 35,
        unitsSold: 30,
        unitsSoldPerDay: '10.00',
        daysOfCover: '3.5',
        // 30 / (30 + 35) = 46.15..%
        sellThroughRate: '46.2',
        unitCost: '2.50',
        // 35 x 2.50
        stockValue: '87.50',
        lowStock: false,
      },
    ]);
    assert.deepEqual(report.lowStock, []);
    assert.deepEqual(report.totals, {
      rows: 1,
      variants: 1,
      onHand: 35,
      unitsSold: 30,
      stockValue: '87.50',
      lowStock: 0,
    });

    // Over 30 days the order of 10 days ago counts too: 80 net units, 2.67 a day, 35 / (80/30) = 13.1 days.
    const month = await shop.json('?days=30');
    assert.deepEqual(
      [month.rows[0]?.unitsSold, month.rows[0]?.unitsSoldPerDay, month.rows[0]?.daysOfCover],
      [80, '2.67', '13.1'],
    );
  });

  it('leaves out deleted and inactive locations, disconnected levels and deleted items; filters by location and low stock', async () => {
    const shop = await store();
    const item = newId();
    const [main, back, closed, gone, unlinked] = [newId(), newId(), newId(), newId(), newId()];
    await shop.product(item);
    await shop.item(item, null);
    await shop.location(main, 'Main');
    await shop.location(back, 'Back room');
    await shop.location(closed, 'Closed', false);
    await shop.location(gone, 'Gone');
    await shop.location(unlinked, 'Unlinked');
    for (const [location, available] of [
      [main, 35],
      [back, 4],
      [closed, 7],
      [gone, 8],
      [unlinked, 9],
    ] as const) {
      await shop.level(item, location, available);
    }
    await app.drain();
    assert.equal((await shop.json()).rows.length, 4, 'the inactive location is left out from the start');

    await shop.send('locations/delete', JSON.stringify({ id: int(gone) }));
    await shop.send(
      'inventory_levels/disconnect',
      JSON.stringify({ inventory_item_id: int(item), location_id: int(unlinked) }),
    );
    await app.drain();
    const report = await shop.json();
    // Sorted by location name; no sales, so no cover and no sell-through; no cost, so no value.
    assert.deepEqual(
      report.rows.map((row) => [
        row.locationName,
        row.onHand,
        row.daysOfCover,
        row.sellThroughRate,
        row.stockValue,
        row.lowStock,
      ]),
      [
        ['Back room', 4, null, '0.0', null, true],
        ['Main', 35, null, '0.0', null, false],
      ],
    );
    assert.deepEqual(
      report.lowStock.map((row) => row.locationId),
      [back],
    );
    assert.deepEqual(report.totals, {
      rows: 2,
      variants: 1,
      onHand: 39,
      unitsSold: 0,
      stockValue: '0.00',
      lowStock: 1,
    });

    assert.deepEqual(
      (await shop.json(`?location_id=${main}`)).rows.map((row) => row.locationId),
      [main],
    );
    assert.deepEqual(
      (await shop.json('?low_stock_only=true')).rows.map((row) => row.locationId),
      [back],
    );

    // The threshold is the tenant's: at 35 both locations are low.
    const patched = await app.api('PATCH', `/api/v1/tenants/${shop.id}`, { lowStockThreshold: 35 });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().lowStockThreshold, 35);
    const raised = await shop.json();
    assert.equal(raised.lowStockThreshold, 35);
    assert.deepEqual(
      raised.lowStock.map((row) => row.locationName),
      ['Back room', 'Main'],
    );

    await shop.send('inventory_items/delete', JSON.stringify({ id: int(item) }));
    await app.drain();
    assert.deepEqual((await shop.json()).rows, [], 'a deleted inventory item leaves the report');
  });

  it("never shows another tenant's inventory, and another tenant's report is a 404 to this one's key and owner", async () => {
    const owner = await signUp(app);
    const aId = (await createTenantAs(owner, `own${newId()}.myshopify.com`)).id;
    const a = await store({ tenantId: aId });
    const b = await store();
    // The same Shopify ids in both stores, so that only the tenant filter tells them apart.
    const [item, location] = [newId(), newId()];
    for (const [shop, available] of [
      [a, 12],
      [b, 99],
    ] as const) {
      await shop.product(item, shop === a ? 'A product' : 'B product');
      await shop.item(item, '1.00');
      await shop.location(location, shop === a ? 'A depot' : 'B depot');
      await shop.level(item, location, available);
    }
    await app.drain();

    const mine = await a.json();
    assert.deepEqual(
      mine.rows.map((row) => [row.productTitle, row.locationName, row.onHand, row.stockValue]),
      [['A product', 'A depot', 12, '12.00']],
    );
    assert.equal((await b.json()).rows[0]?.onHand, 99);

    const created = await owner.api('POST', `/api/v1/tenants/${aId}/api-keys`, {
      name: 'reports',
      scopes: ['analytics:read'],
    });
    assert.equal(created.statusCode, 201, created.body);
    const key: string = created.json().key;
    const asKey = (tenantId: string) =>
      app.server!.inject({
        method: 'GET',
        url: `/api/v1/tenants/${tenantId}/analytics/inventory`,
        headers: { authorization: `Bearer ${key}` },
      });
    assert.equal((await asKey(aId)).statusCode, 200);
    const keyOnB = await asKey(b.id);
    assert.equal(keyOnB.statusCode, 404);
    assert.equal(keyOnB.json().error.code, 'tenant_not_found');
    assert.ok(!keyOnB.body.includes('B depot'));
    const ownerOnB = await owner.api('GET', `/api/v1/tenants/${b.id}/analytics/inventory`);
    assert.equal(ownerOnB.statusCode, 404);
    assert.ok(!ownerOnB.body.includes('B depot'));
  });

  it('answers the same rows in CSV as in JSON', async () => {
    const shop = await store({ timezone: 'UTC' });
    const item = newId();
    const [north, south] = [newId(), newId()];
    await shop.product(item);
    await shop.item(item, '3.20');
    await shop.location(north, 'North');
    await shop.location(south, 'South');
    await shop.level(item, north, 6);
    await shop.level(item, south, 15);
    await shop.send(
      'orders/create',
      orderBody({ processedAt: hoursAgo(0.1), lines: [{ price: '5.00', quantity: 7 }] }).json,
    );
    await app.drain();

    const json = await shop.json('?days=7');
    assert.equal(json.rows.length, 2);
    const columns = Object.keys(json.rows[0]!);
    const cell = (value: unknown) => (value === null ? '' : String(value));
    const expected = [
      columns.join(','),
      ...json.rows.map((row) => columns.map((c) => cell(row[c as keyof typeof row])).join(',')),
    ]
      .join('\n')
      .concat('\n');
    for (const [query, headers] of [
      ['?days=7&format=csv', {}],
      ['?days=7', { accept: 'text/csv' }],
    ] as const) {
      const csv = await shop.report(query, headers);
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(
        String(csv.headers['content-disposition']),
        /attachment; filename="inventory-\d{4}-\d{2}-\d{2}\.csv"/,
      );
      assert.equal(csv.body, expected);
    }
    // 7 sold in 7 days: 1 a day; North 6 days of cover, South 15; values 6 x 3.20 and 15 x 3.20.
    assert.deepEqual(
      json.rows.map((row) => [row.locationName, row.unitsSoldPerDay, row.daysOfCover, row.stockValue]),
      [
        ['North', '1.00', '6.0', '19.20'],
        ['South', '1.00', '15.0', '48.00'],
      ],
    );
    assert.equal(json.totals.unitsSold, 7, 'the variant counts once in the totals');
  });

  it('answers 400 with a code for a bad query or setting, and returns the settings it takes', async () => {
    const shop = await store();
    for (const query of [
      '?days=0',
      '?days=3661',
      '?days=x',
      '?location_id=abc',
      '?low_stock_only=maybe',
      '?format=xml',
    ]) {
      const response = await shop.report(query);
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json().error.code, 'invalid_request', query);
    }
    for (const body of [
      { abandonmentThresholdMinutes: 0 },
      { abandonmentThresholdMinutes: 43_201 },
      { lowStockThreshold: -1 },
      { reconcileIntervalMinutes: 10 },
      { reconcileIntervalMinutes: 10_081 },
    ]) {
      const response = await app.api('PATCH', `/api/v1/tenants/${shop.id}`, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().error.code, 'invalid_request');
    }
    const defaults = (await app.api('GET', `/api/v1/tenants/${shop.id}`)).json();
    assert.deepEqual(
      [defaults.abandonmentThresholdMinutes, defaults.lowStockThreshold, defaults.reconcileIntervalMinutes],
      [60, 10, 360],
      'a rejected patch changes nothing',
    );
    const patched = await app.api('PATCH', `/api/v1/tenants/${shop.id}`, {
      abandonmentThresholdMinutes: 90,
      lowStockThreshold: 0,
      reconcileIntervalMinutes: 0,
    });
    assert.equal(patched.statusCode, 200, patched.body);
    const tenant = (await app.api('GET', `/api/v1/tenants/${shop.id}`)).json();
    assert.deepEqual(
      [tenant.abandonmentThresholdMinutes, tenant.lowStockThreshold, tenant.reconcileIntervalMinutes],
      [90, 0, 0],
    );
  });
});
