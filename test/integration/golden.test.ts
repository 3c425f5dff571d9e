/**
 * The golden dataset (test/fixtures/golden/README.md): the real Shopify samples plus constructed cases (a
 * refund on a later day, a cancellation, orders at 23:30 on both DST change days, a test order, a
 * multi-currency order, an order edited after the fact), sent through the webhook path, and every figure of
 * the README's hand-worked tables asserted to the cent. Runs on real PostgreSQL and on PGlite like every
 * integration test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DESTRUCTIVE_TOPICS, planReplay } from '../../src/cli/replay.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { parseCsv } from '../helpers/csv.ts';

const SAMPLES = fileURLToPath(new URL('../fixtures/shopify', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const SECRET = 'golden-secret';

type Manifest = {
  shopDomain: string;
  timezone: string;
  currency: string;
  events: { file: string; topic: string; case: string }[];
};
const manifest = JSON.parse(readFileSync(`${GOLDEN}events.json`, 'utf8')) as Manifest;

type Figures = [
  orders: number,
  gross: string,
  discounts: string,
  returns: string,
  net: string,
  shipping: string,
  taxes: string,
  duties: string,
  total: string,
];

/** The README's "Expected figures" table: range -> figures, AOV, customers, new customers. */
const EXPECTED: [
  from: string,
  to: string,
  figures: Figures,
  aov: string,
  customers: number,
  newCustomers: number,
][] = [
  [
    '2025-03-01',
    '2025-03-01',
    [1, '80.00', '8.00', '0.00', '72.00', '5.00', '6.48', '0.00', '83.48'],
    '72.00',
    1,
    1,
  ],
  [
    '2025-03-02',
    '2025-03-02',
    [1, '25.00', '0.00', '0.00', '25.00', '0.00', '2.25', '0.00', '27.25'],
    '25.00',
    1,
    1,
  ],
  [
    '2025-03-03',
    '2025-03-03',
    [0, '0.00', '0.00', '25.00', '-25.00', '0.00', '-2.25', '0.00', '-27.25'],
    '0.00',
    0,
    0,
  ],
  [
    '2025-03-04',
    '2025-03-04',
    [0, '0.00', '0.00', '36.00', '-36.00', '0.00', '-3.24', '0.00', '-39.24'],
    '0.00',
    0,
    0,
  ],
  [
    '2025-03-05',
    '2025-03-05',
    [1, '108.00', '0.00', '0.00', '108.00', '0.00', '0.00', '0.00', '108.00'],
    '108.00',
    1,
    1,
  ],
  [
    '2025-03-06',
    '2025-03-06',
    [1, '50.00', '0.00', '0.00', '50.00', '0.00', '0.00', '0.00', '50.00'],
    '50.00',
    1,
    0,
  ],
  [
    '2025-03-08',
    '2025-03-08',
    [0, '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'],
    '0.00',
    0,
    0,
  ],
  [
    '2025-03-09',
    '2025-03-09',
    [1, '30.00', '0.00', '0.00', '30.00', '0.00', '0.00', '0.00', '30.00'],
    '30.00',
    0,
    0,
  ],
  [
    '2025-03-10',
    '2025-03-10',
    [0, '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'],
    '0.00',
    0,
    0,
  ],
  [
    '2025-11-02',
    '2025-11-02',
    [1, '100.00', '0.00', '0.00', '100.00', '0.00', '0.00', '0.00', '100.00'],
    '100.00',
    0,
    0,
  ],
  [
    '2025-11-03',
    '2025-11-03',
    [0, '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'],
    '0.00',
    0,
    0,
  ],
  [
    '2025-03-01',
    '2025-03-31',
    [5, '293.00', '8.00', '61.00', '224.00', '5.00', '3.24', '0.00', '232.24'],
    '57.00',
    3,
    3,
  ],
  [
    '2025-04-02',
    '2025-04-02',
    [3, '622.97', '17.91', '391.33', '213.73', '0.00', '5.54', '0.00', '219.27'],
    '201.69',
    2,
    2,
  ],
  [
    '2025-10-15',
    '2025-10-15',
    [2, '100.00', '0.00', '0.00', '100.00', '0.00', '0.00', '4.00', '104.00'],
    '50.00',
    2,
    0,
  ],
  [
    '2000-01-01',
    '2026-01-01',
    [12, '1712.97', '35.91', '452.33', '1224.73', '5.00', '20.72', '4.00', '1254.45'],
    '139.76',
    6,
    6,
  ],
];

type Row = {
  orders: number;
  grossSales: string;
  discounts: string;
  returns: string;
  netSales: string;
  shipping: string;
  taxes: string;
  duties: string;
  totalSales: string;
};
const figures = (row: Row): Figures => [
  row.orders,
  row.grossSales,
  row.discounts,
  row.returns,
  row.netSales,
  row.shipping,
  row.taxes,
  row.duties,
  row.totalSales,
];

describe('the golden dataset', () => {
  let app: TestApp;
  let tenantId: string;

  const get = async (path: string) => {
    const response = await app.api('GET', `/api/v1/tenants/${tenantId}/analytics/${path}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  before(async () => {
    app = await startTestApp();
    const tenant = await app.createTenant({
      shopDomain: manifest.shopDomain,
      timezone: manifest.timezone,
      currency: manifest.currency,
      webhookSecret: SECRET,
    });
    tenantId = tenant.id;
    const samples = planReplay(SAMPLES).filter((delivery) => !DESTRUCTIVE_TOPICS.has(delivery.topic));
    const constructed = manifest.events.map((event) => ({
      topic: event.topic,
      body: readFileSync(`${GOLDEN}${event.file}`, 'utf8'),
      eventId: `golden-${event.file}`,
    }));
    for (const delivery of [...samples, ...constructed]) {
      const response = await app.deliver({
        shopDomain: manifest.shopDomain,
        secret: SECRET,
        topic: delivery.topic,
        body: delivery.body,
        eventId: delivery.eventId,
      });
      assert.equal(response.statusCode, 200, `${delivery.topic}: ${response.body}`);
    }
    await app.drain();
    const dead = await app.db.system.query<{ topic: string; last_error: string }>(
      `SELECT topic, last_error FROM webhook_events WHERE tenant_id = $1 AND status = 'dead'`,
      [tenantId],
    );
    assert.deepEqual(dead, [], 'no golden event is dead-lettered');
  });
  after(() => app.close());

  for (const [from, to, expected, aov, customers, newCustomers] of EXPECTED) {
    it(`summary ${from} … ${to}`, async () => {
      const summary = await get(`summary?from=${from}&to=${to}`);
      assert.deepEqual(figures(summary), expected);
      assert.equal(summary.averageOrderValue, aov);
      assert.equal(summary.customers, customers);
      assert.equal(summary.newCustomers, newCustomers);
      assert.equal(summary.currency, 'USD');
    });
  }

  it('daily sales-over-time agrees with the daily table, empty days included', async () => {
    const series = await get('sales-over-time?from=2025-03-01&to=2025-03-10&interval=day');
    const byDate = new Map(series.rows.map((row: Row & { date: string }) => [row.date, figures(row)]));
    assert.equal(series.rows.length, 10);
    for (const [from, to, expected] of EXPECTED) {
      if (from === to && from >= '2025-03-01' && from <= '2025-03-10') {
        assert.deepEqual(byDate.get(from), expected, from);
      }
    }
    assert.deepEqual(byDate.get('2025-03-07'), [
      0,
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
    ]);
  });

  it('weekly sales-over-time cuts ISO weeks in the store time zone', async () => {
    const series = await get('sales-over-time?from=2025-03-01&to=2025-03-09&interval=week');
    assert.deepEqual(
      series.rows.map((row: Row & { date: string }) => [row.date, ...figures(row)]),
      [
        ['2025-02-24', 2, '105.00', '8.00', '0.00', '97.00', '5.00', '8.73', '0.00', '110.73'],
        ['2025-03-03', 3, '188.00', '0.00', '61.00', '127.00', '0.00', '-5.49', '0.00', '121.51'],
      ],
    );
  });

  it('top products of March by net sales and by units', async () => {
    const byNet = await get('top-products?from=2025-03-01&to=2025-03-31&sort=net_sales');
    const table = (
      rows: {
        productId: string;
        unitsSold: number;
        grossSales: string;
        discounts: string;
        returns: string;
        netSales: string;
      }[],
    ) =>
      rows.map((row) => [
        row.productId,
        row.unitsSold,
        row.grossSales,
        row.discounts,
        row.returns,
        row.netSales,
      ]);
    assert.deepEqual(table(byNet.products), [
      ['9007199254741103', 2, '108.00', '0.00', '0.00', '108.00'],
      ['9007199254741104', 2, '50.00', '0.00', '0.00', '50.00'],
      ['9007199254741101', 1, '80.00', '8.00', '36.00', '36.00'],
      ['9007199254741105', 2, '30.00', '0.00', '0.00', '30.00'],
      ['9007199254741102', 0, '25.00', '0.00', '25.00', '0.00'],
    ]);
    const byUnits = await get('top-products?from=2025-03-01&to=2025-03-31&sort=units&limit=3');
    assert.deepEqual(
      byUnits.products.map((row: { productId: string }) => row.productId),
      ['9007199254741103', '9007199254741104', '9007199254741105'],
    );
  });

  it('checkouts of 2025-10-15: one completed, one abandoned then recovered, one abandoned', async () => {
    const report = await get('checkouts?from=2025-10-15&to=2025-10-15&interval=day');
    const { started, completed, abandoned, recovered, open, conversionRate, abandonmentRate } = report.totals;
    assert.deepEqual(
      { started, completed, abandoned, recovered, open, conversionRate, abandonmentRate },
      {
        started: 3,
        completed: 1,
        abandoned: 2,
        recovered: 1,
        open: 0,
        conversionRate: '0.3333',
        abandonmentRate: '0.6667',
      },
    );
    assert.equal(report.totals.abandonedValue, '85.00');
    assert.equal(report.totals.recoveredValue, '60.00');
  });

  it('customers of March: first-time and returning per day and for the month', async () => {
    const report = await get('customers-over-time?from=2025-03-01&to=2025-03-06&interval=day');
    assert.deepEqual(
      report.rows
        .filter((row: { customers: number }) => row.customers > 0)
        .map((row: { date: string; firstTimeCustomers: number; returningCustomers: number }) => [
          row.date,
          row.firstTimeCustomers,
          row.returningCustomers,
        ]),
      [
        ['2025-03-01', 1, 0],
        ['2025-03-02', 1, 0],
        ['2025-03-05', 1, 0],
        ['2025-03-06', 0, 1],
      ],
    );
    // For the month, A (orders on 03-01 and 03-06) is returning, B and C first-time: rate 1 / 3.
    const month = await get('customers-over-time?from=2025-03-01&to=2025-03-31&interval=month');
    const { customers, firstTimeCustomers, returningCustomers, returningCustomerRate } = month.totals;
    assert.deepEqual(
      { customers, firstTimeCustomers, returningCustomers, returningCustomerRate },
      { customers: 3, firstTimeCustomers: 2, returningCustomers: 1, returningCustomerRate: '33.33' },
    );
  });

  it('refunds of March: one refund of 36.00 + 3.24 tax, on 1 of 5 orders', async () => {
    const report = await get('refunds?from=2025-03-01&to=2025-03-31&interval=month');
    assert.equal(report.totals.refunds, 1);
    assert.equal(report.totals.amountRefunded, '39.24');
    assert.equal(report.totals.refundedOrders, 1);
    assert.equal(report.totals.orders, 5);
    assert.equal(report.totals.refundRate, '20.00');
  });

  it('answers the summary as CSV with the same figures, the compared range on its own row', async () => {
    const response = await app.api(
      'GET',
      `/api/v1/tenants/${tenantId}/analytics/summary?from=2025-03-01&to=2025-03-31&compare=previous_period&format=csv`,
    );
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    const [march, february] = parseCsv(response.body);
    assert.deepEqual(
      [
        march!.period,
        march!.from,
        march!.to,
        march!.orders,
        march!.netSales,
        march!.totalSales,
        march!.averageOrderValue,
      ],
      ['range', '2025-03-01', '2025-03-31', '5', '224.00', '232.24', '57.00'],
    );
    assert.deepEqual(
      [february!.period, february!.from, february!.to, february!.orders, february!.netSales],
      ['previous_period', '2025-01-29', '2025-02-28', '0', '0.00'],
    );
  });

  it('keeps the multi-currency order in shop money and its presentment currency for reference', async () => {
    const [order] = await app.db.system.query<{
      currency: string;
      presentment_currency: string;
      gross_sales: string;
      presentment: { amount: string; currency_code: string };
    }>(
      `SELECT currency, presentment_currency, round(gross_sales, 2)::text AS gross_sales,
              raw -> 'line_items' -> 0 -> 'price_set' -> 'presentment_money' AS presentment
       FROM orders WHERE tenant_id = $1 AND id = $2`,
      [tenantId, '9007199254740998'],
    );
    assert.deepEqual(order, {
      currency: 'USD',
      presentment_currency: 'EUR',
      gross_sales: '108.00',
      presentment: { amount: '50.00', currency_code: 'EUR' },
    });
  });

  it('skips the orders/edited summary and keeps the edited order on its own date', async () => {
    const [skipped] = await app.db.system.query<{ status: string; skip_cause: string }>(
      `SELECT status, skip_cause FROM webhook_events WHERE tenant_id = $1 AND topic = 'orders/edited'`,
      [tenantId],
    );
    assert.deepEqual(skipped, { status: 'skipped', skip_cause: 'order_edit_summary' });
  });
});
