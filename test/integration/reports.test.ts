/**
 * The analytics reports of src/analytics/reports.routes.ts (orders, average order value, new and returning
 * customers, recent orders, refunds, cohorts, RFM, lifetime value) on a real database, fed through the
 * webhook path (signed delivery -> inbox -> worker). Every expected figure is worked out by hand in the
 * comments.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCsv } from '../helpers/csv.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { newId, orderBody, refundBody, type OrderSpec } from '../helpers/factories.ts';

const SECRET = 'reports-secret';
const PRODUCT = '632910392'; // the factories' product id of every line

/**
 * Rows of a CSV answer keyed by header. The reports' cells here hold no comma, quote or line break, which
 * this asserts instead of parsing RFC 4180 quoting.
 */
function csvRows(text: string): Record<string, string>[] {
  assert.doesNotMatch(text, /"/);
  return parseCsv(text);
}

const REPORTS = [
  'orders-over-time',
  'average-order-value-over-time',
  'customers-over-time',
  'recent-orders',
  'refunds',
  'cohorts',
  'rfm',
  'customer-lifetime-value',
];

/** An order body whose lines all belong to `productId`. */
const ofProduct = (json: string, productId: string) => json.replaceAll(PRODUCT, productId);

describe('analytics reports', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  /** A tenant of its own per test, so that figures do not mix. */
  const tenant = async (timezone = 'UTC') => {
    const shopDomain = `r${newId()}.myshopify.com`;
    const created = await app.createTenant({ shopDomain, timezone, webhookSecret: SECRET });
    const shop = {
      id: created.id,
      async send(topic: string, body: string) {
        const response = await app.deliver({ shopDomain, secret: SECRET, topic, body });
        assert.equal(response.statusCode, 200, response.body);
      },
      /** Delivers an order (orders/create, or orders/cancelled when it is cancelled); returns its ids. */
      async order(spec: OrderSpec, transform: (json: string) => string = (json) => json) {
        const body = orderBody(spec);
        await shop.send(spec.cancelledAt ? 'orders/cancelled' : 'orders/create', transform(body.json));
        return body;
      },
      async get(report: string, query: string) {
        const response = await app.api('GET', `/api/v1/tenants/${created.id}/analytics/${report}?${query}`);
        assert.equal(response.statusCode, 200, response.body);
        return response.json();
      },
      async csv(report: string, query: string): Promise<Record<string, string>[]> {
        const response = await app.api(
          'GET',
          `/api/v1/tenants/${created.id}/analytics/${report}?${query}&format=csv`,
        );
        assert.equal(response.statusCode, 200, response.body);
        assert.match(String(response.headers['content-type']), /^text\/csv/);
        return csvRows(response.body);
      },
    };
    return shop;
  };

  it('counts orders and units per store day across the DST change, with AOV and a comparison', async () => {
    const shop = await tenant('America/New_York');
    // 03:30Z on March 9 is 22:30 EST on March 8: 2 units, gross 20.00, discounts 2.00.
    await shop.order({
      processedAt: '2025-03-09T03:30:00Z',
      lines: [{ price: '10.00', quantity: 2, discount: '2.00' }],
    });
    // 03:30Z on March 10 is 23:30 EDT on March 9 (the clocks went forward that day): 1 unit of 30.00; the
    // gift card is neither a sale nor a unit.
    await shop.order({
      processedAt: '2025-03-10T03:30:00Z',
      lines: [
        { price: '30.00', quantity: 1 },
        { price: '50.00', quantity: 1, giftCard: true },
      ],
    });
    // Cancelled the next day: still an order of March 9 (3 units, gross 15.00).
    await shop.order({
      processedAt: '2025-03-09T16:00:00Z',
      cancelledAt: '2025-03-10T16:00:00Z',
      lines: [{ price: '5.00', quantity: 3 }],
    });
    await shop.order({ processedAt: '2025-03-09T16:00:00Z', test: true });
    // The previous period of March 8-10 is March 5-7: one order of 40.00.
    await shop.order({ processedAt: '2025-03-06T17:00:00Z', lines: [{ price: '40.00', quantity: 1 }] });
    await app.drain();

    const query = 'from=2025-03-08&to=2025-03-10&interval=day&compare=previous_period';
    const orders = await shop.get('orders-over-time', query);
    assert.deepEqual(
      orders.rows.map((r: { date: string; orders: number; unitsOrdered: number }) => [
        r.date,
        r.orders,
        r.unitsOrdered,
      ]),
      [
        ['2025-03-08', 1, 2],
        ['2025-03-09', 2, 4],
        ['2025-03-10', 0, 0],
      ],
    );
    assert.deepEqual(orders.totals, { orders: 3, unitsOrdered: 6, averageUnitsPerOrder: '2.00' });
    assert.deepEqual(orders.compare.range, {
      from: '2025-03-05',
      to: '2025-03-07',
      timezone: 'America/New_York',
    });
    assert.deepEqual(orders.compare.totals, { orders: 1, unitsOrdered: 1, averageUnitsPerOrder: '1.00' });
    assert.deepEqual(orders.compare.deltas.orders, { change: '2', percent: '200.0' });
    assert.deepEqual(orders.compare.deltas.unitsOrdered, { change: '5', percent: '500.0' });

    // AOV = (gross sales - discounts) / orders: March 8 (20 - 2) / 1, March 9 (30 + 15) / 2; range 63 / 3.
    const aov = await shop.get('average-order-value-over-time', query);
    assert.deepEqual(
      aov.rows.map((r: { date: string; averageOrderValue: string }) => [r.date, r.averageOrderValue]),
      [
        ['2025-03-08', '18.00'],
        ['2025-03-09', '22.50'],
        ['2025-03-10', '0.00'],
      ],
    );
    assert.deepEqual(aov.totals, {
      orders: 3,
      grossSales: '65.00',
      discounts: '2.00',
      averageOrderValue: '21.00',
    });
    assert.equal(aov.compare.totals.averageOrderValue, '40.00');
    assert.deepEqual(aov.compare.deltas.averageOrderValue, { change: '-19', percent: '-47.5' });

    // A week holds both days: ISO weeks start on Monday, March 3 and March 10.
    const weeks = await shop.get('orders-over-time', 'from=2025-03-01&to=2025-03-10&interval=week');
    assert.deepEqual(
      weeks.rows.map((r: { date: string; orders: number }) => [r.date, r.orders]),
      [
        ['2025-02-24', 0],
        ['2025-03-03', 4],
        ['2025-03-10', 0],
      ],
    );

    // CSV carries the same rows as JSON.
    const csv = await shop.csv('orders-over-time', query);
    assert.deepEqual(
      csv,
      orders.rows.map((r: { date: string; orders: number; unitsOrdered: number }) => ({
        date: r.date,
        orders: String(r.orders),
        units_ordered: String(r.unitsOrdered),
      })),
    );
    const aovCsv = await shop.csv('average-order-value-over-time', query);
    assert.deepEqual(
      aovCsv.map((r) => [r.date, r.average_order_value]),
      aov.rows.map((r: { date: string; averageOrderValue: string }) => [r.date, r.averageOrderValue]),
    );
  });

  it('lists recent orders newest first with their net sales to date and presentment total', async () => {
    const shop = await tenant('UTC');
    const customer = newId();
    const lineId = newId();
    const refunded = await shop.order({
      processedAt: '2025-05-01T10:00:00Z',
      customerId: customer,
      lines: [{ id: lineId, price: '60.00', quantity: 2, discount: '12.00' }],
    });
    await shop.send(
      'refunds/create',
      refundBody({
        orderId: refunded.id,
        processedAt: '2025-06-05T09:00:00Z',
        lines: [{ lineItemId: lineId, quantity: 1, subtotal: '54.00' }],
      }).json,
    );
    const cancelled = await shop.order({
      processedAt: '2025-05-02T10:00:00Z',
      cancelledAt: '2025-05-02T11:00:00Z',
      customerId: null,
    });
    const euro = await shop.order({ processedAt: '2025-05-03T10:00:00Z', customerId: customer }, (json) =>
      json
        .replace('"presentment_currency":"USD"', '"presentment_currency":"EUR"')
        .replace(
          '"test":false',
          '"test":false,"total_price":"100.00","total_price_set":{"shop_money":{"amount":"100.00",' +
            '"currency_code":"USD"},"presentment_money":{"amount":"92.15","currency_code":"EUR"}}',
        ),
    );
    await shop.order({ processedAt: '2025-05-04T10:00:00Z', test: true });
    await shop.order({ processedAt: '2025-05-09T10:00:00Z' }); // after the range
    await app.drain();

    const recent = await shop.get('recent-orders', 'from=2025-05-01&to=2025-05-07&limit=10');
    assert.deepEqual(
      recent.orders.map((o: { id: string; processedAt: string; netSales: string }) => [
        o.id,
        o.processedAt,
        o.netSales,
      ]),
      [
        [euro.id, '2025-05-03T10:00:00.000Z', '100.00'],
        // Cancelled without a refund: its whole sale is returned.
        [cancelled.id, '2025-05-02T10:00:00.000Z', '0.00'],
        // 120.00 - 12.00 discounts - 54.00 returned in June.
        [refunded.id, '2025-05-01T10:00:00.000Z', '54.00'],
      ],
    );
    const [first, second] = recent.orders;
    assert.deepEqual(
      [first.totalPrice, first.currency, first.presentmentCurrency, first.presentmentTotalPrice],
      ['100.00', 'USD', 'EUR', '92.15'],
    );
    assert.equal(first.customer.id, customer);
    assert.equal(first.financialStatus, 'paid');
    assert.equal(second.customer, null);
    assert.equal(second.cancelledAt, '2025-05-02T11:00:00.000Z');

    const limited = await shop.get('recent-orders', 'from=2025-05-01&to=2025-05-07&limit=1');
    assert.deepEqual(
      limited.orders.map((o: { id: string }) => o.id),
      [euro.id],
    );
    const csv = await shop.csv('recent-orders', 'from=2025-05-01&to=2025-05-07');
    assert.deepEqual(
      csv.map((r) => [r.id, r.customer_id, r.net_sales, r.presentment_total_price]),
      [
        [euro.id, customer, '100.00', '92.15'],
        // The factory's orders carry a total in the shop currency only, which is also the presentment total.
        [cancelled.id, '', '0.00', '100.00'],
        [refunded.id, customer, '54.00', '108.00'],
      ],
    );
  });

  it('splits customers into first-time and returning per month and gives the returning customer rate', async () => {
    const shop = await tenant('UTC');
    const [c1, c2, c3, c4, c5, c6] = [newId(), newId(), newId(), newId(), newId(), newId()];
    const at = (customerId: string | null, processedAt: string, extra: Partial<OrderSpec> = {}) =>
      shop.order({ customerId, processedAt: `${processedAt}T12:00:00Z`, ...extra });
    await at(c1, '2024-12-15'); // before the range
    await at(c1, '2025-01-10');
    await at(c1, '2025-01-20');
    await at(c2, '2025-01-05');
    await at(c2, '2025-02-03');
    await at(c3, '2025-02-10');
    await at(null, '2025-02-12'); // a guest: no customer to count
    await at(c4, '2025-03-01');
    await at(c4, '2025-03-15');
    await at(c5, '2025-01-02', { test: true }); // a test order is no first order
    await at(c5, '2025-03-20');
    const deleted = await at(c6, '2025-01-03');
    await shop.send('orders/delete', JSON.stringify({ id: Number(deleted.id) }));
    await at(c6, '2025-02-20');
    await app.drain();

    const report = await shop.get(
      'customers-over-time',
      'from=2025-01-01&to=2025-03-31&interval=month&compare=previous_period',
    );
    // January: c1 returning, c2 first-time. February: c2 returning, c3 and c6 first-time. March: c4 (twice)
    // and c5 first-time.
    assert.deepEqual(
      report.rows.map(
        (r: { date: string; customers: number; firstTimeCustomers: number; returningCustomers: number }) => [
          r.date,
          r.customers,
          r.firstTimeCustomers,
          r.returningCustomers,
        ],
      ),
      [
        ['2025-01-01', 2, 1, 1],
        ['2025-02-01', 3, 2, 1],
        ['2025-03-01', 2, 2, 0],
      ],
    );
    // Over the range: c1 (an order before), c2 and c4 (two orders in it) are returning; c3, c5, c6 are not.
    assert.deepEqual(report.totals, {
      customers: 6,
      firstTimeCustomers: 3,
      returningCustomers: 3,
      returningCustomerRate: '50.00',
    });
    // The previous 90 days (2024-10-03..2024-12-31) hold c1's first order only.
    assert.deepEqual(report.compare.range, { from: '2024-10-03', to: '2024-12-31', timezone: 'UTC' });
    assert.deepEqual(report.compare.totals, {
      customers: 1,
      firstTimeCustomers: 1,
      returningCustomers: 0,
      returningCustomerRate: '0.00',
    });
    assert.deepEqual(report.compare.deltas.customers, { change: '5', percent: '500.0' });
    assert.deepEqual(report.compare.deltas.returningCustomerRate, { change: '50', percent: null });

    const csv = await shop.csv('customers-over-time', 'from=2025-01-01&to=2025-03-31&interval=month');
    assert.deepEqual(
      csv.map((r) => [r.date, r.customers, r.first_time_customers, r.returning_customers]),
      [
        ['2025-01-01', '2', '1', '1'],
        ['2025-02-01', '3', '2', '1'],
        ['2025-03-01', '2', '2', '0'],
      ],
    );
  });

  it('reports refunds on their own dates with the refund rate and the most refunded products', async () => {
    const shop = await tenant('UTC');
    const [l1, l2, l3, l5] = [newId(), newId(), newId(), newId()];
    const o1 = await shop.order({
      processedAt: '2025-05-01T10:00:00Z',
      shipping: '10.00',
      lines: [{ id: l1, price: '60.00', quantity: 2, discount: '12.00', tax: '10.80' }],
    });
    const o2 = await shop.order(
      { processedAt: '2025-05-02T10:00:00Z', lines: [{ id: l2, price: '25.00', quantity: 1 }] },
      (json) => ofProduct(json, '5551'),
    );
    const o3 = await shop.order(
      { processedAt: '2025-04-20T10:00:00Z', lines: [{ id: l3, price: '25.00', quantity: 2, tax: '4.00' }] },
      (json) => ofProduct(json, '5551'),
    );
    await shop.order({ processedAt: '2025-05-03T10:00:00Z' });
    const o5 = await shop.order({
      processedAt: '2025-05-03T10:00:00Z',
      test: true,
      lines: [{ id: l5, price: '99.00', quantity: 1 }],
    });
    const refund = (
      orderId: string,
      processedAt: string,
      line: { lineItemId: string; quantity: number; subtotal: string; tax?: string },
      shipping?: string,
    ) => {
      const body = refundBody({ orderId, processedAt, lines: [line], ...(shipping && { shipping }) });
      return shop.send('refunds/create', body.json).then(() => body.id);
    };
    // R1, May 5: 54.00 returned + 10.00 shipping + 5.40 taxes + 2.50 duties (below) = 71.90.
    const r1 = await refund(
      o1.id,
      '2025-05-05T09:00:00Z',
      { lineItemId: l1, quantity: 1, subtotal: '54.00', tax: '5.40' },
      '10.00',
    );
    // R2, June 3: after the range, but its order (May 2) is a refunded order of the range.
    await refund(o2.id, '2025-06-03T09:00:00Z', { lineItemId: l2, quantity: 1, subtotal: '25.00' });
    // R3, May 3: an April order's refund counts on May 3: 50.00 + 4.00 taxes = 54.00.
    await refund(o3.id, '2025-05-03T09:00:00Z', {
      lineItemId: l3,
      quantity: 2,
      subtotal: '50.00',
      tax: '4.00',
    });
    // A test order's refund never counts.
    await refund(o5.id, '2025-05-04T09:00:00Z', { lineItemId: l5, quantity: 1, subtotal: '99.00' });
    await app.drain();
    // The factories' refunds carry no duties, so R1's are set in the table (as normalizing a refund with
    // duties would).
    await app.owner.query('UPDATE refunds SET refunded_duties = 2.50 WHERE tenant_id = $1 AND id = $2', [
      shop.id,
      r1,
    ]);

    const report = await shop.get('refunds', 'from=2025-05-01&to=2025-05-07&interval=day');
    assert.deepEqual(
      report.rows
        .filter((r: { refunds: number }) => r.refunds > 0)
        .map((r: { date: string; refunds: number; returns: string; amountRefunded: string }) => [
          r.date,
          r.refunds,
          r.returns,
          r.amountRefunded,
        ]),
      [
        ['2025-05-03', 1, '50.00', '54.00'],
        ['2025-05-05', 1, '54.00', '71.90'],
      ],
    );
    assert.equal(report.rows.length, 7);
    // Orders of the range: o1, o2 and the unrefunded one; o1 and o2 have refunds: 2 / 3.
    assert.deepEqual(report.totals, {
      refunds: 2,
      returns: '104.00',
      refundedShipping: '10.00',
      refundedTaxes: '9.40',
      refundedDuties: '2.50',
      amountRefunded: '125.90',
      orders: 3,
      refundedOrders: 2,
      refundRate: '66.67',
    });
    assert.deepEqual(report.products, [
      { productId: PRODUCT, title: 'Item', unitsRefunded: 1, amountRefunded: '54.00' },
      { productId: '5551', title: 'Item', unitsRefunded: 2, amountRefunded: '50.00' },
    ]);

    // June holds R2; the previous period of June 1-30 is May 2-31: R1 and R3, and o2 (refunded) and the
    // unrefunded order of May 3.
    const june = await shop.get(
      'refunds',
      'from=2025-06-01&to=2025-06-30&interval=month&compare=previous_period',
    );
    assert.deepEqual(
      [june.totals.refunds, june.totals.amountRefunded, june.totals.orders, june.totals.refundRate],
      [1, '25.00', 0, null],
    );
    assert.deepEqual(
      [june.compare.totals.amountRefunded, june.compare.totals.refundRate],
      ['125.90', '50.00'],
    );
    assert.deepEqual(june.compare.deltas.amountRefunded, { change: '-100.9', percent: '-80.1' });
    assert.deepEqual(june.compare.deltas.refundRate, { change: '-50', percent: '-100.0' });

    const csv = await shop.csv('refunds', 'from=2025-05-01&to=2025-05-07&interval=day');
    assert.deepEqual(
      csv,
      report.rows.map((r: Record<string, string | number>) => ({
        date: r.date,
        refunds: String(r.refunds),
        returns: r.returns,
        refunded_shipping: r.refundedShipping,
        refunded_taxes: r.refundedTaxes,
        refunded_duties: r.refundedDuties,
        amount_refunded: r.amountRefunded,
      })),
    );
  });

  it('follows monthly acquisition cohorts and their lifetime value', async () => {
    const shop = await tenant('UTC');
    const [c1, c2, c3, c4] = [newId(), newId(), newId(), newId()];
    const at = (customerId: string, processedAt: string, price: string, lineId?: string) =>
      shop.order({
        customerId,
        processedAt: `${processedAt}T12:00:00Z`,
        lines: [{ price, quantity: 1, ...(lineId && { id: lineId }) }],
      });
    await at(c1, '2025-01-10', '50.00');
    await at(c1, '2025-01-25', '30.00');
    await at(c1, '2025-03-05', '20.00');
    const c2Line = newId();
    const c2First = await at(c2, '2025-01-15', '100.00', c2Line);
    await shop.send(
      'refunds/create',
      refundBody({
        orderId: c2First.id,
        processedAt: '2025-02-10T12:00:00Z',
        lines: [{ lineItemId: c2Line, quantity: 1, subtotal: '40.00' }],
      }).json,
    );
    await at(c3, '2025-02-05', '10.00');
    await at(c3, '2025-04-02', '70.00'); // after `to`
    await at(c4, '2024-12-20', '5.00'); // acquired before the range
    await at(c4, '2025-01-20', '5.00');
    await app.drain();

    const report = await shop.get('cohorts', 'from=2025-01-01&to=2025-03-31&months=4');
    // January cohort (c1, c2): month 0 c1 orders again, net 50 + 30 + 100; month 1 c2's refund -40.00;
    // month 2 c1 orders again, net 20.00; month 3 (April) is after `to`. February cohort (c3): no repeat.
    assert.deepEqual(report.cohorts, [
      {
        cohort: '2025-01',
        customers: 2,
        months: [
          { month: 0, returningCustomers: 1, retention: '50.00', netSales: '180.00' },
          { month: 1, returningCustomers: 0, retention: '0.00', netSales: '-40.00' },
          { month: 2, returningCustomers: 1, retention: '50.00', netSales: '20.00' },
          { month: 3, returningCustomers: null, retention: null, netSales: null },
        ],
      },
      {
        cohort: '2025-02',
        customers: 1,
        months: [
          { month: 0, returningCustomers: 0, retention: '0.00', netSales: '10.00' },
          { month: 1, returningCustomers: 0, retention: '0.00', netSales: '0.00' },
          { month: 2, returningCustomers: null, retention: null, netSales: null },
          { month: 3, returningCustomers: null, retention: null, netSales: null },
        ],
      },
    ]);
    const csv = await shop.csv('cohorts', 'from=2025-01-01&to=2025-03-31&months=4');
    assert.equal(csv.length, 8);
    assert.deepEqual(csv[1], {
      cohort: '2025-01',
      cohort_customers: '2',
      month: '1',
      returning_customers: '0',
      retention: '0.00',
      net_sales: '-40.00',
    });

    // Lifetime value to March 31 of the customers acquired in Q1: c1 3 orders 100.00, c2 1 order 60.00, c3
    // 1 order 10.00 (its April order is later).
    const value = await shop.get('customer-lifetime-value', 'from=2025-01-01&to=2025-03-31');
    assert.deepEqual(
      [value.customers, value.orders, value.netSales, value.averageOrders, value.averageLifetimeValue],
      [3, 5, '170.00', '1.67', '56.67'],
    );
    assert.deepEqual(value.cohorts, [
      {
        cohort: '2025-01',
        customers: 2,
        orders: 4,
        netSales: '160.00',
        averageOrders: '2.00',
        averageLifetimeValue: '80.00',
      },
      {
        cohort: '2025-02',
        customers: 1,
        orders: 1,
        netSales: '10.00',
        averageOrders: '1.00',
        averageLifetimeValue: '10.00',
      },
    ]);
    const april = await shop.get('customer-lifetime-value', 'from=2025-01-01&to=2025-04-30');
    assert.deepEqual([april.orders, april.netSales], [6, '240.00']);
    const csvValue = await shop.csv('customer-lifetime-value', 'from=2025-01-01&to=2025-03-31');
    assert.deepEqual(
      csvValue.map((r) => [
        r.cohort,
        r.customers,
        r.orders,
        r.net_sales,
        r.average_orders,
        r.average_lifetime_value,
      ]),
      [
        ['2025-01', '2', '4', '160.00', '2.00', '80.00'],
        ['2025-02', '1', '1', '10.00', '1.00', '10.00'],
      ],
    );
  });

  it('scores customers by recency, frequency and net sales as of `to`, with segments and pages', async () => {
    const shop = await tenant('UTC');
    const [k1, k2, k3, k4, k5] = [newId(), newId(), newId(), newId(), newId()];
    const at = (customerId: string, processedAt: string, price: string) =>
      shop.order({ customerId, processedAt: `${processedAt}T12:00:00Z`, lines: [{ price, quantity: 1 }] });
    for (const day of ['2025-06-10', '2025-06-20', '2025-06-29']) await at(k1, day, '100.00');
    await at(k2, '2025-06-28', '20.00');
    const k3Line = newId();
    await at(k3, '2025-05-01', '150.00');
    const k3Second = await shop.order({
      customerId: k3,
      processedAt: '2025-05-15T12:00:00Z',
      lines: [{ id: k3Line, price: '100.00', quantity: 1 }],
    });
    await shop.send(
      'refunds/create',
      refundBody({
        orderId: k3Second.id,
        processedAt: '2025-05-20T12:00:00Z',
        lines: [{ lineItemId: k3Line, quantity: 1, subtotal: '50.00' }],
      }).json,
    );
    for (const day of ['2025-01-10', '2025-02-10', '2025-03-10', '2025-04-10']) await at(k4, day, '100.00');
    await at(k5, '2025-01-05', '10.00');
    await at(k5, '2025-07-05', '999.00'); // after `to`
    await app.drain();

    // Recency (days to June 30): k1 1, k2 2, k3 46, k4 81, k5 176 -> R 5, 4, 3, 2, 1.
    // Orders: k1 3, k2 1, k3 2, k4 4, k5 1 -> ranks k2 = k5 = 1, k3 3, k1 4, k4 5 -> F 4, 1, 3, 5, 1.
    // Net sales: k1 300, k2 20, k3 200 (250 - 50 returned), k4 400, k5 10 -> M 4, 2, 3, 5, 1.
    // FM = round((F + M) / 2): k1 4, k2 2, k3 3, k4 5, k5 1.
    const report = await shop.get('rfm', 'to=2025-06-30');
    assert.equal(report.customersScored, 5);
    assert.deepEqual(
      report.customers.map(
        (c: {
          customerId: string;
          recencyDays: number;
          orders: number;
          netSales: string;
          recencyScore: number;
          frequencyScore: number;
          monetaryScore: number;
          segment: string;
        }) => [
          c.customerId,
          c.recencyDays,
          c.orders,
          c.netSales,
          c.recencyScore,
          c.frequencyScore,
          c.monetaryScore,
          c.segment,
        ],
      ),
      [
        [k1, 1, 3, '300.00', 5, 4, 4, 'champions'],
        [k2, 2, 1, '20.00', 4, 1, 2, 'promising'],
        [k3, 46, 2, '200.00', 3, 3, 3, 'needs_attention'],
        [k4, 81, 4, '400.00', 2, 5, 5, 'previously_loyal'],
        [k5, 176, 1, '10.00', 1, 1, 1, 'dormant'],
      ],
    );
    assert.equal(report.customers[0].lastOrderAt, '2025-06-29T12:00:00.000Z');
    assert.equal(report.nextCursor, null);
    const counts = Object.fromEntries(
      report.segments.map((s: { segment: string; customers: number }) => [s.segment, s.customers]),
    );
    assert.deepEqual(counts, {
      champions: 1,
      loyal: 0,
      active: 0,
      promising: 1,
      new: 0,
      needs_attention: 1,
      at_risk: 0,
      previously_loyal: 1,
      almost_lost: 0,
      dormant: 1,
    });

    const champions = await shop.get('rfm', 'to=2025-06-30&segment=champions');
    assert.deepEqual(
      champions.customers.map((c: { customerId: string }) => c.customerId),
      [k1],
    );
    const page1 = await shop.get('rfm', 'to=2025-06-30&limit=2');
    assert.deepEqual(
      page1.customers.map((c: { customerId: string }) => c.customerId),
      [k1, k2],
    );
    assert.equal(page1.nextCursor, k2);
    const page3 = await shop.get('rfm', `to=2025-06-30&limit=2&after=${k4}`);
    assert.deepEqual(
      [page3.customers.map((c: { customerId: string }) => c.customerId), page3.nextCursor],
      [[k5], null],
    );
    const csv = await shop.csv('rfm', 'to=2025-06-30&segment=dormant');
    assert.deepEqual(
      csv.map((r) => [r.customer_id, r.recency_score, r.frequency_score, r.monetary_score, r.segment]),
      [[k5, '1', '1', '1', 'dormant']],
    );
  });

  it('counts a customer with two orders at the same first instant as first-time in its bucket and returning', async () => {
    const shop = await tenant('UTC');
    const [twice, once] = [newId(), newId()];
    // Two first orders at the same instant: the first order is in the bucket (first-time there), and the
    // customer has placed more than one order (returning over the range).
    await shop.order({ customerId: twice, processedAt: '2025-04-02T09:00:00Z' });
    await shop.order({ customerId: twice, processedAt: '2025-04-02T09:00:00Z' });
    await shop.order({ customerId: once, processedAt: '2025-04-03T09:00:00Z' });
    await app.drain();
    const report = await shop.get('customers-over-time', 'from=2025-04-01&to=2025-04-30&interval=month');
    assert.deepEqual(
      report.rows.map((r: { date: string; customers: number; firstTimeCustomers: number }) => [
        r.date,
        r.customers,
        r.firstTimeCustomers,
      ]),
      [['2025-04-01', 2, 2]],
    );
    assert.deepEqual(report.totals, {
      customers: 2,
      firstTimeCustomers: 1,
      returningCustomers: 1,
      returningCustomerRate: '50.00',
    });
  });

  it('puts customers in the month and on the day of the store, not of UTC', async () => {
    const shop = await tenant('America/New_York');
    const customer = newId();
    // 03:00Z on February 1 is 22:00 EST on January 31: a January customer. 03:30Z on March 10 is 23:30
    // EDT on March 9, the day the clocks went forward.
    await shop.order({ customerId: customer, processedAt: '2025-02-01T03:00:00Z' });
    await shop.order({ customerId: customer, processedAt: '2025-03-10T03:30:00Z' });
    await app.drain();
    const months = await shop.get('customers-over-time', 'from=2025-01-01&to=2025-03-31&interval=month');
    assert.deepEqual(
      months.rows.map((r: { date: string; firstTimeCustomers: number; returningCustomers: number }) => [
        r.date,
        r.firstTimeCustomers,
        r.returningCustomers,
      ]),
      [
        ['2025-01-01', 1, 0],
        ['2025-02-01', 0, 0],
        ['2025-03-01', 0, 1],
      ],
    );
    const cohorts = await shop.get('cohorts', 'from=2025-01-01&to=2025-03-31&months=3');
    assert.deepEqual(
      cohorts.cohorts.map((c: { cohort: string; months: { returningCustomers: number }[] }) => [
        c.cohort,
        c.months.map((m) => m.returningCustomers),
      ]),
      [['2025-01', [0, 0, 1]]],
    );
    // As of March 9 (store day) the last order is that day: 0 days ago; as of March 8 it is January 31.
    const rfm = await shop.get('rfm', 'to=2025-03-09');
    assert.deepEqual([rfm.customers[0].recencyDays, rfm.customers[0].orders], [0, 2]);
    const earlier = await shop.get('rfm', 'to=2025-03-08');
    assert.deepEqual([earlier.customers[0].recencyDays, earlier.customers[0].orders], [36, 1]);
  });

  it("never counts another tenant's orders, even with the same order and customer ids", async () => {
    const a = await tenant('UTC');
    const b = await tenant('UTC');
    const customer = newId();
    const [first, second, line] = [newId(), newId(), newId()];
    const feed = async (shop: Awaited<ReturnType<typeof tenant>>, price: string) => {
      await shop.order({
        id: first,
        customerId: customer,
        processedAt: '2025-08-01T12:00:00Z',
        lines: [{ id: line, price, quantity: 1 }],
      });
      await shop.order({
        id: second,
        customerId: customer,
        processedAt: '2025-08-20T12:00:00Z',
        lines: [{ price, quantity: 2 }],
      });
      await shop.send(
        'refunds/create',
        refundBody({
          orderId: first,
          processedAt: '2025-08-05T12:00:00Z',
          lines: [{ lineItemId: line, quantity: 1, subtotal: price }],
        }).json,
      );
    };
    await feed(a, '10.00');
    await app.drain();
    const reports = [
      ['orders-over-time', 'from=2025-08-01&to=2025-08-31&interval=week'],
      ['average-order-value-over-time', 'from=2025-08-01&to=2025-08-31&interval=month'],
      ['customers-over-time', 'from=2025-08-01&to=2025-08-31&interval=month'],
      ['recent-orders', 'from=2025-08-01&to=2025-08-31'],
      ['refunds', 'from=2025-08-01&to=2025-08-31&interval=month'],
      ['cohorts', 'from=2025-08-01&to=2025-08-31&months=2'],
      ['rfm', 'to=2025-08-31'],
      ['customer-lifetime-value', 'from=2025-08-01&to=2025-08-31'],
    ] as const;
    const before = await Promise.all(reports.map(([report, query]) => a.get(report, query)));
    // Tenant A's own figures: 2 orders (3 units), 30.00 net of gross minus the 10.00 refund.
    assert.equal(before[0].totals.unitsOrdered, 3);
    assert.equal(before[7].netSales, '20.00');
    await feed(b, '70.00');
    await app.drain();
    const afterB = await Promise.all(reports.map(([report, query]) => a.get(report, query)));
    assert.deepEqual(afterB, before);
    const bValue = await b.get('customer-lifetime-value', 'from=2025-08-01&to=2025-08-31');
    assert.equal(bValue.netSales, '140.00');
  });

  it('answers bad input with a 4xx and a machine-readable code', async () => {
    const shop = await tenant('UTC');
    const base = `/api/v1/tenants/${shop.id}/analytics`;
    const cases: [string, number, string][] = [
      [`${base}/orders-over-time?interval=hour`, 400, 'invalid_request'],
      [`${base}/orders-over-time?compare=last_week`, 400, 'invalid_request'],
      [`${base}/average-order-value-over-time?from=2025-03-02&to=2025-03-01`, 400, 'invalid_range'],
      [`${base}/customers-over-time?from=2025-02-30`, 400, 'invalid_range'],
      [`${base}/customers-over-time?from=2000-01-01&to=2025-01-01&interval=day`, 400, 'invalid_range'],
      [`${base}/recent-orders?limit=0`, 400, 'invalid_request'],
      [`${base}/refunds?format=xml`, 400, 'invalid_request'],
      [`${base}/cohorts?months=25`, 400, 'invalid_request'],
      [`${base}/rfm?segment=whales`, 400, 'invalid_request'],
      [`${base}/rfm?after=abc`, 400, 'invalid_request'],
      [`${base}/rfm?after=9223372036854775808`, 400, 'invalid_request'],
      [`/api/v1/tenants/00000000-0000-4000-8000-000000000000/analytics/rfm`, 404, 'tenant_not_found'],
    ];
    for (const [url, status, code] of cases) {
      const response = await app.api('GET', url);
      assert.equal(response.statusCode, status, `${url}: ${response.body}`);
      assert.equal(response.json().error.code, code, url);
    }
    for (const report of REPORTS) {
      const anonymous = await app.server!.inject({ method: 'GET', url: `${base}/${report}?format=csv` });
      assert.equal(anonymous.statusCode, 401, report);
      assert.equal(anonymous.json().error.code, 'unauthorized', report);
    }
  });
});
