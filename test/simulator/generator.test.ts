// The generator against Shopify's own samples (every key, same JSON types), its arithmetic (totals add up in
// both currencies, refunds included), determinism by seed, and exact ids above 2^53.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

import { parseMinor } from './amounts.ts';
import { currencyOf } from './catalog.ts';
import { generateStore, groundTruth } from './generator.ts';
import type { RestRecord } from './rest-shapes.ts';
import { shapeDifferences, type ShapeExceptions } from './shape.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/shopify');
const fixture = (file: string) =>
  JSON.parse(readFileSync(resolve(FIXTURES, file), 'utf8')) as Record<string, unknown>;
const firstOf = (file: string, key: string) => (fixture(file)[key] as unknown[])[0];

const store = generateStore({ seed: 7, orderCount: 1500, productCount: 30 });
/** The JSON as a consumer parses it (ids above 2^53 lose digits here, which a type check does not mind). */
const parsed = (record: RestRecord) => JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
const orders = [...store.orders];

/** An order with most of what the samples show: customer, card, discount, shipping, fulfillment, a refund. */
const richOrder = orders.find(
  (order) =>
    order.customer !== null &&
    (order.payment_gateway_names as string[])[0] === 'shopify_payments' &&
    (order.discount_codes as unknown[]).length > 0 &&
    (order.shipping_lines as unknown[]).length > 0 &&
    (order.fulfillments as unknown[]).length > 0 &&
    (order.refunds as RestRecord[]).some(
      (refund) => (refund.refund_shipping_lines as unknown[]).length === 0,
    ),
);

// Fields that Shopify leaves null where they do not apply (a POS sale has no cart, a refund by an app no
// user, a single-variant product no variant title, France no province), and gateway-specific receipts.
const EXCEPTIONS: ShapeExceptions = {
  nullable: [
    '$.landing_site_ref',
    '$.reference',
    '$.source_identifier',
    '$.phone',
    '$.po_number',
    '$.note',
    '.province',
    '.province_code',
    '.company',
    '.variant_title',
    '.note',
    '.user_id',
    '.transactions[].parent_id',
  ],
  freeForm: ['.receipt'],
};
const ORDER_EXCEPTIONS: ShapeExceptions = {
  freeForm: EXCEPTIONS.freeForm ?? [],
  nullable: [
    ...(EXCEPTIONS.nullable ?? []),
    ...['$.customer', '$.browser_ip', '$.cart_token', '$.checkout_id', '$.checkout_token', '$.landing_site'],
    ...['$.client_details.browser_ip', '$.referring_site', '$.shipping_address', '$.location_id', '$.app_id'],
    ...[
      '.tracking_company',
      '.tracking_number',
      '.tracking_url',
      '$.cancel_reason',
      '$.cancelled_at',
      '$.closed_at',
    ],
    '.authorization',
    '.variant_inventory_management',
  ],
};

describe('generated records have the keys and JSON types of Shopify samples', () => {
  test('an order matches rest_orders_list.json and the 2026-04 orders/create webhook sample', () => {
    assert.ok(richOrder, 'no order with customer, card payment, discount, shipping, fulfillment and refund');
    const order = parsed(richOrder);
    assert.deepEqual(shapeDifferences(firstOf('rest_orders_list.json', 'orders'), order, EXCEPTIONS), []);
    assert.deepEqual(shapeDifferences(fixture('webhook_orders_create.json'), order, ORDER_EXCEPTIONS), []);
  });

  test('every order has the shape, guests and POS sales included', () => {
    const sample = firstOf('rest_orders_list.json', 'orders');
    for (const order of orders.slice(0, 500)) {
      assert.deepEqual(shapeDifferences(sample, parsed(order), ORDER_EXCEPTIONS), [], String(order.name));
    }
  });

  test('a refund matches rest_refunds_list.json', () => {
    const refund = (richOrder?.refunds as RestRecord[])[0] as RestRecord;
    assert.deepEqual(
      shapeDifferences(firstOf('rest_refunds_list.json', 'refunds'), parsed(refund), EXCEPTIONS),
      [],
    );
  });

  test('transactions match rest_order_transactions_list.json', () => {
    const samples = fixture('rest_order_transactions_list.json').transactions as RestRecord[];
    const card = samples.find((sample) => sample.kind === 'authorization');
    for (const index of [0, 1, 2, 3, 4]) {
      const draft = store.orderDraft(index);
      for (const transaction of store.renderOrder(draft).transactions) {
        const sample = transaction.payment_details ? card : samples[0];
        const exceptions = { nullable: ['$.parent_id', '$.authorization'], freeForm: ['$.receipt'] };
        assert.deepEqual(shapeDifferences(sample, parsed(transaction), exceptions), []);
      }
    }
  });

  test('a customer matches rest_customers_list.json', () => {
    const sample = firstOf('rest_customers_list.json', 'customers');
    const customers = [...store.customers].slice(0, 50).map(parsed);
    const exceptions = {
      nullable: [
        '$.note',
        '$.last_order_id',
        '$.last_order_name',
        '.opt_in_level',
        '.province',
        '.province_code',
      ],
    };
    for (const customer of customers) assert.deepEqual(shapeDifferences(sample, customer, exceptions), []);
    assert.ok(customers.some((customer) => Number(customer.orders_count) > 1));
  });

  test('a product matches rest_products_list.json and the products/create webhook sample', () => {
    const exceptions = {
      nullable: ['$.published_at', '.image_id', '.inventory_management', '.compare_at_price'],
    };
    for (const product of store.products.map(parsed)) {
      assert.deepEqual(
        shapeDifferences(firstOf('rest_products_list.json', 'products'), product, exceptions),
        [],
      );
      assert.deepEqual(shapeDifferences(fixture('webhook_products_create.json'), product, exceptions), []);
    }
  });

  test('an abandoned checkout matches rest_abandoned_checkouts_list.json', () => {
    const sample = firstOf('rest_abandoned_checkouts_list.json', 'checkouts');
    for (const checkout of [...store.checkouts].slice(0, 50)) {
      const exceptions = { nullable: ['$.customer', '.province', '.province_code'] };
      assert.deepEqual(shapeDifferences(sample, parsed(checkout), exceptions), []);
    }
  });

  test('the shop matches rest_shop.json', () => {
    assert.deepEqual(shapeDifferences(fixture('rest_shop.json').shop, parsed(store.shopJson())), []);
  });
});

/** Amounts of a `*_set` in shop and presentment currency, in minor units. */
function pair(set: unknown, order: RestRecord): [number, number] {
  const value = set as { shop_money: { amount: string }; presentment_money: { amount: string } };
  return [
    parseMinor(value.shop_money.amount, currencyOf(String(order.currency)).digits),
    parseMinor(value.presentment_money.amount, currencyOf(String(order.presentment_currency)).digits),
  ];
}

function sumPairs(items: unknown, key: string, order: RestRecord): [number, number] {
  return ((items as RestRecord[]) ?? []).reduce<[number, number]>(
    (total, item) => {
      const [s, p] = pair(item[key], order);
      return [total[0] + s, total[1] + p];
    },
    [0, 0],
  );
}

describe('generated orders add up, in shop and presentment currency', () => {
  for (const store of [
    generateStore({ seed: 11, orderCount: 800 }),
    generateStore({ seed: 12, orderCount: 400, currency: 'EUR', timezone: 'Europe/Berlin' }),
    generateStore({ seed: 13, orderCount: 300, currency: 'JPY', timezone: 'Asia/Tokyo' }),
  ]) {
    test(`${store.shop.currencyCode} shop: line items, discounts, taxes, shipping, totals and refunds`, () => {
      for (const order of store.orders) {
        const lines = order.line_items as RestRecord[];
        const shipping = order.shipping_lines as RestRecord[];
        const units = lines.map((line) => pair(line.price_set, order));
        const lineTotal = lines.reduce<[number, number]>(
          (total, line, n) => [
            total[0] + (units[n] as [number, number])[0] * Number(line.quantity),
            total[1] + (units[n] as [number, number])[1] * Number(line.quantity),
          ],
          [0, 0],
        );
        const discounts = lines.reduce<[number, number]>(
          (total, line) => {
            const [s, p] = sumPairs(line.discount_allocations, 'amount_set', order);
            return [total[0] + s, total[1] + p];
          },
          [0, 0],
        );
        const lineTax = lines.reduce<[number, number]>(
          (total, line) => {
            const [s, p] = sumPairs(line.tax_lines, 'price_set', order);
            return [total[0] + s, total[1] + p];
          },
          [0, 0],
        );
        const shippingPrice = sumPairs(shipping, 'price_set', order);
        const shippingTax = shipping.reduce<[number, number]>(
          (total, line) => {
            const [s, p] = sumPairs(line.tax_lines, 'price_set', order);
            return [total[0] + s, total[1] + p];
          },
          [0, 0],
        );
        const included = order.taxes_included === true;
        for (const c of [0, 1] as const) {
          const where = `order ${order.name} currency ${c}`;
          assert.equal(pair(order.total_line_items_price_set, order)[c], lineTotal[c], where);
          assert.equal(pair(order.total_discounts_set, order)[c], discounts[c], where);
          assert.equal(pair(order.subtotal_price_set, order)[c], lineTotal[c] - discounts[c], where);
          assert.equal(pair(order.total_tax_set, order)[c], lineTax[c] + shippingTax[c], where);
          assert.equal(sumPairs(order.tax_lines, 'price_set', order)[c], lineTax[c] + shippingTax[c], where);
          assert.equal(pair(order.total_shipping_price_set, order)[c], shippingPrice[c], where);
          const total =
            lineTotal[c] - discounts[c] + shippingPrice[c] + (included ? 0 : lineTax[c] + shippingTax[c]);
          assert.equal(pair(order.total_price_set, order)[c], total, where);

          let refunded = 0;
          for (const refund of order.refunds as RestRecord[]) {
            const subtotal = sumPairs(refund.refund_line_items, 'subtotal_set', order)[c];
            const tax = sumPairs(refund.refund_line_items, 'total_tax_set', order)[c];
            const shipped = sumPairs(refund.refund_shipping_lines, 'subtotal_amount_set', order)[c];
            const shippedTax = sumPairs(refund.refund_shipping_lines, 'total_tax_set', order)[c];
            const given = subtotal + shipped + (included ? 0 : tax + shippedTax);
            refunded += given;
            if (c === 1) {
              const transaction = (refund.transactions as RestRecord[])[0] as RestRecord;
              const digits = currencyOf(String(order.presentment_currency)).digits;
              assert.equal(
                parseMinor(String(transaction.amount), digits),
                given,
                `${where} refund transaction`,
              );
            }
          }
          assert.equal(pair(order.current_total_price_set, order)[c], total - refunded, where);
        }
        if ((order.refunds as unknown[]).length > 0 && order.financial_status !== 'voided') {
          assert.match(String(order.financial_status), /refunded$/);
        }
      }
    });
  }

  test('ground truth sums what the orders say', () => {
    const small = generateStore({ seed: 21, orderCount: 200 });
    const truth = groundTruth(small.orders);
    let lineItems = 0;
    for (const order of small.orders) lineItems += parseMinor(String(order.total_line_items_price), 2);
    assert.equal(truth.orders, 200);
    assert.equal(parseMinor(truth.lineItemsTotal, 2), lineItems);
    assert.ok(truth.refunds > 0 && parseMinor(truth.refunded, 2) > 0);
    assert.ok(truth.testOrders > 0 && truth.cancelledOrders > 0);
  });
});

describe('the data covers what Shopsight has to handle', () => {
  test('currencies, sources, cancellations, test orders, late refunds, split refunds, offsets', () => {
    const presentment = new Set(orders.map((order) => order.presentment_currency));
    assert.ok(presentment.size >= 4, `presentment currencies: ${[...presentment].join(', ')}`);
    const sources = new Set(orders.map((order) => order.source_name));
    assert.deepEqual([...sources].sort(), ['pos', 'shopify_draft_order', 'web']);
    assert.ok(orders.some((order) => order.cancelled_at && order.financial_status === 'refunded'));
    assert.ok(orders.some((order) => order.cancelled_at && order.financial_status === 'voided'));
    assert.ok(orders.some((order) => order.test === true));
    assert.ok(orders.some((order) => order.financial_status === 'pending'));
    assert.ok(orders.some((order) => (order.refunds as unknown[]).length === 2));
    const lateRefund = orders.some((order) =>
      (order.refunds as RestRecord[]).some(
        (refund) =>
          Date.parse(String(refund.created_at)) - Date.parse(String(order.created_at)) > 3 * 86_400_000,
      ),
    );
    assert.ok(lateRefund, 'no refund dated days after its order');
    const offsets = new Set(orders.map((order) => String(order.created_at).slice(-6)));
    assert.deepEqual([...offsets].sort(), ['-04:00', '-05:00']);
    assert.ok(
      orders.some((order) => (order.line_items as RestRecord[]).some((line) => line.gift_card === true)),
    );
    assert.ok(
      orders.every((order) => order.checkout_id === null || typeof order.checkout_token === 'string'),
    );
  });

  test('created_at follows the index, and updated_at never precedes created_at', () => {
    let previous = 0;
    for (let index = 0; index < 500; index += 1) {
      const times = store.orderTimes(index);
      const order = store.orders.at(index);
      assert.ok(times.createdMs >= previous);
      previous = times.createdMs;
      assert.equal(Date.parse(String(order.created_at)), Math.floor(times.createdMs / 1000) * 1000);
      assert.equal(Date.parse(String(order.updated_at)), Math.floor(times.updatedMs / 1000) * 1000);
      assert.ok(times.updatedMs - times.createdMs <= store.maxOrderLagMs);
    }
  });
});

describe('determinism and exact ids', () => {
  test('the same seed gives the same JSON, another seed other JSON, in any reading order', () => {
    const a = generateStore({ seed: 5, orderCount: 50 });
    const b = generateStore({ seed: 5, orderCount: 50 });
    const c = generateStore({ seed: 6, orderCount: 50 });
    const backwards = [...Array(50).keys()].reverse().map((index) => JSON.stringify(b.orders.at(index)));
    assert.deepEqual(
      [...a.orders].map((order) => JSON.stringify(order)),
      backwards.reverse(),
    );
    assert.deepEqual(JSON.stringify(a.products), JSON.stringify(b.products));
    assert.deepEqual(JSON.stringify([...a.customers]), JSON.stringify([...b.customers]));
    assert.notEqual(JSON.stringify(a.orders.at(3)), JSON.stringify(c.orders.at(3)));
  });

  test('ids above 2^53 are written digit for digit', () => {
    const text = JSON.stringify(store.orders.at(42));
    const id = /"id":(\d+)/.exec(text)?.[1] as string;
    assert.ok(BigInt(id) > 2n ** 53n);
    assert.ok(text.includes(`"admin_graphql_api_id":"gid://shopify/Order/${id}"`));
    for (const [, digits, gidDigits] of text.matchAll(
      /"id":(\d+),"admin_graphql_api_id":"gid:\/\/shopify\/\w+\/(\d+)"/g,
    )) {
      assert.equal(digits, gidDigits);
    }
    assert.notEqual(String(Number(id)), id, 'this id would lose digits through JSON.parse');
  });

  test('options are checked', () => {
    assert.throws(() => generateStore({ orderCount: -1 }), RangeError);
    assert.throws(() => generateStore({ currency: 'XXX' }), /unknown currency/);
    assert.throws(() => generateStore({ timezone: 'Mars/Olympus' }), RangeError);
    assert.throws(() => generateStore({ startDate: '2025-13-45' }), RangeError);
    assert.throws(() => generateStore({ domain: 'shop.example.com' }), RangeError);
  });
});
