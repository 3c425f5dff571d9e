/**
 * The inbox worker on a real database: events become tenant rows exactly once, the newest version wins
 * whatever the delivery order, ids stay exact, tenants stay apart, failures retry then dead-letter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { requeueDeadLetters } from '../../src/ingest/inbox.repository.ts';
import { InboxWorker } from '../../src/ingest/worker.ts';
import { Metrics } from '../../src/lib/metrics.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { customerBody, newId, orderBody, productBody, refundBody } from '../helpers/factories.ts';

const SHOP = 'worker-shop.myshopify.com';
const OTHER_SHOP = 'other-shop.myshopify.com';
const SECRET = 'worker-secret';

describe('inbox worker', () => {
  let app: TestApp;
  let tenantId: string;
  let otherTenantId: string;
  before(async () => {
    app = await startTestApp({ SHOPSIGHT_WORKER_MAX_ATTEMPTS: '3' });
    tenantId = (await app.createTenant({ shopDomain: SHOP, webhookSecret: SECRET })).id;
    otherTenantId = (await app.createTenant({ shopDomain: OTHER_SHOP, webhookSecret: SECRET })).id;
  });
  after(() => app.close());

  const send = async (topic: string, body: string, shopDomain = SHOP) => {
    const response = await app.deliver({ shopDomain, secret: SECRET, topic, body });
    assert.equal(response.statusCode, 200, response.body);
  };

  it('keeps the newer version when an older update arrives after it', async () => {
    const id = newId();
    const newer = orderBody({
      id,
      updatedAt: '2025-05-02T10:00:00Z',
      lines: [{ price: '30.00', quantity: 2 }],
    });
    const older = orderBody({
      id,
      updatedAt: '2025-05-01T10:00:00Z',
      lines: [{ price: '10.00', quantity: 1 }],
    });
    await send('orders/updated', newer.json);
    await app.drain();
    await send('orders/updated', older.json);
    await app.drain();
    const rows = await app.db.system.query<{ gross_sales: string; updated_at: string }>(
      'SELECT round(gross_sales, 2)::text AS gross_sales, updated_at FROM orders WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    assert.deepEqual(rows, [{ gross_sales: '60.00', updated_at: '2025-05-02T10:00:00.000Z' }]);
    const lines = await app.db.system.query(
      'SELECT id::text FROM order_line_items WHERE tenant_id = $1 AND order_id = $2',
      [tenantId, id],
    );
    assert.deepEqual(lines, [{ id: newer.lineIds[0] }]);
  });

  it('converges to the same rows when the versions arrive in one batch in the wrong order', async () => {
    const id = newId();
    await send(
      'customers/update',
      customerBody({ id, email: 'new@example.com', updatedAt: '2025-06-02T00:00:00Z' }).json,
    );
    await send(
      'customers/update',
      customerBody({ id, email: 'old@example.com', updatedAt: '2025-06-01T00:00:00Z' }).json,
    );
    await app.drain();
    const [row] = await app.db.system.query<{ email: string }>(
      'SELECT email FROM customers WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    assert.equal(row!.email, 'new@example.com');
  });

  it('processes events in arrival order, so the later of two equal versions wins (past event 9 too)', async () => {
    const id = newId();
    for (let quantity = 1; quantity <= 12; quantity += 1) {
      await send(
        'orders/updated',
        orderBody({ id, updatedAt: '2025-05-03T10:00:00Z', lines: [{ price: '1.00', quantity }] }).json,
      );
    }
    await app.drain();
    const [row] = await app.db.system.query<{ gross: string }>(
      'SELECT round(gross_sales, 2)::text AS gross FROM orders WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    assert.equal(row!.gross, '12.00');
  });

  it('keeps Shopify ids above 2^53 exactly, in columns and in the raw payload', async () => {
    const orderId = '9007199254740993';
    const lineId = '18446744073709551'.slice(0, 16) + '7';
    const customerId = '820982911946154508';
    const { json } = orderBody({
      id: orderId,
      customerId,
      lines: [{ id: lineId, price: '5.00', quantity: 1 }],
    });
    assert.ok(json.includes(`"id":${orderId}`), 'the body carries the id as a JSON integer');
    await send('orders/create', json);
    await app.drain();
    const [order] = await app.db.system.query<{ id: string; customer_id: string; raw_id: string }>(
      `SELECT id::text, customer_id::text, raw->'id' #>> '{}' AS raw_id FROM orders WHERE tenant_id = $1 AND id = $2`,
      [tenantId, orderId],
    );
    assert.deepEqual(order, { id: orderId, customer_id: customerId, raw_id: orderId });
    const [line] = await app.db.system.query<{ id: string }>(
      'SELECT id::text FROM order_line_items WHERE tenant_id = $1 AND order_id = $2',
      [tenantId, orderId],
    );
    assert.equal(line!.id, lineId);
  });

  it('keeps two tenants that send the same Shopify order id apart', async () => {
    const id = newId();
    await send('orders/create', orderBody({ id, lines: [{ price: '10.00', quantity: 1 }] }).json, SHOP);
    await send('orders/create', orderBody({ id, lines: [{ price: '99.00', quantity: 3 }] }).json, OTHER_SHOP);
    await app.drain();
    const rows = await app.db.system.query<{ tenant_id: string; gross_sales: string }>(
      'SELECT tenant_id::text, round(gross_sales, 2)::text AS gross_sales FROM orders WHERE id = $1 ORDER BY gross_sales',
      [id],
    );
    assert.deepEqual(rows, [
      { tenant_id: tenantId, gross_sales: '10.00' },
      { tenant_id: otherTenantId, gross_sales: '297.00' },
    ]);
  });

  it('keeps a refund that arrives before its order, and stores a refund sent twice (embedded and alone) once', async () => {
    const orderId = newId();
    const lineId = newId();
    const refund = refundBody({
      orderId,
      processedAt: '2025-07-03T12:00:00Z',
      lines: [{ lineItemId: lineId, quantity: 1, subtotal: '40.00', tax: '4.00' }],
    });
    await send('refunds/create', refund.json);
    await app.drain();
    const early = await app.db.system.query('SELECT id::text FROM refunds WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      refund.id,
    ]);
    assert.equal(early.length, 1, 'the early refund is kept');

    const order = orderBody({
      id: orderId,
      processedAt: '2025-07-01T12:00:00Z',
      lines: [{ id: lineId, price: '40.00', quantity: 2, tax: '8.00' }],
      refunds: [
        {
          id: refund.id,
          processedAt: '2025-07-03T12:00:00Z',
          lines: [{ lineItemId: lineId, quantity: 1, subtotal: '40.00', tax: '4.00' }],
        },
      ],
    });
    await send('orders/updated', order.json);
    await app.drain();
    const refunds = await app.db.system.query<{ returns: string }>(
      'SELECT round(returns, 2)::text AS returns FROM refunds WHERE tenant_id = $1 AND order_id = $2',
      [tenantId, orderId],
    );
    assert.deepEqual(refunds, [{ returns: '40.00' }]);
    const refundLines = await app.db.system.query(
      'SELECT id FROM refund_line_items WHERE tenant_id = $1 AND refund_id = $2',
      [tenantId, refund.id],
    );
    assert.equal(refundLines.length, 1);
  });

  it('soft-deletes, and a delete that arrives before the create keeps the entity deleted', async () => {
    const product = productBody({ variantIds: [newId(), newId()] });
    await send('products/create', product.json);
    await app.drain();
    await send('products/delete', JSON.stringify({ id: Number(product.id) }));
    await app.drain();
    const [deleted] = await app.db.system.query<{ deleted: boolean; variants_deleted: string }>(
      `SELECT p.deleted_at IS NOT NULL AS deleted,
              (SELECT count(*) FROM product_variants v WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id AND v.deleted_at IS NOT NULL)::text AS variants_deleted
       FROM products p WHERE tenant_id = $1 AND id = $2`,
      [tenantId, product.id],
    );
    assert.deepEqual(deleted, { deleted: true, variants_deleted: '2' });

    const orderId = newId();
    await send('orders/delete', JSON.stringify({ id: Number(orderId) }));
    await app.drain();
    await send('orders/create', orderBody({ id: orderId }).json);
    await app.drain();
    const [order] = await app.db.system.query<{ deleted: boolean; gross: string }>(
      'SELECT deleted_at IS NOT NULL AS deleted, round(gross_sales, 2)::text AS gross FROM orders WHERE tenant_id = $1 AND id = $2',
      [tenantId, orderId],
    );
    assert.deepEqual(order, { deleted: true, gross: '100.00' });
  });

  it('dead-letters a payload that can never be normalized, with its error, and re-queues it on demand', async () => {
    const eventId = `bad-${newId()}`;
    const response = await app.deliver({
      shopDomain: SHOP,
      secret: SECRET,
      topic: 'orders/create',
      body: '{"id": "not-an-id"}',
      eventId,
    });
    assert.equal(response.statusCode, 200);
    await app.drain();
    const [dead] = await app.db.system.query<{ status: string; last_error: string }>(
      'SELECT status, last_error FROM webhook_events WHERE dedupe_key = $1',
      [`event:${eventId}`],
    );
    assert.equal(dead!.status, 'dead');
    assert.match(dead!.last_error, /invalid order payload/);
    assert.equal(await requeueDeadLetters(app.db.system, tenantId), 1);
    const [requeued] = await app.db.system.query<{ status: string }>(
      'SELECT status FROM webhook_events WHERE dedupe_key = $1',
      [`event:${eventId}`],
    );
    assert.equal(requeued!.status, 'pending');
    await app.drain();
  });

  it('retries an event the database refuses with backoff, keeps the rest of its batch, then dead-letters it', async () => {
    const poison = orderBody();
    const good = orderBody();
    await app.owner.query(`ALTER TABLE orders ADD CONSTRAINT test_poison CHECK (id <> ${poison.id})`);
    try {
      await send('orders/create', poison.json);
      await send('orders/create', good.json);
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await app.drain();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stored = await app.db.system.query(
        'SELECT id::text FROM orders WHERE tenant_id = $1 AND id = ANY($2::bigint[])',
        [tenantId, [poison.id, good.id]],
      );
      assert.deepEqual(stored, [{ id: good.id }]);
      const [event] = await app.db.system.query<{ status: string; attempts: number; last_error: string }>(
        `SELECT status, attempts, last_error FROM webhook_events WHERE tenant_id = $1 AND payload = $2`,
        [tenantId, poison.json],
      );
      assert.equal(event!.status, 'dead');
      assert.equal(event!.attempts, 3);
      assert.match(event!.last_error, /test_poison/);
    } finally {
      await app.owner.query('ALTER TABLE orders DROP CONSTRAINT test_poison');
    }
    await requeueDeadLetters(app.db.system, tenantId);
    await app.drain();
    const [row] = await app.db.system.query('SELECT id::text FROM orders WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      poison.id,
    ]);
    assert.ok(row, 'a re-queued dead letter is processed once the cause is fixed');
  });

  it('lets several workers drain the inbox side by side, each event handled exactly once', async () => {
    const ids = Array.from({ length: 300 }, () => newId());
    for (const id of ids) await send('orders/create', orderBody({ id }).json);
    const log = pino({ level: 'silent' });
    const options = { batchSize: 25, pollMs: 10, maxAttempts: 3, backoffBaseMs: 1 };
    const workers = [1, 2, 3].map(() => new InboxWorker(app.db, log, new Metrics(), options));
    const handled = await Promise.all(workers.map((worker) => worker.drain()));
    assert.equal(
      handled.reduce((a, b) => a + b, 0),
      300,
    );
    const [counts] = await app.db.system.query<{ orders: string; multi: string }>(
      `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1 AND id = ANY($2::bigint[]))::text AS orders,
              (SELECT count(*) FROM webhook_events WHERE attempts <> 1 AND status = 'processed')::text AS multi`,
      [tenantId, ids],
    );
    assert.deepEqual(counts, { orders: '300', multi: '0' });
  });
});
