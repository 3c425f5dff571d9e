/**
 * Analytics v1 (summary, sales-over-time, top-customers) against Shopify's sales-report definitions, on a
 * real database. Every expected figure is worked out by hand in the comments.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { parseCsv } from '../helpers/csv.ts';
import { newId, orderBody, refundBody } from '../helpers/factories.ts';

const SECRET = 'analytics-secret';

describe('analytics', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  /** A tenant of its own per test, so that figures do not mix. */
  const tenant = async (timezone = 'America/New_York') => {
    const shopDomain = `a${newId()}.myshopify.com`;
    const created = await app.createTenant({ shopDomain, timezone, webhookSecret: SECRET });
    return {
      id: created.id,
      async send(topic: string, body: string) {
        const response = await app.deliver({ shopDomain, secret: SECRET, topic, body });
        assert.equal(response.statusCode, 200, response.body);
      },
      async get(report: string, query: string) {
        const response = await app.api('GET', `/api/v1/tenants/${created.id}/analytics/${report}?${query}`);
        assert.equal(response.statusCode, 200, response.body);
        return response.json();
      },
    };
  };

  it('puts an order on its store-time-zone day, not its UTC day', async () => {
    const shop = await tenant('America/New_York');
    // 2025-04-02T02:30Z is 22:30 on April 1 in New York (EDT, UTC-4).
    await shop.send(
      'orders/create',
      orderBody({ processedAt: '2025-04-02T02:30:00Z', lines: [{ price: '50.00', quantity: 1 }] }).json,
    );
    await app.drain();
    const april1 = await shop.get('summary', 'from=2025-04-01&to=2025-04-01');
    const april2 = await shop.get('summary', 'from=2025-04-02&to=2025-04-02');
    assert.equal(april1.orders, 1);
    assert.equal(april1.grossSales, '50.00');
    assert.equal(april2.orders, 0);
    const series = await shop.get('sales-over-time', 'from=2025-03-31&to=2025-04-02&interval=day');
    assert.deepEqual(
      series.rows.map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2025-03-31', '0.00'],
        ['2025-04-01', '50.00'],
        ['2025-04-02', '0.00'],
      ],
    );
  });

  it('lowers net sales, shipping and taxes on the refund date, not the order date', async () => {
    const shop = await tenant('UTC');
    const lineId = newId();
    const order = orderBody({
      processedAt: '2025-05-01T10:00:00Z',
      shipping: '10.00',
      lines: [{ id: lineId, price: '60.00', quantity: 2, discount: '12.00', tax: '10.80' }],
    });
    await shop.send('orders/create', order.json);
    await shop.send(
      'refunds/create',
      refundBody({
        orderId: order.id,
        processedAt: '2025-05-05T09:00:00Z',
        lines: [{ lineItemId: lineId, quantity: 1, subtotal: '54.00', tax: '5.40' }],
        shipping: '10.00',
      }).json,
    );
    await app.drain();
    // Order day: gross 120.00, discounts 12.00, net 108.00, shipping 10.00, taxes 10.80, total 128.80.
    const orderDay = await shop.get('summary', 'from=2025-05-01&to=2025-05-01');
    assert.deepEqual(
      [
        orderDay.grossSales,
        orderDay.discounts,
        orderDay.returns,
        orderDay.netSales,
        orderDay.shipping,
        orderDay.taxes,
        orderDay.totalSales,
      ],
      ['120.00', '12.00', '0.00', '108.00', '10.00', '10.80', '128.80'],
    );
    assert.equal(orderDay.averageOrderValue, '108.00');
    // Refund day: returns 54.00 (after discount, before tax), shipping -10.00, taxes -5.40.
    const refundDay = await shop.get('summary', 'from=2025-05-05&to=2025-05-05');
    assert.deepEqual(
      [
        refundDay.orders,
        refundDay.returns,
        refundDay.netSales,
        refundDay.shipping,
        refundDay.taxes,
        refundDay.totalSales,
      ],
      [0, '54.00', '-54.00', '-10.00', '-5.40', '-69.40'],
    );
    const month = await shop.get('summary', 'from=2025-05-01&to=2025-05-31');
    assert.equal(month.netSales, '54.00');
    assert.equal(month.totalSales, '59.40');
    const series = await shop.get('sales-over-time', 'from=2025-05-01&to=2025-05-07');
    assert.deepEqual(
      series.rows.map((r: { netSales: string }) => r.netSales),
      ['108.00', '0.00', '0.00', '0.00', '-54.00', '0.00', '0.00'],
    );
  });

  it('counts a cancelled order as a sale on its date and a return on the cancellation date', async () => {
    const shop = await tenant('UTC');
    await shop.send(
      'orders/cancelled',
      orderBody({
        processedAt: '2025-06-01T12:00:00Z',
        cancelledAt: '2025-06-03T12:00:00Z',
        shipping: '5.00',
        lines: [{ price: '20.00', quantity: 1, discount: '2.00', tax: '1.80' }],
      }).json,
    );
    await app.drain();
    const saleDay = await shop.get('summary', 'from=2025-06-01&to=2025-06-01');
    assert.deepEqual([saleDay.orders, saleDay.netSales, saleDay.totalSales], [1, '18.00', '24.80']);
    const cancelDay = await shop.get('summary', 'from=2025-06-03&to=2025-06-03');
    assert.deepEqual(
      [cancelDay.returns, cancelDay.shipping, cancelDay.taxes, cancelDay.totalSales],
      ['18.00', '-5.00', '-1.80', '-24.80'],
    );
    const both = await shop.get('summary', 'from=2025-06-01&to=2025-06-30');
    assert.deepEqual([both.orders, both.netSales, both.totalSales], [1, '0.00', '0.00']);
  });

  it('leaves out test orders, deleted orders and gift cards', async () => {
    const shop = await tenant('UTC');
    await shop.send('orders/create', orderBody({ processedAt: '2025-07-01T12:00:00Z', test: true }).json);
    const deleted = orderBody({ processedAt: '2025-07-01T12:00:00Z' });
    await shop.send('orders/create', deleted.json);
    await shop.send('orders/delete', JSON.stringify({ id: Number(deleted.id) }));
    await shop.send(
      'orders/create',
      orderBody({
        processedAt: '2025-07-01T12:00:00Z',
        lines: [
          { price: '25.00', quantity: 1 },
          { price: '50.00', quantity: 1, giftCard: true },
        ],
      }).json,
    );
    await app.drain();
    const day = await shop.get('summary', 'from=2025-07-01&to=2025-07-01');
    assert.deepEqual([day.orders, day.grossSales], [1, '25.00']);
  });

  it('cuts days at local midnight across both DST changes, and fills weeks and months', async () => {
    const shop = await tenant('America/New_York');
    // 23:30 local on the spring-forward day (EDT, UTC-4) is 03:30Z the next day.
    await shop.send(
      'orders/create',
      orderBody({ processedAt: '2025-03-10T03:30:00Z', lines: [{ price: '11.00', quantity: 1 }] }).json,
    );
    // 23:30 local on the fall-back day (EST, UTC-5) is 04:30Z the next day.
    await shop.send(
      'orders/create',
      orderBody({ processedAt: '2025-11-03T04:30:00Z', lines: [{ price: '22.00', quantity: 1 }] }).json,
    );
    // 00:30 local on November 3 (EST) is 05:30Z.
    await shop.send(
      'orders/create',
      orderBody({ processedAt: '2025-11-03T05:30:00Z', lines: [{ price: '33.00', quantity: 1 }] }).json,
    );
    await app.drain();
    const march = await shop.get('sales-over-time', 'from=2025-03-08&to=2025-03-10&interval=day');
    assert.deepEqual(
      march.rows.map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2025-03-08', '0.00'],
        ['2025-03-09', '11.00'],
        ['2025-03-10', '0.00'],
      ],
    );
    const november = await shop.get('sales-over-time', 'from=2025-11-02&to=2025-11-03&interval=day');
    assert.deepEqual(
      november.rows.map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2025-11-02', '22.00'],
        ['2025-11-03', '33.00'],
      ],
    );
    // ISO weeks start on Monday: 2025-10-27 holds November 2 (a Sunday), 2025-11-03 holds November 3.
    const weeks = await shop.get('sales-over-time', 'from=2025-10-27&to=2025-11-09&interval=week');
    assert.deepEqual(
      weeks.rows.map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2025-10-27', '22.00'],
        ['2025-11-03', '33.00'],
      ],
    );
    const months = await shop.get('sales-over-time', 'from=2025-01-01&to=2025-12-31&interval=month');
    assert.equal(months.rows.length, 12);
    assert.deepEqual(
      months.rows
        .filter((r: { grossSales: string }) => r.grossSales !== '0.00')
        .map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2025-03-01', '11.00'],
        ['2025-11-01', '55.00'],
      ],
    );
  });

  it('counts customers and new customers, and ranks top customers by net sales in the range', async () => {
    const shop = await tenant('UTC');
    const loyal = newId();
    const newcomer = newId();
    await shop.send(
      'orders/create',
      orderBody({ customerId: loyal, processedAt: '2025-01-15T12:00:00Z' }).json,
    );
    await shop.send(
      'orders/create',
      orderBody({
        customerId: loyal,
        processedAt: '2025-02-10T12:00:00Z',
        lines: [{ price: '30.00', quantity: 1 }],
      }).json,
    );
    await shop.send(
      'orders/create',
      orderBody({
        customerId: newcomer,
        processedAt: '2025-02-11T12:00:00Z',
        lines: [{ price: '80.00', quantity: 1 }],
      }).json,
    );
    await shop.send(
      'orders/create',
      orderBody({ customerId: null, processedAt: '2025-02-12T12:00:00Z' }).json,
    );
    await app.drain();
    const february = await shop.get('summary', 'from=2025-02-01&to=2025-02-28');
    assert.deepEqual([february.orders, february.customers, february.newCustomers], [3, 2, 1]);
    // AOV = (30 + 80 + 100) / 3 = 70.00
    assert.equal(february.averageOrderValue, '70.00');
    const top = await shop.get('top-customers', 'from=2025-02-01&to=2025-02-28&limit=5');
    assert.deepEqual(
      top.customers.map((c: { customerId: string; orders: number; netSales: string }) => [
        c.customerId,
        c.orders,
        c.netSales,
      ]),
      [
        [newcomer, 1, '80.00'],
        [loyal, 1, '30.00'],
      ],
    );
  });

  it('keeps the totals of two tenants with the same Shopify order id apart', async () => {
    const a = await tenant('UTC');
    const b = await tenant('UTC');
    const id = newId();
    await a.send(
      'orders/create',
      orderBody({ id, processedAt: '2025-08-01T12:00:00Z', lines: [{ price: '10.00', quantity: 1 }] }).json,
    );
    await b.send(
      'orders/create',
      orderBody({ id, processedAt: '2025-08-01T12:00:00Z', lines: [{ price: '70.00', quantity: 2 }] }).json,
    );
    await app.drain();
    assert.equal((await a.get('summary', 'from=2025-08-01&to=2025-08-01')).grossSales, '10.00');
    assert.equal((await b.get('summary', 'from=2025-08-01&to=2025-08-01')).grossSales, '140.00');
  });

  it('buckets by quarter and year, and compares with the previous period or the previous year', async () => {
    const shop = await tenant('UTC');
    for (const [processedAt, price] of [
      ['2025-03-15T12:00:00Z', '10.00'],
      ['2025-04-10T12:00:00Z', '20.00'],
      ['2024-04-10T12:00:00Z', '5.00'],
    ] as const) {
      await shop.send('orders/create', orderBody({ processedAt, lines: [{ price, quantity: 1 }] }).json);
    }
    await app.drain();
    const quarters = await shop.get('sales-over-time', 'from=2025-01-01&to=2025-06-30&interval=quarter');
    assert.deepEqual(
      quarters.rows.map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2025-01-01', '10.00'],
        ['2025-04-01', '20.00'],
      ],
    );
    const years = await shop.get('sales-over-time', 'from=2024-01-01&to=2025-12-31&interval=year');
    assert.deepEqual(
      years.rows.map((r: { date: string; grossSales: string }) => [r.date, r.grossSales]),
      [
        ['2024-01-01', '5.00'],
        ['2025-01-01', '30.00'],
      ],
    );
    const yearOverYear = await shop.get('summary', 'from=2025-04-01&to=2025-04-30&compare=previous_year');
    assert.deepEqual(yearOverYear.compare.range, { from: '2024-04-01', to: '2024-04-30', timezone: 'UTC' });
    assert.equal(yearOverYear.compare.grossSales, '5.00');
    assert.deepEqual(yearOverYear.compare.deltas.grossSales, { change: '15', percent: '300.0' });
    // April has 30 days: the previous period is the 30 days before it, 2025-03-02 to 2025-03-31.
    const periodOverPeriod = await shop.get(
      'summary',
      'from=2025-04-01&to=2025-04-30&compare=previous_period',
    );
    assert.deepEqual(periodOverPeriod.compare.range, {
      from: '2025-03-02',
      to: '2025-03-31',
      timezone: 'UTC',
    });
    assert.deepEqual(periodOverPeriod.compare.deltas.orders, { change: '0', percent: '0.0' });
    assert.deepEqual(periodOverPeriod.compare.deltas.grossSales, { change: '10', percent: '100.0' });
    const empty = await shop.get('summary', 'from=2023-04-01&to=2023-04-30&compare=previous_year');
    assert.equal(empty.compare.deltas.grossSales.percent, null, 'no percent change from zero');
  });

  it('ranks products by net sales or by units, returns on the refund date', async () => {
    const shop = await tenant('UTC');
    const refundedLine = newId();
    const order = orderBody({
      processedAt: '2025-09-01T12:00:00Z',
      lines: [
        { id: refundedLine, price: '50.00', quantity: 2, discount: '10.00' },
        { price: '5.00', quantity: 10 },
      ],
    });
    await shop.send('orders/create', order.json);
    await shop.send(
      'refunds/create',
      refundBody({
        orderId: order.id,
        processedAt: '2025-09-03T12:00:00Z',
        lines: [{ lineItemId: refundedLine, quantity: 1, subtotal: '45.00' }],
      }).json,
    );
    await app.drain();
    // Both lines come from product 632910392 in the factory: one product, 12 units sold, 1 returned.
    const byNet = await shop.get('top-products', 'from=2025-09-01&to=2025-09-30');
    assert.deepEqual(
      byNet.products.map(
        (p: {
          productId: string;
          unitsSold: number;
          grossSales: string;
          discounts: string;
          returns: string;
          netSales: string;
        }) => [p.productId, p.unitsSold, p.grossSales, p.discounts, p.returns, p.netSales],
      ),
      [['632910392', 11, '150.00', '10.00', '45.00', '95.00']],
    );
    const orderDayOnly = await shop.get('top-products', 'from=2025-09-01&to=2025-09-01&sort=units');
    assert.equal(orderDayOnly.products[0].unitsSold, 12);
    assert.equal(orderDayOnly.products[0].netSales, '140.00');
  });

  it('answers sales over time, top customers and top products as CSV, row for row as the JSON', async () => {
    const shop = await tenant('UTC');
    const customer = newId();
    await shop.send(
      'orders/create',
      orderBody({
        processedAt: '2025-10-02T12:00:00Z',
        customerId: customer,
        lines: [{ price: '12.50', quantity: 2 }],
      }).json,
    );
    await app.drain();
    const query = 'from=2025-10-01&to=2025-10-03';
    for (const [report, field] of [
      ['sales-over-time', 'rows'],
      ['top-customers', 'customers'],
      ['top-products', 'products'],
    ] as const) {
      const json = await shop.get(report, query);
      const response = await app.api(
        'GET',
        `/api/v1/tenants/${shop.id}/analytics/${report}?${query}&format=csv`,
      );
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/csv/);
      const expected = (json[field] as Record<string, unknown>[]).map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [key, value === null ? '' : String(value)]),
        ),
      );
      assert.ok(expected.length > 0, report);
      assert.deepEqual(parseCsv(response.body), expected, report);
    }
  });

  it('answers bad input with a 4xx and a machine-readable code', async () => {
    const shop = await tenant('UTC');
    const cases: [string, number, string][] = [
      [`/api/v1/tenants/${shop.id}/analytics/summary?from=2025-02-30&to=2025-03-01`, 400, 'invalid_range'],
      [`/api/v1/tenants/${shop.id}/analytics/summary?from=2025-03-02&to=2025-03-01`, 400, 'invalid_range'],
      [`/api/v1/tenants/${shop.id}/analytics/summary?from=yesterday`, 400, 'invalid_request'],
      [`/api/v1/tenants/${shop.id}/analytics/sales-over-time?interval=hour`, 400, 'invalid_request'],
      [
        `/api/v1/tenants/${shop.id}/analytics/sales-over-time?from=2000-01-01&to=2025-01-01`,
        400,
        'invalid_range',
      ],
      [`/api/v1/tenants/${shop.id}/analytics/top-customers?limit=0`, 400, 'invalid_request'],
      [`/api/v1/tenants/00000000-0000-4000-8000-000000000000/analytics/summary`, 404, 'tenant_not_found'],
      [`/api/v1/tenants/not-a-uuid/analytics/summary`, 404, 'tenant_not_found'],
    ];
    for (const [url, status, code] of cases) {
      const response = await app.api('GET', url);
      assert.equal(response.statusCode, status, url);
      assert.equal(response.json().error.code, code, url);
    }
    const anonymous = await app.server!.inject({
      method: 'GET',
      url: `/api/v1/tenants/${shop.id}/analytics/summary`,
    });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().error.code, 'unauthorized');
  });
});
