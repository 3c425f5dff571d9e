/**
 * Ingestion of the checkout, cart, inventory and location topics, and of order duties, end to end: signed
 * webhooks into the inbox, the worker, the tenant tables. Each case sends versions out of order or twice and
 * checks that the rows converge on the newest version, that a replay writes nothing, and that deletes and
 * disconnections hold against older versions arriving later.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { int, newId, orderBody } from '../helpers/factories.ts';

const SECRET = 'commerce-secret';

const set = (amount: string) => ({
  shop_money: { amount, currency_code: 'USD' },
  presentment_money: { amount, currency_code: 'USD' },
});

/** A checkouts/create or checkouts/update body (REST Checkout fields Shopsight reads). */
function checkoutBody(spec: { id: string; updatedAt: string; completedAt?: string; totalPrice?: string }) {
  return JSON.stringify({
    id: int(spec.id),
    token: `tok-${spec.id}`,
    cart_token: `cart-${spec.id}`,
    email: 'buyer@example.com',
    currency: 'USD',
    presentment_currency: 'USD',
    created_at: '2026-01-05T10:00:00Z',
    updated_at: spec.updatedAt,
    completed_at: spec.completedAt ?? null,
    subtotal_price: spec.totalPrice ?? '10.00',
    total_price: spec.totalPrice ?? '10.00',
    line_items: [{ variant_id: int('808950810'), quantity: 1, price: spec.totalPrice ?? '10.00' }],
  });
}

function levelBody(item: string, location: string, available: number, updatedAt: string) {
  return JSON.stringify({
    inventory_item_id: int(item),
    location_id: int(location),
    available,
    updated_at: updatedAt,
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${location}?inventory_item_id=${item}`,
  });
}

describe('checkout, cart, inventory and location ingestion', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const tenant = async () => {
    const shopDomain = `c${newId()}.myshopify.com`;
    const created = await app.createTenant({ shopDomain, webhookSecret: SECRET });
    return {
      id: created.id,
      async send(topic: string, body: string, triggeredAt?: string) {
        const response = await app.deliver({
          shopDomain,
          secret: SECRET,
          topic,
          body,
          ...(triggeredAt && { triggeredAt }),
        });
        assert.equal(response.statusCode, 200, response.body);
      },
      async statuses() {
        const rows = await app.db.system.query<{ status: string; n: string }>(
          `SELECT status, count(*)::text AS n FROM webhook_events WHERE tenant_id = $1 GROUP BY status`,
          [created.id],
        );
        return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
      },
    };
  };

  const checkout = async (tenantId: string, id: string) => {
    const [row] = await app.db.system.query<{
      total_price: string;
      updated_at: string;
      activity_at: string | null;
      completed_at: string | null;
      deleted_at: string | null;
      synced_at: string;
    }>(
      `SELECT total_price::text, updated_at, activity_at, completed_at, deleted_at, synced_at
       FROM checkouts WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return row;
  };

  it('keeps the newest checkout, its last activity before completion, and writes nothing on a replay', async () => {
    const shop = await tenant();
    const id = newId();
    await shop.send('checkouts/create', checkoutBody({ id, updatedAt: '2026-01-05T10:00:00Z' }));
    await shop.send(
      'checkouts/update',
      checkoutBody({ id, updatedAt: '2026-01-05T10:20:00Z', totalPrice: '25.00' }),
    );
    await app.drain();
    let row = await checkout(shop.id, id);
    assert.equal(row?.total_price, '25.00');
    assert.equal(row?.activity_at, '2026-01-05T10:20:00.000Z');

    // The completed version arrives, then (late) a version older than it but newer than the stored activity.
    await shop.send(
      'checkouts/update',
      checkoutBody({
        id,
        updatedAt: '2026-01-05T11:00:00Z',
        completedAt: '2026-01-05T11:00:00Z',
        totalPrice: '30.00',
      }),
    );
    await app.drain();
    await shop.send(
      'checkouts/update',
      checkoutBody({ id, updatedAt: '2026-01-05T10:40:00Z', totalPrice: '27.00' }),
    );
    await app.drain();
    row = await checkout(shop.id, id);
    assert.equal(row?.total_price, '30.00', 'the completed (newest) version wins');
    assert.equal(row?.completed_at, '2026-01-05T11:00:00.000Z');
    assert.equal(row?.activity_at, '2026-01-05T10:40:00.000Z', 'the last activity before completion');

    const synced = row!.synced_at;
    await shop.send(
      'checkouts/update',
      checkoutBody({
        id,
        updatedAt: '2026-01-05T11:00:00Z',
        completedAt: '2026-01-05T11:00:00Z',
        totalPrice: '30.00',
      }),
    );
    await app.drain();
    assert.equal((await checkout(shop.id, id))?.synced_at, synced, 'an identical replay writes nothing');
    assert.deepEqual(await shop.statuses(), { processed: 5 });
  });

  it('soft-deletes a checkout, and a delete that comes first leaves a tombstone an older create cannot lift', async () => {
    const shop = await tenant();
    const id = newId();
    await shop.send('checkouts/create', checkoutBody({ id, updatedAt: '2026-01-05T10:00:00Z' }));
    await app.drain();
    await shop.send('checkouts/delete', JSON.stringify({ id: int(id) }), '2026-01-06T00:00:00Z');
    await shop.send(
      'checkouts/update',
      checkoutBody({ id, updatedAt: '2026-01-05T12:00:00Z', totalPrice: '12.00' }),
    );
    await app.drain();
    const deleted = await checkout(shop.id, id);
    assert.equal(deleted?.deleted_at, '2026-01-06T00:00:00.000Z');
    assert.equal(deleted?.total_price, '12.00', 'the row still takes newer versions, and stays deleted');

    const early = newId();
    await shop.send('checkouts/delete', JSON.stringify({ id: int(early) }), '2026-01-07T00:00:00Z');
    await app.drain();
    await shop.send('checkouts/create', checkoutBody({ id: early, updatedAt: '2026-01-05T10:00:00Z' }));
    await app.drain();
    const tombstoned = await checkout(shop.id, early);
    assert.equal(tombstoned?.deleted_at, '2026-01-07T00:00:00.000Z');
    assert.equal(tombstoned?.total_price, '10.00');
  });

  it('keys carts by token, newest updated_at wins, and sums line_price', async () => {
    const shop = await tenant();
    const cart = (updatedAt: string, prices: string[]) =>
      JSON.stringify({
        id: 'cart-token-1',
        token: 'cart-token-1',
        note: null,
        created_at: '2026-01-05T09:00:00Z',
        updated_at: updatedAt,
        line_items: prices.map((price) => ({ line_price: price, line_price_set: set(price), quantity: 1 })),
      });
    await shop.send('carts/update', cart('2026-01-05T09:30:00Z', ['10.00', '5.50']));
    await shop.send('carts/create', cart('2026-01-05T09:00:00Z', ['10.00']));
    await app.drain();
    const rows = await app.db.system.query<{ id: string; total_price: string; line_items_count: number }>(
      'SELECT id, total_price::text, line_items_count FROM carts WHERE tenant_id = $1',
      [shop.id],
    );
    assert.deepEqual(rows, [{ id: 'cart-token-1', total_price: '15.5', line_items_count: 2 }]);
  });

  it('carries duties on orders and refunded duties on refunds, with the checkout and cart tokens', async () => {
    const shop = await tenant();
    const lineId = newId();
    const built = orderBody({
      lines: [{ id: lineId, price: '100.00', quantity: 1 }],
      processedAt: '2026-01-05T10:00:00Z',
    });
    const refundId = newId();
    const body = JSON.stringify({
      ...JSON.parse(built.json),
      checkout_token: 'chk-token',
      cart_token: 'cart-token',
      original_total_duties_set: set('12.30'),
      refunds: [
        {
          id: int(refundId),
          order_id: int(built.id),
          processed_at: '2026-01-06T10:00:00Z',
          refund_line_items: [],
          duties: [{ duty_id: int(newId()), amount_set: set('4.10') }],
        },
      ],
    });
    await shop.send('orders/create', body);
    await app.drain();
    const [row] = await app.db.system.query<{ duties: string; checkout_token: string; cart_token: string }>(
      'SELECT duties::text, checkout_token, cart_token FROM orders WHERE tenant_id = $1',
      [shop.id],
    );
    assert.deepEqual(row, { duties: '12.30', checkout_token: 'chk-token', cart_token: 'cart-token' });
    const [refund] = await app.db.system.query<{ refunded_duties: string }>(
      'SELECT refunded_duties::text FROM refunds WHERE tenant_id = $1 AND id = $2',
      [shop.id, refundId],
    );
    assert.equal(refund?.refunded_duties, '4.1');
  });

  it('keeps the checkout links of an order when a version without them (a synced one) arrives', async () => {
    const shop = await tenant();
    const linked = orderBody({
      processedAt: '2026-01-05T10:00:00Z',
      updatedAt: '2026-01-05T10:00:00Z',
      checkoutId: '9007199254750001',
      checkoutToken: 'linked-token',
    });
    await shop.send('orders/create', linked.json);
    await app.drain();
    // The same order as the Admin GraphQL API gives it: no checkout id or token, edited later. (Its ids are
    // small enough for JSON.parse; the checkout id that is not is deleted.)
    const synced = JSON.parse(linked.json) as Record<string, unknown>;
    delete synced.checkout_id;
    delete synced.checkout_token;
    synced.updated_at = '2026-01-06T10:00:00Z';
    synced.note = 'edited';
    await shop.send('orders/updated', JSON.stringify(synced));
    await app.drain();
    const [row] = await app.db.system.query<{
      checkout_id: string;
      checkout_token: string;
      updated_at: string;
    }>('SELECT checkout_id::text, checkout_token, updated_at FROM orders WHERE tenant_id = $1 AND id = $2', [
      shop.id,
      linked.id,
    ]);
    assert.deepEqual(row, {
      checkout_id: '9007199254750001',
      checkout_token: 'linked-token',
      updated_at: '2026-01-06T10:00:00.000Z',
    });
  });

  it('makes inventory levels that arrive out of order converge on the newest', async () => {
    const shop = await tenant();
    const [item, location] = [newId(), newId()];
    const level = async () => {
      const [row] = await app.db.system.query<{
        available: number | null;
        updated_at: string | null;
        disconnected_at: string | null;
        synced_at: string;
      }>(
        `SELECT available, updated_at, disconnected_at, synced_at FROM inventory_levels
         WHERE tenant_id = $1 AND inventory_item_id = $2 AND location_id = $3`,
        [shop.id, item, location],
      );
      return row;
    };
    // In one batch: the newest first, then two older ones.
    await shop.send('inventory_levels/update', levelBody(item, location, 7, '2026-01-05T12:00:00Z'));
    await shop.send('inventory_levels/update', levelBody(item, location, 9, '2026-01-05T11:00:00Z'));
    await shop.send('inventory_levels/connect', levelBody(item, location, 0, '2026-01-05T10:00:00Z'));
    await app.drain();
    assert.equal((await level())?.available, 7);
    // In later batches: an older one alone, then a replay of the newest.
    await shop.send('inventory_levels/update', levelBody(item, location, 3, '2026-01-05T11:30:00Z'));
    await app.drain();
    const synced = (await level())!.synced_at;
    await shop.send('inventory_levels/update', levelBody(item, location, 7, '2026-01-05T12:00:00Z'));
    await app.drain();
    assert.deepEqual(await level(), {
      available: 7,
      updated_at: '2026-01-05T12:00:00.000Z',
      disconnected_at: null,
      synced_at: synced,
    });

    // Disconnected after its last update; a connect older than the disconnection does not reconnect it...
    const disconnect = JSON.stringify({ inventory_item_id: int(item), location_id: int(location) });
    await shop.send('inventory_levels/disconnect', disconnect, '2026-01-05T13:00:00Z');
    await app.drain();
    await shop.send('inventory_levels/connect', levelBody(item, location, 1, '2026-01-05T12:30:00Z'));
    await app.drain();
    assert.equal((await level())?.disconnected_at, '2026-01-05T13:00:00.000Z');
    // ...a newer one does.
    await shop.send('inventory_levels/connect', levelBody(item, location, 4, '2026-01-05T14:00:00Z'));
    await app.drain();
    const reconnected = await level();
    assert.equal(reconnected?.disconnected_at, null);
    assert.equal(reconnected?.available, 4);
    // A disconnection older than the stored version changes nothing.
    await shop.send('inventory_levels/disconnect', disconnect, '2026-01-05T13:30:00Z');
    await app.drain();
    assert.equal((await level())?.disconnected_at, null);
  });

  it('soft-deletes locations and inventory items, and a disconnect for an unknown level leaves a tombstone', async () => {
    const shop = await tenant();
    const [location, item, other] = [newId(), newId(), newId()];
    await shop.send(
      'locations/create',
      JSON.stringify({ id: int(location), name: 'Depot', active: true, updated_at: '2026-01-01T00:00:00Z' }),
    );
    await shop.send(
      'inventory_items/create',
      JSON.stringify({
        id: int(item),
        sku: 'SKU-1',
        cost: '2.50',
        tracked: true,
        updated_at: '2026-01-01T00:00:00Z',
      }),
    );
    await shop.send(
      'inventory_levels/disconnect',
      JSON.stringify({ inventory_item_id: int(other), location_id: int(location) }),
      '2026-01-05T00:00:00Z',
    );
    await app.drain();
    await shop.send('locations/delete', JSON.stringify({ id: int(location) }), '2026-01-02T00:00:00Z');
    await shop.send('inventory_items/delete', JSON.stringify({ id: int(item) }), '2026-01-03T00:00:00Z');
    await shop.send('inventory_levels/connect', levelBody(other, location, 5, '2026-01-04T00:00:00Z'));
    await app.drain();
    const [loc] = await app.db.system.query<{ name: string; deleted_at: string }>(
      'SELECT name, deleted_at FROM locations WHERE tenant_id = $1',
      [shop.id],
    );
    assert.deepEqual(loc, { name: 'Depot', deleted_at: '2026-01-02T00:00:00.000Z' });
    const [inventoryItem] = await app.db.system.query<{ cost: string; deleted_at: string }>(
      'SELECT cost::text, deleted_at FROM inventory_items WHERE tenant_id = $1',
      [shop.id],
    );
    assert.deepEqual(inventoryItem, { cost: '2.50', deleted_at: '2026-01-03T00:00:00.000Z' });
    const [level] = await app.db.system.query<{ available: number; disconnected_at: string }>(
      'SELECT available, disconnected_at FROM inventory_levels WHERE tenant_id = $1',
      [shop.id],
    );
    assert.deepEqual(level, { available: 5, disconnected_at: '2026-01-05T00:00:00.000Z' });
    assert.deepEqual(await shop.statuses(), { processed: 6 });
  });

  it('marks a checkout without an id dead, with the reason', async () => {
    const shop = await tenant();
    await shop.send('checkouts/create', JSON.stringify({ token: 'abc', updated_at: '2026-01-01T00:00:00Z' }));
    await app.drain();
    const [event] = await app.db.system.query<{ status: string; last_error: string }>(
      'SELECT status, last_error FROM webhook_events WHERE tenant_id = $1',
      [shop.id],
    );
    assert.equal(event?.status, 'dead');
    assert.match(event?.last_error ?? '', /invalid checkout payload/);
  });

  it("erases a customer's checkouts on customers/redact, and every checkout, cart and inventory row on shop/redact", async () => {
    const shop = await tenant();
    const [mine, theirs, customerId] = [newId(), newId(), newId()];
    const withCustomer = (id: string, email: string, customer: string) =>
      JSON.stringify({
        ...JSON.parse(checkoutBody({ id, updatedAt: '2026-01-05T10:00:00Z', totalPrice: '42.00' })),
        id: int(id),
        email,
        customer: { id: int(customer), email },
        shipping_address: { address1: '1 Private Road', phone: '+1 555 0100' },
      });
    await shop.send('checkouts/create', withCustomer(mine, 'Private.Person@example.com', customerId));
    await shop.send('checkouts/create', withCustomer(theirs, 'other@example.com', newId()));
    await shop.send('carts/create', JSON.stringify({ id: 'cart-x', token: 'cart-x', line_items: [] }));
    await shop.send('locations/create', JSON.stringify({ id: int(newId()), name: 'Depot' }));
    await shop.send('inventory_items/create', JSON.stringify({ id: int(newId()), sku: 'S', cost: '1.00' }));
    await shop.send('inventory_levels/update', levelBody(newId(), newId(), 3, '2026-01-05T10:00:00Z'));
    await app.drain();

    await shop.send(
      'customers/data_request',
      JSON.stringify({
        shop_id: 1,
        customer: { id: int(customerId), email: 'private.person@example.com', phone: null },
        orders_requested: [],
        data_request: { id: 901 },
      }),
    );
    await app.drain();
    const requests = (await app.api('GET', `/api/v1/tenants/${shop.id}/privacy-requests`)).json().requests;
    const exported = (
      await app.api('GET', `/api/v1/tenants/${shop.id}/privacy-requests/${requests[0].id}`)
    ).json().export;
    assert.deepEqual(
      exported.checkouts.map((k: { id: number; email: string }) => [String(k.id), k.email]),
      [[mine, 'Private.Person@example.com']],
      "the data request exports the customer's checkouts",
    );

    await shop.send(
      'customers/redact',
      JSON.stringify({
        shop_id: 1,
        customer: { id: int(customerId), email: 'private.person@example.com', phone: null },
        orders_to_redact: [],
      }),
    );
    await app.drain();
    const rows = await app.db.system.query<{
      id: string;
      email: string | null;
      raw: string;
      total_price: string;
    }>(
      'SELECT id::text, email, raw::text, total_price::text FROM checkouts WHERE tenant_id = $1 ORDER BY id',
      [shop.id],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    assert.equal(byId.get(mine)?.email, null);
    assert.doesNotMatch(byId.get(mine)!.raw, /Private Road|Private\.Person/i);
    assert.equal(byId.get(mine)?.total_price, '42.00', 'amounts stay for the reports');
    assert.equal(byId.get(theirs)?.email, 'other@example.com', "another customer's checkout is untouched");

    await shop.send('shop/redact', JSON.stringify({ shop_id: 1, shop_domain: 'ignored.myshopify.com' }));
    await app.drain();
    for (const table of ['checkouts', 'carts', 'locations', 'inventory_items', 'inventory_levels']) {
      const [left] = await app.db.system.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${table} WHERE tenant_id = $1`,
        [shop.id],
      );
      assert.equal(left?.n, '0', table);
    }
  });
});
