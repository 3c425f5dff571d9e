// Changes to a shop's store: each sends the topics Shopify sends, changed records replace generated ones in
// searches, and customer stats follow the orders.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { generateStore } from './generator.ts';
import { idText } from './ids.ts';
import type { RestRecord } from './rest-shapes.ts';
import { createShopStore } from './store.ts';

function shopStore(now = Date.parse('2026-02-01T12:00:00Z')) {
  const sent: { topic: string; body: RestRecord }[] = [];
  const store = createShopStore(generateStore({ seed: 9, orderCount: 300 }), {
    now: () => now,
    emit: (topic, body) => sent.push({ topic, body }),
  });
  return { store, sent };
}

describe('changes', () => {
  test('a new order comes after the generated ones, for a known customer, whose stats follow', () => {
    const { store, sent } = shopStore();
    const order = store.createOrder().order;
    assert.equal(store.orders.length, 301);
    assert.equal(idText(store.orders.get(300)?.order.id), idText(order.id));
    assert.deepEqual(
      sent.map((s) => s.topic),
      order.financial_status === 'paid' ? ['orders/create', 'orders/paid'] : ['orders/create'],
    );
    assert.equal(order.created_at, '2026-02-01T07:00:00-05:00');
    const customerId = BigInt(idText((order.customer as RestRecord).id));
    const customer = store.customer(customerId) as RestRecord;
    assert.equal(customer.last_order_id, order.id);
    const count = Number(customer.orders_count);
    store.deleteOrder(idText(order.id));
    assert.equal(Number((store.customer(customerId) as RestRecord).orders_count), count - 1);
    assert.equal(store.orders.get(300), undefined);
  });

  test('a refund lowers the current total and the customer’s total spent, once', () => {
    const { store, sent } = shopStore();
    let position = 0;
    while (
      store.orders.get(position)?.order.financial_status !== 'paid' ||
      !store.orders.get(position)?.order.customer
    ) {
      position += 1;
    }
    const order = (store.orders.get(position) as { order: RestRecord }).order;
    const customerId = BigInt(idText((order.customer as RestRecord).id));
    const spentBefore = Number((store.customer(customerId) as RestRecord).total_spent);
    const { refund, order: after } = store.refundOrder(idText(order.id));
    const given = Number(order.current_total_price) - Number(after.order.current_total_price);
    assert.ok(given > 0);
    assert.equal(after.order.financial_status, 'refunded');
    assert.equal(
      Number((store.customer(customerId) as RestRecord).total_spent).toFixed(2),
      (spentBefore - given).toFixed(2),
    );
    assert.deepEqual(
      sent.map((s) => s.topic),
      ['refunds/create', 'orders/updated'],
    );
    assert.equal(store.refund(BigInt(idText(refund.id)))?.refund.id, refund.id);
    assert.throws(() => store.refundOrder(idText(order.id)), /cannot refund|already/);
  });

  test('cancelling a paid order refunds it once and keeps the stats right', () => {
    const { store, sent } = shopStore();
    let position = 0;
    const candidate = () => store.orders.get(position)?.order;
    while (candidate()?.financial_status !== 'paid' || !candidate()?.customer || candidate()?.cancelled_at)
      position += 1;
    const order = candidate() as RestRecord;
    const customerId = BigInt(idText((order.customer as RestRecord).id));
    const before = store.customer(customerId) as RestRecord;
    const cancelled = store.cancelOrder(idText(order.id), 'inventory').order;
    assert.equal(cancelled.financial_status, 'refunded');
    assert.equal(cancelled.cancel_reason, 'inventory');
    assert.equal(Number(cancelled.current_total_price), 0);
    const after = store.customer(customerId) as RestRecord;
    assert.equal(after.orders_count, before.orders_count);
    assert.equal(
      Number(after.total_spent).toFixed(2),
      (Number(before.total_spent) - Number(order.current_total_price)).toFixed(2),
    );
    assert.deepEqual(
      sent.map((s) => s.topic),
      ['refunds/create', 'orders/cancelled', 'orders/updated'],
    );
    assert.throws(() => store.cancelOrder(idText(order.id)), /already cancelled/);
  });

  test('an updated order is found by updated_at although its generated timeline says otherwise', () => {
    const { store } = shopStore();
    const old = store.orders.get(5)?.order as RestRecord;
    store.updateOrder(idText(old.id), { note: 'late change' });
    const since = Date.parse('2026-01-01T00:00:00Z');
    const found = [
      ...store.orders.scan({
        after: -1,
        reverse: false,
        // What a search for updated_at >= since narrows generated orders to.
        createdBounds: { min: since - store.orders.maxLagMs, max: Infinity },
        matches: (keys) => keys.updatedMs >= since,
      }),
    ];
    assert.deepEqual(found, [5]);
  });

  test('customers and products: create, update, delete; unknown ids are refused', () => {
    const { store, sent } = shopStore();
    const customer = store.createCustomer();
    assert.equal(customer.orders_count, 0);
    store.updateCustomer(idText(customer.id), { note: 'hello' });
    store.deleteCustomer(idText(customer.id));
    const product = store.createProduct();
    store.updateProduct(idText(product.id), { title: 'Renamed' });
    assert.equal(store.product(BigInt(idText(product.id)))?.title, 'Renamed');
    store.deleteProduct(idText(product.id));
    assert.deepEqual(
      sent.map((s) => s.topic),
      [
        'customers/create',
        'customers/update',
        'customers/delete',
        'products/create',
        'products/update',
        'products/delete',
      ],
    );
    assert.throws(() => store.deleteProduct(idText(product.id)), /no such record/);
    assert.throws(() => store.updateOrder('42', {}), /no such record/);
  });
});
