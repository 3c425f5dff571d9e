/**
 * The ingestion API (`POST /api/v1/tenants/:tenantId/ingest/{customers,products,orders}`) on a real database
 * (PostgreSQL with TEST_DATABASE_URL, else PGlite): per-item answers, bad items never blocking good ones,
 * nothing half-written, replays changing nothing, and 64-bit ids kept exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { customerBody, newId, orderBody, productBody } from '../helpers/factories.ts';

type Result = { index: number; id?: string; status: 'accepted' | 'rejected'; reason?: string };
type Report = { accepted: number; rejected: number; results: Result[] };

/** Tables an ingested order writes to, compared row by row (as JSON text, synced_at included). */
const ORDER_TABLES = ['orders', 'order_line_items', 'customers', 'refunds', 'refund_line_items'];

describe('ingestion API', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const tenant = async () => (await app.createTenant({ shopDomain: `i${newId()}.myshopify.com` })).id;

  /** Posts a raw JSON body (so that ids above 2^53 travel exactly) with the admin token. */
  const post = (tenantId: string, entity: string, body: string, contentType = 'application/json') =>
    app.server!.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/ingest/${entity}`,
      headers: { authorization: `Bearer ${app.token}`, 'content-type': contentType },
      payload: body,
    });

  /** Posts `items` (JSON texts) as one batch and expects a 200 report. */
  const ingest = async (tenantId: string, entity: string, items: string[]): Promise<Report> => {
    const response = await post(tenantId, entity, `{"items":[${items.join(',')}]}`);
    assert.equal(response.statusCode, 200, response.body.slice(0, 500));
    return response.json<Report>();
  };

  const count = async (table: string, tenantId: string, where = 'true') =>
    Number(
      (
        await app.db.system.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1 AND ${where}`,
          [tenantId],
        )
      )[0]!.n,
    );

  /** Every row of the tenant in `tables`, as JSON text, in a stable order. */
  const snapshot = async (tenantId: string, tables: string[]) => {
    const rows: Record<string, string[]> = {};
    for (const table of tables) {
      rows[table] = (
        await app.db.system.query<{ row: string }>(
          `SELECT to_jsonb(x)::text AS row FROM ${table} x WHERE tenant_id = $1 ORDER BY id`,
          [tenantId],
        )
      ).map((r) => r.row);
    }
    return rows;
  };

  /** An order as a mutable object (the factory's ids are below 2^53, so JSON.parse keeps them). */
  const orderObject = () =>
    JSON.parse(orderBody().json) as { line_items: Record<string, unknown>[]; [field: string]: unknown };

  /** Ten ways to get an order wrong, each with the reason the API must give. */
  const BAD_ORDERS: [string, () => unknown, RegExp][] = [
    ['missing id', () => ({ ...orderObject(), id: undefined }), /^invalid_payload: id: is required$/],
    ['id "abc"', () => ({ ...orderObject(), id: 'abc' }), /^invalid_payload: id: /],
    [
      'price "1e5"',
      () => {
        const order = orderObject();
        order.line_items[0]!.price = '1e5';
        return order;
      },
      /^invalid_payload: line_items\[0\]\.price: expected a decimal amount$/,
    ],
    [
      'quantity "3"',
      () => {
        const order = orderObject();
        order.line_items[0]!.quantity = '3';
        return order;
      },
      /^invalid_payload: line_items\[0\]\.quantity: .*expected number, received string/,
    ],
    [
      'created_at "not a date"',
      () => ({ ...orderObject(), created_at: 'not a date' }),
      /^invalid_payload: created_at: expected an ISO-8601 timestamp$/,
    ],
    [
      'processed_at without an offset',
      () => ({ ...orderObject(), processed_at: '2025-04-02T11:31:38' }),
      /^invalid_payload: processed_at: expected an ISO-8601 timestamp$/,
    ],
    ['null', () => null, /^invalid_payload: item: .*expected object, received null/],
    ['id above 2^63', () => ({ ...orderObject(), id: '9223372036854775808' }), /positive 64-bit id/],
    [
      'line item without id',
      () => {
        const order = orderObject();
        delete order.line_items[0]!.id;
        return order;
      },
      /^invalid_payload: line_items\[0\]\.id: is required$/,
    ],
    [
      'customer id of zero',
      () => ({ ...orderObject(), customer: { id: 0, email: 'x@example.com' } }),
      /^invalid_payload: customer\.id: expected a positive 64-bit id$/,
    ],
  ];

  it('stores 990 of 1,000 orders, rejects the 10 bad ones with reasons, and a replay changes nothing', async () => {
    const tenantId = await tenant();
    const badAt = [0, 1, 99, 250, 500, 501, 777, 900, 998, 999];
    const items: string[] = [];
    const goodIds: string[] = [];
    let withRefund = 0;
    for (let index = 0; index < 1000; index += 1) {
      const bad = badAt.indexOf(index);
      if (bad >= 0) {
        items.push(JSON.stringify(BAD_ORDERS[bad]![1]()));
        continue;
      }
      const lineId = newId();
      const order = orderBody({
        customerId: String(7000 + (index % 20)),
        customerUpdatedAt: '2025-03-01T00:00:00Z',
        lines: [
          { id: lineId, price: '20.00', quantity: 2, tax: '1.60' },
          { price: '5.50', quantity: 1 },
        ],
        shipping: '4.99',
        ...(index % 10 === 0 && {
          refunds: [
            {
              processedAt: '2025-04-05T10:00:00Z',
              lines: [{ lineItemId: lineId, quantity: 1, subtotal: '20.00' }],
            },
          ],
        }),
      });
      goodIds.push(order.id);
      if (index % 10 === 0) withRefund += 1;
      items.push(order.json);
    }

    const first = await ingest(tenantId, 'orders', items);
    assert.equal(first.accepted, 990);
    assert.equal(first.rejected, 10);
    assert.equal(first.results.length, 1000);
    assert.deepEqual(
      first.results.map((result) => result.index),
      items.map((_, index) => index),
    );
    const rejected = first.results.filter((result) => result.status === 'rejected');
    assert.deepEqual(
      rejected.map((result) => result.index),
      badAt,
    );
    rejected.forEach((result, i) => {
      const [what, , reason] = BAD_ORDERS[i]!;
      assert.match(result.reason ?? '', reason, what);
    });
    assert.deepEqual(
      first.results.filter((result) => result.status === 'accepted').map((result) => result.id),
      goodIds,
    );

    assert.equal(await count('orders', tenantId), 990);
    assert.equal(await count('order_line_items', tenantId), 1980);
    assert.equal(await count('customers', tenantId), 20);
    assert.equal(await count('refunds', tenantId), withRefund);
    assert.equal(await count('refund_line_items', tenantId), withRefund);
    const [sums] = await app.db.system.query<{ gross: string; shipping: string }>(
      `SELECT round(sum(gross_sales), 2)::text AS gross, round(sum(shipping), 2)::text AS shipping
       FROM orders WHERE tenant_id = $1`,
      [tenantId],
    );
    // 990 orders of 2 x 20.00 + 5.50 and 4.99 shipping.
    assert.deepEqual(sums, { gross: '45045.00', shipping: '4940.10' });

    const before = await snapshot(tenantId, ORDER_TABLES);
    const replay = await ingest(tenantId, 'orders', items);
    assert.deepEqual(replay, first);
    assert.deepEqual(await snapshot(tenantId, ORDER_TABLES), before);
  });

  it('keeps the newest version when a batch or a later batch brings an older one', async () => {
    const tenantId = await tenant();
    const id = newId();
    const older = customerBody({ id, firstName: 'Old', updatedAt: '2025-01-01T00:00:00Z' }).json;
    const newer = customerBody({ id, firstName: 'New', updatedAt: '2025-02-01T00:00:00Z' }).json;
    const report = await ingest(tenantId, 'customers', [newer, older]);
    assert.deepEqual(report, {
      accepted: 2,
      rejected: 0,
      results: [
        { index: 0, id, status: 'accepted' },
        { index: 1, id, status: 'accepted' },
      ],
    });
    const name = async () =>
      (
        await app.db.system.query<{ first_name: string }>(
          'SELECT first_name FROM customers WHERE tenant_id = $1 AND id = $2',
          [tenantId, id],
        )
      )[0]!.first_name;
    assert.equal(await name(), 'New');
    await ingest(tenantId, 'customers', [older]);
    assert.equal(await name(), 'New');
    await ingest(tenantId, 'customers', [
      customerBody({ id, firstName: 'Newest', updatedAt: '2025-03-01T00:00:00Z' }).json,
    ]);
    assert.equal(await name(), 'Newest');
  });

  it('ingests customers and rejects the bad ones', async () => {
    const tenantId = await tenant();
    const good = [customerBody(), customerBody()];
    const report = await ingest(tenantId, 'customers', [
      good[0]!.json,
      '{"id": 12, "email": 42}',
      good[1]!.json,
      '{"email": "no-id@example.com"}',
    ]);
    assert.equal(report.accepted, 2);
    assert.deepEqual(
      report.results.map((r) => [r.index, r.id, r.status]),
      [
        [0, good[0]!.id, 'accepted'],
        [1, '12', 'rejected'],
        [2, good[1]!.id, 'accepted'],
        [3, undefined, 'rejected'],
      ],
    );
    assert.match(report.results[1]!.reason!, /^invalid_payload: email: /);
    assert.equal(report.results[3]!.reason, 'invalid_payload: id: is required');
    const rows = await app.db.system.query<{ id: string; email: string }>(
      'SELECT id::text, email FROM customers WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    assert.deepEqual(
      rows.map((row) => row.id),
      good.map((customer) => customer.id).sort(),
    );
  });

  it('ingests products with their variants', async () => {
    const tenantId = await tenant();
    const product = productBody({ variantIds: [newId(), newId()] });
    const report = await ingest(tenantId, 'products', [
      product.json,
      '{"id": "1", "variants": [{"id": "x"}]}',
    ]);
    assert.deepEqual(
      report.results.map((r) => [r.id, r.status]),
      [
        [product.id, 'accepted'],
        ['1', 'rejected'],
      ],
    );
    assert.match(report.results[1]!.reason!, /^invalid_payload: variants\[0\]\.id: /);
    const variants = await app.db.system.query<{ id: string; product_id: string }>(
      'SELECT id::text, product_id::text FROM product_variants WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    assert.deepEqual(
      variants,
      product.variantIds.map((id) => ({ id, product_id: product.id })),
    );
    assert.equal(await count('products', tenantId), 1);
  });

  it('keeps ids above 2^53 exactly, in the answer and in the database', async () => {
    const tenantId = await tenant();
    const orderId = '9007199254740993';
    const lineId = '9223372036854775807';
    const customerId = '820982911946154508';
    const { json } = orderBody({
      id: orderId,
      customerId,
      lines: [{ id: lineId, price: '1.00', quantity: 1 }],
    });
    const report = await ingest(tenantId, 'orders', [json]);
    assert.deepEqual(report.results, [{ index: 0, id: orderId, status: 'accepted' }]);
    const [order] = await app.db.system.query<{ id: string; customer_id: string; raw_id: string }>(
      `SELECT id::text, customer_id::text, raw -> 'id' #>> '{}' AS raw_id FROM orders WHERE tenant_id = $1`,
      [tenantId],
    );
    assert.deepEqual(order, { id: orderId, customer_id: customerId, raw_id: orderId });
    const [line] = await app.db.system.query<{ id: string }>(
      'SELECT id::text FROM order_line_items WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(line!.id, lineId);
    const [customer] = await app.db.system.query<{ id: string }>(
      'SELECT id::text FROM customers WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(customer!.id, customerId);
  });

  it('rejects only the item the database refuses, writing none of it, and stores the others', async () => {
    const tenantId = await tenant();
    const orders = [0, 1, 2, 3].map((i) =>
      orderBody({ lines: [{ price: i === 2 ? '9999.00' : '10.00', quantity: 1 }], customerId: newId() }),
    );
    await app.owner.query(
      'ALTER TABLE orders ADD CONSTRAINT ingest_test_refuse CHECK (gross_sales < 5000) NOT VALID',
    );
    let report: Report;
    try {
      report = await ingest(
        tenantId,
        'orders',
        orders.map((order) => order.json),
      );
    } finally {
      await app.owner.query('ALTER TABLE orders DROP CONSTRAINT ingest_test_refuse');
    }
    assert.equal(report.accepted, 3);
    assert.equal(report.rejected, 1);
    const refused = report.results[2]!;
    assert.deepEqual([refused.id, refused.status], [orders[2]!.id, 'rejected']);
    assert.match(refused.reason!, /^database_rejected: .*ingest_test_refuse/);
    const stored = await app.db.system.query<{ id: string }>(
      'SELECT id::text FROM orders WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    assert.deepEqual(
      stored.map((row) => row.id),
      [orders[0]!.id, orders[1]!.id, orders[3]!.id],
    );
    // Nothing of the refused order: neither its line items nor its embedded customer.
    assert.equal(await count('order_line_items', tenantId, `order_id = ${orders[2]!.id}`), 0);
    assert.equal(await count('order_line_items', tenantId), 3);
    assert.equal(await count('customers', tenantId), 3);
  });

  it('refuses a batch of more than 1,000 items, an empty one and other shapes with 400, storing nothing', async () => {
    const tenantId = await tenant();
    const items = Array.from({ length: 1001 }, () => customerBody().json);
    const tooLarge = await post(tenantId, 'customers', `{"items":[${items.join(',')}]}`);
    assert.equal(tooLarge.statusCode, 400);
    assert.equal(tooLarge.json().error.code, 'batch_too_large');
    for (const [body, code] of [
      ['{"items":[]}', 'invalid_request'],
      [`[${customerBody().json}]`, 'invalid_request'],
      [`{"items":[${customerBody().json}],"extra":1}`, 'invalid_request'],
      ['{"items":{}}', 'invalid_request'],
      ['{"items":[', 'invalid_json'],
      ['', 'invalid_json'],
    ]) {
      const response = await post(tenantId, 'customers', body!);
      assert.equal(response.statusCode, 400, body);
      assert.equal(response.json().error.code, code, body);
    }
    assert.equal(await count('customers', tenantId), 0);
  });

  it('accepts a JSON content type with a charset and refuses other content types', async () => {
    const tenantId = await tenant();
    const customer = customerBody();
    const body = `{"items":[${customer.json}]}`;
    const withCharset = await post(tenantId, 'customers', body, 'application/json; charset=utf-8');
    assert.equal(withCharset.statusCode, 200, withCharset.body);
    const text = await post(tenantId, 'customers', body, 'text/plain');
    assert.equal(text.statusCode, 415);
  });

  it('checks access before reading the body', async () => {
    const tenantId = await tenant();
    const anonymous = await app.server!.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/ingest/orders`,
      headers: { 'content-type': 'application/json' },
      payload: 'not json',
    });
    assert.equal(anonymous.statusCode, 401);
    const unknown = await post('00000000-0000-4000-8000-000000000000', 'orders', 'not json');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'tenant_not_found');
  });

  it('counts accepted and rejected items by cause in the metrics', async () => {
    const tenantId = await tenant();
    const metric = async () => {
      const values = (await app.metrics.registry.getSingleMetric('shopsight_ingest_items_total')!.get())
        .values;
      const of = (outcome: string, cause: string) =>
        values.find(
          (v) => v.labels.entity === 'products' && v.labels.outcome === outcome && v.labels.cause === cause,
        )?.value ?? 0;
      return [of('accepted', ''), of('rejected', 'invalid_payload')];
    };
    const [accepted, rejected] = await metric();
    await ingest(tenantId, 'products', [productBody().json, '{}', '7']);
    assert.deepEqual(await metric(), [accepted! + 1, rejected! + 2]);
  });
});
