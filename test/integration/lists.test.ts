/**
 * The data lists (orders, customers, products, checkouts) and their detail views on a real database:
 * keyset pagination without gaps or duplicates under every sort (ties and null keys included), filters,
 * details, tenant isolation, CSV exports equal to the JSON rows, and a 20,000-row streamed export.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCsvRecords } from '../helpers/csv.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { insertCheckout } from '../helpers/checkouts.ts';
import { customerBody, newId, orderBody, productBody, refundBody } from '../helpers/factories.ts';
import { CHECKOUT_SORTS } from '../../src/data/checkouts.ts';
import { CUSTOMER_SORTS } from '../../src/data/customers.ts';
import { ORDER_SORTS } from '../../src/data/orders.ts';
import { PRODUCT_LIST_SORTS } from '../../src/data/products.ts';

const SECRET = 'lists-secret';
type Row = Record<string, unknown> & { id: string };

describe('data lists', () => {
  let app: TestApp;
  let a: string;
  let b: string;
  const shopA = `la${newId()}.myshopify.com`;
  const shopB = `lb${newId()}.myshopify.com`;
  const o: Record<string, string> = {};
  const c: Record<string, string> = {};
  const p: Record<string, string> = {};
  const k: Record<string, string> = {};
  const other: Record<string, string> = {};

  const send = async (shopDomain: string, topic: string, body: string) => {
    const response = await app.deliver({ shopDomain, secret: SECRET, topic, body });
    assert.equal(response.statusCode, 200, response.body);
  };
  const get = (tenantId: string, path: string, headers: Record<string, string> = {}) =>
    app.server!.inject({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/${path}`,
      headers: { authorization: `Bearer ${app.token}`, ...headers },
    });
  const json = async (path: string) => {
    const response = await get(a, path);
    assert.equal(response.statusCode, 200, `${path}: ${response.body}`);
    return response.json<{ rows: Row[]; nextCursor: string | null }>();
  };
  const ids = async (path: string) => (await json(path)).rows.map((row) => row.id);
  /** Every row, following `nextCursor` with pages of `limit`. */
  const walk = async (list: string, query: string, limit: number) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      const page = await json(
        `${list}?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.nextCursor;
      if (!cursor) return seen;
      assert.equal(page.rows.length, limit);
    }
    throw new Error('too many pages');
  };

  before(async () => {
    app = await startTestApp();
    a = (await app.createTenant({ shopDomain: shopA, timezone: 'America/New_York', webhookSecret: SECRET }))
      .id;
    b = (await app.createTenant({ shopDomain: shopB, timezone: 'UTC', webhookSecret: SECRET })).id;
    c.ada = newId();
    c.bob = newId();
    c.cy = newId();
    const line = (price: string) => [{ price, quantity: 1 }];
    const orders: [string, Parameters<typeof orderBody>[0]][] = [
      [
        'o1',
        {
          processedAt: '2025-04-01T12:00:00Z',
          customerId: c.ada,
          lines: line('100.00'),
          orderNumber: 1001,
          lineTitle: 'Red shirt',
          lineSku: 'RED-1',
        },
      ],
      [
        'o2',
        { processedAt: '2025-04-01T12:00:00Z', customerId: c.ada, lines: line('100.00'), orderNumber: 1001 },
      ],
      [
        'o3',
        {
          processedAt: '2025-04-01T12:00:00Z',
          customerId: c.bob,
          lines: line('50.00'),
          orderNumber: 1002,
          financialStatus: 'pending',
          fulfillmentStatus: 'fulfilled',
        },
      ],
      // 03:00Z on April 2 is 23:00 on April 1 in New York. Cancelled without refunds.
      [
        'o4',
        {
          processedAt: '2025-04-02T03:00:00Z',
          customerId: c.bob,
          lines: line('75.00'),
          cancelledAt: '2025-04-03T12:00:00Z',
        },
      ],
      [
        'o5',
        {
          processedAt: '2025-04-03T12:00:00Z',
          customerId: null,
          email: null,
          lines: line('100.00'),
          financialStatus: 'refunded',
        },
      ],
      ['o6', { processedAt: '2025-04-02T12:00:00Z', customerId: c.ada, lines: line('10.00'), test: true }],
      ['o7', { processedAt: '2025-04-02T12:00:00Z', customerId: c.ada, lines: line('999.00') }],
      [
        'o8',
        {
          processedAt: '2025-04-05T12:00:00Z',
          customerId: c.cy,
          lines: line('100.00'),
          fulfillmentStatus: 'partial',
        },
      ],
    ];
    k.done = newId();
    for (const [label, spec] of orders) {
      const body = orderBody({ ...spec, ...(label === 'o8' && { checkoutId: k.done }) });
      o[label] = body.id;
      if (label === 'o5') o.o5line = body.lineIds[0]!;
      await send(shopA, 'orders/create', body.json);
    }
    const refund = refundBody({
      orderId: o.o5!,
      processedAt: '2025-04-04T12:00:00Z',
      lines: [{ lineItemId: o.o5line!, quantity: 1, subtotal: '100.00' }],
    });
    o.refund = refund.id;
    await send(shopA, 'refunds/create', refund.json);
    for (const label of ['casey1', 'casey2', 'gone']) {
      const body = customerBody({ firstName: 'Casey' });
      c[label] = body.id;
      await send(shopA, 'customers/create', body.json);
    }
    const products: [string, Parameters<typeof productBody>[0]][] = [
      ['shirt1', { id: '632910392', title: 'Shirt', vendor: 'Acme', createdAt: '2025-02-01T00:00:00Z' }],
      ['shirt2', { title: 'Shirt', vendor: 'acme', createdAt: '2025-02-01T00:00:00Z' }],
      ['hat', { title: 'Hat', vendor: 'Other', status: 'draft', createdAt: '2025-03-01T12:00:00Z' }],
      ['gone', { title: 'Gone' }],
    ];
    for (const [label, spec] of products) {
      const body = productBody({ variantIds: [newId(), newId()], ...spec });
      p[label] = body.id;
      p[`${label}Sku`] = `SKU-${body.variantIds[0]}`;
      await send(shopA, 'products/create', body.json);
    }
    // Tenant B's objects, for isolation.
    const bOrder = orderBody({ customerId: newId() });
    other.order = bOrder.id;
    await send(shopB, 'orders/create', bOrder.json);
    const bProduct = productBody();
    other.product = bProduct.id;
    await send(shopB, 'products/create', bProduct.json);
    await app.drain();
    other.customer = (
      await app.owner.query<{ id: string }>('SELECT id::text AS id FROM customers WHERE tenant_id = $1', [b])
    )[0]!.id;
    other.checkout = (await insertCheckout(app.owner, b, { createdAt: '2025-04-01T00:00:00Z' })).id;

    await app.owner.query('UPDATE orders SET deleted_at = now() WHERE tenant_id = $1 AND id = $2::bigint', [
      a,
      o.o7,
    ]);
    await app.owner.query(
      'UPDATE customers SET deleted_at = now() WHERE tenant_id = $1 AND id = $2::bigint',
      [a, c.gone],
    );
    await app.owner.query('UPDATE products SET deleted_at = now() WHERE tenant_id = $1 AND id = $2::bigint', [
      a,
      p.gone,
    ]);
    // o8 at 12:00Z is 30 minutes after its checkout's activity: completed.
    await insertCheckout(app.owner, a, {
      id: k.done,
      createdAt: '2025-04-05T11:30:00Z',
      totalPrice: '100.00',
    });
    k.left = (
      await insertCheckout(app.owner, a, {
        createdAt: '2025-04-04T10:00:00Z',
        email: 'shopper@example.com',
        totalPrice: '100.00',
        lineItems: [
          { title: 'Shirt', sku: 'RED-1', quantity: 2, price: '30.00' },
          { title: 'Hat', quantity: 1, price: '40.00' },
        ],
      })
    ).id;
    k.tie = (
      await insertCheckout(app.owner, a, { createdAt: '2025-04-04T10:00:00Z', activityAt: null, email: null })
    ).id;
    k.gone = (
      await insertCheckout(app.owner, a, {
        createdAt: '2025-04-04T10:00:00Z',
        deletedAt: '2025-04-04T11:00:00Z',
      })
    ).id;
  });
  after(() => app.close());

  const visible = {
    orders: () => [o.o1, o.o2, o.o3, o.o4, o.o5, o.o8],
    customers: () => [c.ada, c.bob, c.cy, c.casey1, c.casey2],
    products: () => [p.shirt1, p.shirt2, p.hat],
    checkouts: () => [k.done, k.left, k.tie],
  };
  const sorts = {
    orders: ORDER_SORTS,
    customers: CUSTOMER_SORTS,
    products: PRODUCT_LIST_SORTS,
    checkouts: CHECKOUT_SORTS,
  };

  for (const list of Object.keys(sorts) as (keyof typeof sorts)[]) {
    it(`${list}: pages through every sort and direction without gaps or duplicates`, async () => {
      for (const sort of Object.keys(sorts[list])) {
        for (const direction of ['asc', 'desc']) {
          const query = `sort=${sort}:${direction}`;
          const whole = await ids(`${list}?${query}&limit=250`);
          assert.deepEqual([...whole].sort(), [...visible[list]()].sort(), `${list} ${query}`);
          for (const limit of [1, 2]) {
            assert.deepEqual(await walk(list, query, limit), whole, `${list} ${query} limit ${limit}`);
          }
        }
      }
    });
  }

  it('orders ties on the sort key by id, and null keys last in both directions', async () => {
    const byId = (x: string, y: string) => (BigInt(x) < BigInt(y) ? -1 : 1);
    // o1, o2 share processed_at and order number; o4, o5, o8 have no order number.
    const desc = await ids('orders?sort=order_number:desc');
    assert.deepEqual(desc, [
      o.o3,
      ...[o.o1!, o.o2!].sort(byId).reverse(),
      ...[o.o4!, o.o5!, o.o8!].sort(byId).reverse(),
    ]);
    const asc = await ids('orders?sort=order_number:asc');
    assert.deepEqual(asc, [...[o.o1!, o.o2!].sort(byId), o.o3, ...[o.o4!, o.o5!, o.o8!].sort(byId)]);
    const byDate = await ids('orders');
    assert.deepEqual(byDate, [o.o8, o.o5, o.o4, ...[o.o1!, o.o2!, o.o3!].sort(byId).reverse()]);
    const byTotal = await ids('orders?sort=total_price');
    assert.deepEqual(byTotal.slice(-2), [o.o4, o.o3]);
  });

  it('filters orders', async () => {
    const same = (actual: string[], expected: (string | undefined)[], what = '') =>
      assert.deepEqual([...actual].sort(), [...expected].sort(), what);
    same(
      await ids('orders?from=2025-04-01&to=2025-04-01'),
      [o.o1, o.o2, o.o3, o.o4],
      'orders?from=2025-04-01&to=2025-04-01',
    );
    same(await ids('orders?from=2025-04-02'), [o.o5, o.o8], 'orders?from=2025-04-02');
    same(await ids('orders?q=red'), [o.o1], 'orders?q=red');
    same(await ids('orders?q=RED-1'), [o.o1], 'orders?q=RED-1');
    same(await ids('orders?q=%25'), [], 'orders?q=%25');
    same(await ids('orders?financial_status=pending'), [o.o3], 'orders?financial_status=pending');
    same(
      await ids('orders?fulfillment_status=unfulfilled'),
      [o.o1, o.o2, o.o4, o.o5],
      'orders?fulfillment_status=unfulfilled',
    );
    same(await ids('orders?fulfillment_status=partial'), [o.o8], 'orders?fulfillment_status=partial');
    same(await ids('orders?cancelled=true'), [o.o4], 'orders?cancelled=true');
    same(
      await ids('orders?cancelled=false&customer_id=' + c.bob),
      [o.o3],
      'orders?cancelled=false&customer_id=' + c.bob,
    );
    same(await ids('orders?include_test=true'), [...visible.orders(), o.o6], 'orders?include_test=true');
    const bad = await get(a, 'orders?from=2025-04-03&to=2025-04-01');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'invalid_range');
    assert.equal((await get(a, 'orders?from=2025-02-30')).statusCode, 400);
    for (const path of ['orders?q=%00', 'products?vendor=a%00', 'customers?q=' + 'x'.repeat(201)]) {
      assert.equal((await get(a, path)).json().error.code, 'invalid_request', path);
    }
  });

  it('filters customers, products and checkouts', async () => {
    const same = (actual: string[], expected: (string | undefined)[], what = '') =>
      assert.deepEqual([...actual].sort(), [...expected].sort(), what);
    same(await ids('customers?returning=true'), [c.ada, c.bob], 'customers?returning=true');
    same(await ids('customers?returning=false'), [c.cy, c.casey1, c.casey2], 'customers?returning=false');
    same(await ids('customers?q=casey'), [c.casey1, c.casey2], 'customers?q=casey');
    same(await ids(`customers?q=c${c.casey1}@`), [c.casey1], `customers?q=c${c.casey1}@`);
    same(await ids('products?vendor=ACME'), [p.shirt1, p.shirt2], 'products?vendor=ACME');
    same(await ids('products?status=draft'), [p.hat], 'products?status=draft');
    same(await ids(`products?q=${p.shirt2Sku}`), [p.shirt2], `products?q=${p.shirt2Sku}`);
    same(await ids('products?from=2025-03-01'), [p.hat], 'products?from=2025-03-01');
    same(await ids('checkouts?status=abandoned'), [k.left, k.tie], 'checkouts?status=abandoned');
    same(await ids('checkouts?status=completed'), [k.done], 'checkouts?status=completed');
    same(await ids('checkouts?q=shopper'), [k.left], 'checkouts?q=shopper');
    same(await ids('checkouts?from=2025-04-05'), [k.done], 'checkouts?from=2025-04-05');
  });

  it('shows an order with its line items, refunds, checkout and customer', async () => {
    const refunded = (await get(a, `orders/${o.o5}`)).json();
    assert.equal(refunded.id, o.o5);
    assert.equal(refunded.totalPrice, '100.00');
    assert.equal(refunded.customer, null);
    assert.equal(refunded.checkout, null);
    assert.deepEqual(
      refunded.lineItems.map((l: Row) => [l.id, l.quantity, l.price]),
      [[o.o5line, 1, '100.00']],
    );
    assert.equal(refunded.refunds.length, 1);
    assert.equal(refunded.refunds[0].id, o.refund);
    assert.equal(refunded.refunds[0].returns, '100.00');
    assert.deepEqual(
      refunded.refunds[0].lineItems.map((l: Row) => [l.lineItemId, l.quantity, l.subtotal]),
      [[o.o5line, 1, '100.00']],
    );
    const withCheckout = (await get(a, `orders/${o.o8}`)).json();
    assert.deepEqual([withCheckout.checkout.id, withCheckout.checkout.status], [k.done, 'completed']);
    assert.deepEqual([withCheckout.customer.id, withCheckout.customer.firstName], [c.cy, 'Ada']);
  });

  it('shows a customer with their statistics and recent orders', async () => {
    const bob = (await get(a, `customers/${c.bob}`)).json();
    // o3 (50.00) and o4 (75.00, cancelled without refunds: returned whole).
    assert.equal(bob.orders, 2);
    assert.equal(bob.netSales, '50.00');
    assert.equal(bob.returning, true);
    assert.equal(bob.firstOrderAt, '2025-04-01T12:00:00.000Z');
    assert.equal(bob.lastOrderAt, '2025-04-02T03:00:00.000Z');
    assert.deepEqual(
      bob.recentOrders.map((row: Row) => row.id),
      [o.o4, o.o3],
    );
    // Ada: o1 + o2; the test order and the deleted order do not count.
    const ada = (await get(a, `customers/${c.ada}`)).json();
    assert.deepEqual([ada.orders, ada.netSales], [2, '200.00']);
    // The list carries the same statistics whether it sorts on them or not.
    const strip = ({ recentOrders: _, ...row }: Row) => row;
    for (const query of ['sort=name', 'sort=net_sales', 'returning=true']) {
      const listed = (await json(`customers?${query}`)).rows.find((row) => row.id === c.bob);
      assert.deepEqual(listed, strip(bob), query);
    }
    const casey = (await get(a, `customers/${c.casey1}`)).json();
    assert.deepEqual(
      [casey.orders, casey.netSales, casey.lastOrderAt, casey.recentOrders],
      [0, '0.00', null, []],
    );
  });

  it('shows a product with its variants and its sales in a range', async () => {
    const shirt = (await get(a, `products/${p.shirt1}?from=2025-04-01&to=2025-04-05`)).json();
    assert.equal(shirt.variants.length, 2);
    assert.equal(shirt.variantsCount, 2);
    // Sold o1 100, o2 100, o3 50, o4 75, o5 100, o8 100 = 525 for 6 units; returns: o4 cancelled (75) and
    // o5 refunded (100); the test order and the deleted order are out. Net 350.00 for 4 units.
    assert.deepEqual(shirt.sales, {
      range: { from: '2025-04-01', to: '2025-04-05', timezone: 'America/New_York' },
      unitsSold: 4,
      grossSales: '525.00',
      discounts: '0.00',
      returns: '175.00',
      netSales: '350.00',
    });
  });

  it('shows a checkout with its line items and status', async () => {
    const left = (await get(a, `checkouts/${k.left}`)).json();
    assert.equal(left.status, 'abandoned');
    assert.equal(left.orderId, null);
    assert.deepEqual(
      left.lineItems.map((l: Row) => [l.title, l.sku, l.quantity, l.price, l.linePrice]),
      [
        ['Shirt', 'RED-1', 2, '30.00', '60.00'],
        ['Hat', null, 1, '40.00', '40.00'],
      ],
    );
    const done = (await get(a, `checkouts/${k.done}`)).json();
    assert.deepEqual([done.status, done.orderId], ['completed', o.o8]);
  });

  it("answers 404 for another tenant's, unknown or deleted ids and 400 for a malformed id", async () => {
    for (const path of [
      `orders/${other.order}`,
      `customers/${other.customer}`,
      `products/${other.product}`,
      `checkouts/${other.checkout}`,
      `orders/${o.o7}`,
      `customers/${c.gone}`,
      `products/${p.gone}`,
      `checkouts/${k.gone}`,
      'orders/123',
    ]) {
      const response = await get(a, path);
      assert.equal(response.statusCode, 404, path);
      assert.equal(response.json().error.code, 'not_found');
    }
    // B's own ids are there for B.
    assert.equal((await get(b, `orders/${other.order}`)).statusCode, 200);
    for (const path of ['orders/abc', 'customers/-1', 'products/99999999999999999999', 'checkouts/1e5']) {
      const response = await get(a, path);
      assert.equal(response.statusCode, 400, path);
      assert.equal(response.json().error.code, 'invalid_id');
    }
  });

  it('refuses tampered cursors and unknown sorts', async () => {
    const first = await json('orders?limit=1');
    const cursor = first.nextCursor!;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      'not a cursor',
      cursor.slice(0, -3),
      forge({}),
      forge(['total_price:desc', decoded[1], decoded[2]]),
      forge([decoded[0], decoded[1], 'x1']),
      forge([decoded[0], 'yesterday-ish', decoded[2]]),
      forge([decoded[0], decoded[1], '99999999999999999999']),
    ]) {
      const response = await get(a, `orders?limit=1&cursor=${encodeURIComponent(bad)}`);
      assert.equal(response.statusCode, 400, bad);
      assert.equal(response.json().error.code, 'invalid_cursor');
    }
    // A cursor made for one sort is refused under another.
    const other = await get(a, `orders?sort=total_price&cursor=${cursor}`);
    assert.equal(other.json().error.code, 'invalid_cursor');
    for (const sort of ['raw', 'processed_at:sideways', 'processed_at:asc:x', 'constructor']) {
      const response = await get(a, `orders?sort=${sort}`);
      assert.equal(response.statusCode, 400, sort);
      assert.equal(response.json().error.code, 'invalid_sort');
    }
    assert.equal((await get(a, 'orders?limit=251')).statusCode, 400);
    assert.equal((await get(a, 'orders?limit=0')).statusCode, 400);
  });

  it('exports every list as CSV equal to its JSON rows', async () => {
    for (const [list, query] of [
      ['orders', 'sort=total_price:asc'],
      ['customers', 'sort=net_sales'],
      ['products', ''],
      ['checkouts', 'status=abandoned'],
    ] as const) {
      const rows = (await json(`${list}?${query}&limit=250`)).rows;
      const response = await get(a, `${list}?${query}&limit=1`, { accept: 'text/csv' });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/csv/);
      assert.match(String(response.headers['content-disposition']), new RegExp(`${list}\\.csv`));
      const [header, ...records] = parseCsvRecords(response.body);
      assert.deepEqual(header, Object.keys(rows[0]!));
      assert.deepEqual(
        records,
        rows.map((row) => Object.values(row).map((value) => (value === null ? '' : String(value)))),
        list,
      );
    }
    const viaQuery = await get(a, 'products?format=csv');
    assert.match(String(viaQuery.headers['content-type']), /^text\/csv/);
  });

  it('streams a 20,000-order export whole, in order, across many pages', async () => {
    const shop = `big${newId()}.myshopify.com`;
    const big = (await app.createTenant({ shopDomain: shop, webhookSecret: SECRET })).id;
    // Three orders share each minute, so ties on processed_at straddle the export's page boundaries.
    await app.owner.query(
      `INSERT INTO orders (tenant_id, id, name, processed_at, created_at, updated_at, total_price, raw)
       SELECT $1, 9000000000000 + g, '#' || g, timestamptz '2024-01-01 00:00:00Z' + (g / 3) * interval '1 minute',
              timestamptz '2024-01-01 00:00:00Z', timestamptz '2024-01-01 00:00:00Z', (g % 100)::numeric, '{}'::jsonb
       FROM generate_series(1, 20000) g`,
      [big],
    );
    const response = await get(big, 'orders', { accept: 'text/csv' });
    assert.equal(response.statusCode, 200);
    const [header, ...records] = parseCsvRecords(response.body);
    assert.equal(header![0], 'id');
    assert.equal(records.length, 20000);
    const exported = records.map((record) => Number(BigInt(record[0]!) - 9000000000000n));
    // processed_at desc, then id desc: exactly 20000, 19999, ..., 1.
    assert.deepEqual(
      exported,
      Array.from({ length: 20000 }, (_, index) => 20000 - index),
    );
  });
});
