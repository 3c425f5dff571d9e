// Normalization turns Shopify payloads into the rows every report is computed from, so the sales parts
// (gross sales, discounts, shipping, taxes, returns) are checked here against Shopify's own sample payloads
// and against hand-built orders for the cases the samples do not cover.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

import { isJsonObject, parseJsonLossless, type JsonObject, type JsonValue } from '../lib/json.ts';
import { minus, sum } from '../lib/money.ts';
import {
  InvalidPayloadError,
  deletedId,
  levelDisconnection,
  normalizeCart,
  normalizeCheckout,
  normalizeCustomer,
  normalizeInventoryItem,
  normalizeInventoryLevel,
  normalizeLocation,
  normalizeOrder,
  normalizeProduct,
  normalizeRefund,
} from './normalize.ts';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/shopify');
const TENANT = '7b0c2f4e-2f0c-4b8e-9a39-0d3e6c1d2a11';

function fixtureText(file: string): string {
  return readFileSync(resolve(FIXTURES, file), 'utf8');
}

function fixture(file: string): JsonValue {
  return parseJsonLossless(fixtureText(file));
}

/** The value at `path` (object keys and array indexes); fails the test when a step is missing. */
function at(value: JsonValue, ...path: (string | number)[]): JsonValue {
  let current: JsonValue | undefined = value;
  for (const step of path) {
    if (typeof step === 'number') {
      assert.ok(Array.isArray(current), `expected an array before [${step}]`);
      current = current[step];
    } else {
      assert.ok(isJsonObject(current), `expected an object before .${step}`);
      current = (current as JsonObject)[step];
    }
    assert.notEqual(current, undefined, `missing ${path.join('.')}`);
  }
  return current as JsonValue;
}

const shopMoney = (amount: string): JsonObject => ({ shop_money: { amount, currency_code: 'USD' } });

/** A minimal valid order; `extra` adds or overrides fields. */
function order(extra: JsonObject = {}): JsonObject {
  return { id: 1001, created_at: '2024-05-01T10:00:00-04:00', ...extra };
}

function line(id: number, price: string, quantity: number, extra: JsonObject = {}): JsonObject {
  return { id, price, quantity, ...extra };
}

function assertInvalid(run: () => unknown, message: string) {
  assert.throws(run, InvalidPayloadError, message);
}

describe('normalizeOrder with rest_orders_list.json (order 450789469)', () => {
  const input = at(fixture('rest_orders_list.json'), 'orders', 0);
  const result = normalizeOrder(TENANT, input);

  it('computes the sales parts of the order', () => {
    // 3 lines of 199.00; TENOFF's 10.00 allocated 3.34 + 3.33 + 3.33; free shipping; 3 x 3.98 state tax.
    assert.equal(result.order.gross_sales, '597');
    assert.equal(result.order.discounts, '10');
    assert.equal(result.order.shipping, '0');
    assert.equal(result.order.taxes, '11.94');
  });

  it('adds up to the total_price Shopify charged', () => {
    const { gross_sales, discounts, shipping, taxes, total_price } = result.order;
    assert.equal(total_price, '598.94');
    assert.equal(sum([minus(gross_sales, discounts), shipping, taxes]), '598.94');
  });

  it('copies the order fields, with times in UTC', () => {
    const row = result.order;
    assert.equal(row.tenant_id, TENANT);
    assert.equal(row.id, '450789469');
    assert.equal(row.name, '#1001');
    assert.equal(row.order_number, 1001);
    assert.equal(row.email, 'bob.norman@mail.example.com');
    assert.equal(row.customer_id, '207119551');
    assert.equal(row.checkout_id, '901414060');
    assert.equal(row.currency, 'USD');
    assert.equal(row.financial_status, 'partially_refunded');
    assert.equal(row.test, false);
    assert.equal(row.taxes_included, false);
    assert.equal(row.source_name, 'web');
    // "2008-01-10T11:00:00-05:00"
    assert.equal(row.created_at, '2008-01-10T16:00:00.000Z');
    assert.equal(row.processed_at, '2008-01-10T16:00:00.000Z');
    assert.equal(row.updated_at, '2008-01-10T16:00:00.000Z');
    assert.equal(row.cancelled_at, null);
    assert.equal(row.subtotal_price, '597.00');
    assert.equal(row.total_discounts, '10.00');
    assert.equal(row.total_tax, '11.94');
  });

  it('keeps the original payload as raw', () => {
    assert.equal(result.order.raw, input);
  });

  it('makes one row per line item with its own discount allocation', () => {
    const rows = result.lineItems.map((row) => ({
      id: row.id,
      variant_id: row.variant_id,
      quantity: row.quantity,
      price: row.price,
      gross_sales: row.gross_sales,
      discounts: row.discounts,
      taxes: row.taxes,
    }));
    assert.deepEqual(rows, [
      {
        id: '466157049',
        variant_id: '39072856',
        quantity: 1,
        price: '199.00',
        gross_sales: '199',
        discounts: '3.34',
        taxes: '3.98',
      },
      {
        id: '518995019',
        variant_id: '49148385',
        quantity: 1,
        price: '199.00',
        gross_sales: '199',
        discounts: '3.33',
        taxes: '3.98',
      },
      {
        id: '703073504',
        variant_id: '457924702',
        quantity: 1,
        price: '199.00',
        gross_sales: '199',
        discounts: '3.33',
        taxes: '3.98',
      },
    ]);
    for (const [index, row] of result.lineItems.entries()) {
      assert.equal(row.tenant_id, TENANT);
      assert.equal(row.order_id, '450789469');
      assert.equal(row.product_id, '632910392');
      assert.equal(row.gift_card, false);
      assert.equal(row.raw, at(input, 'line_items', index));
    }
    assert.equal(result.lineItems[0]!.sku, 'IPOD2008GREEN');
    assert.equal(result.lineItems[0]!.title, 'IPod Nano - 8gb');
    assert.equal(result.lineItems[0]!.variant_title, 'green');
  });

  it('normalizes the embedded refund 509562969', () => {
    assert.equal(result.refunds.length, 1);
    const { refund, lineItems } = result.refunds[0]!;
    assert.equal(refund.id, '509562969');
    assert.equal(refund.order_id, '450789469');
    assert.equal(refund.note, 'it broke during shipping');
    assert.equal(refund.restock, true);
    assert.equal(refund.created_at, '2025-04-02T16:29:59.000Z');
    assert.equal(refund.processed_at, '2025-04-02T16:29:59.000Z');
    // Subtotals after discount: 195.66 + 195.67; tax 3.98 + 3.98; no shipping refunded.
    assert.equal(refund.returns, '391.33');
    assert.equal(refund.refunded_taxes, '7.96');
    assert.equal(refund.refunded_shipping, '0');
    assert.equal(refund.raw, at(input, 'refunds', 0));

    assert.deepEqual(
      lineItems.map((row) => [
        row.id,
        row.line_item_id,
        row.quantity,
        row.subtotal,
        row.total_tax,
        row.restock_type,
      ]),
      [
        ['104689539', '703073504', 1, '195.66', '3.98', 'legacy_restock'],
        ['709875399', '466157049', 1, '195.67', '3.98', 'legacy_restock'],
      ],
    );
    for (const [index, row] of lineItems.entries()) {
      assert.equal(row.refund_id, '509562969');
      assert.equal(row.order_id, '450789469');
      assert.equal(row.raw, at(input, 'refunds', 0, 'refund_line_items', index));
    }
  });

  it('normalizes the embedded customer', () => {
    const customer = result.customer;
    assert.ok(customer);
    assert.equal(customer.id, '207119551');
    assert.equal(customer.email, 'bob.norman@mail.example.com');
    assert.equal(customer.tags, 'Léon, Noël');
    assert.equal(customer.created_at, '2025-04-02T16:29:59.000Z');
    assert.equal(customer.raw, at(input, 'customer'));
  });
});

describe('normalizeOrder with the other Shopify samples', () => {
  it('rest_order_created_with_discount.json: 199.00 less a 17.91 discount', () => {
    const { order: row, lineItems } = normalizeOrder(
      TENANT,
      at(fixture('rest_order_created_with_discount.json'), 'order'),
    );
    assert.equal(row.id, '1073459981');
    assert.equal(row.gross_sales, '199');
    assert.equal(row.discounts, '17.91');
    assert.equal(row.taxes, '0.00');
    assert.equal(lineItems.length, 1);
    assert.equal(lineItems[0]!.discounts, '17.91');
  });

  it('webhook_orders_create.json: test, cancelled, and ids exactly as the file writes them', () => {
    const text = fixtureText('webhook_orders_create.json');
    const { order: row, lineItems, customer } = normalizeOrder(TENANT, parseJsonLossless(text));
    assert.equal(row.id, '820982911946154500');
    assert.match(text, /^ {2}"id": 820982911946154500,$/m);
    assert.equal(row.test, true);
    assert.equal(row.cancelled_at, '2022-01-01T00:00:00.000Z');
    assert.equal(row.cancel_reason, 'customer');
    assert.equal(row.customer_id, '115310627314723950');
    assert.equal(customer?.id, '115310627314723950');
    assert.deepEqual(
      lineItems.map((item) => item.id),
      [
        '487817672276298560',
        '789012345678901200',
        '890123456789012400',
        '976318377106520300',
        '315789986012684400',
      ],
    );
    assert.equal(lineItems[0]!.product_id, '788032119674292900');
    assert.equal(lineItems[1]!.product_id, null);
    // 89.99 + 19.99 + 24.99 + 159.99 + 119.99, and one 10.00 shipping line.
    assert.equal(row.gross_sales, '414.95');
    assert.equal(row.shipping, '10');
  });

  it('rest_order_created_eur.json: amounts in the shop currency', () => {
    const { order: row } = normalizeOrder(TENANT, at(fixture('rest_order_created_eur.json'), 'order'));
    assert.equal(row.currency, 'EUR');
    assert.equal(row.gross_sales, '224.97');
    assert.equal(row.taxes, '13.50');
  });
});

describe('normalizeOrder definitions on constructed orders', () => {
  it('leaves gift card lines out of gross sales and discounts', () => {
    const { order: row, lineItems } = normalizeOrder(
      TENANT,
      order({
        line_items: [
          line(1, '50.00', 2, { discount_allocations: [{ amount: '5.00' }] }),
          line(2, '25.00', 1, { gift_card: true, discount_allocations: [{ amount: '2.50' }] }),
        ],
      }),
    );
    assert.equal(row.gross_sales, '100');
    assert.equal(row.discounts, '5');
    assert.equal(lineItems[1]!.gift_card, true);
    assert.equal(lineItems[1]!.gross_sales, '0');
    assert.equal(lineItems[1]!.discounts, '0');
  });

  it('takes the line tax out of gross sales when prices include tax', () => {
    const lines = [line(1, '120.00', 1, { tax_lines: [{ price: '20.00' }] })];
    const included = normalizeOrder(
      TENANT,
      order({ taxes_included: true, total_tax: '20.00', line_items: lines }),
    );
    assert.equal(included.order.taxes_included, true);
    assert.equal(included.order.gross_sales, '100');
    assert.equal(included.lineItems[0]!.taxes, '20');
    assert.equal(included.order.taxes, '20.00');

    const excluded = normalizeOrder(
      TENANT,
      order({ taxes_included: false, total_tax: '20.00', line_items: lines }),
    );
    assert.equal(excluded.order.gross_sales, '120');
  });

  it('charges shipping less its discounts, and less its tax when prices include tax', () => {
    const shippingLines: JsonValue[] = [
      {
        price: '10.00',
        discount_allocations: [{ amount: '2.00' }],
        tax_lines: [{ price: '1.33' }],
      },
      { price: '4.50' },
    ];
    const excluded = normalizeOrder(TENANT, order({ shipping_lines: shippingLines }));
    assert.equal(excluded.order.shipping, '12.5');
    const included = normalizeOrder(TENANT, order({ taxes_included: true, shipping_lines: shippingLines }));
    assert.equal(included.order.shipping, '11.17');
  });

  it('reads *_set.shop_money over the presentment amounts', () => {
    // A CAD shop selling in USD: `price` is in presentment currency, `price_set.shop_money` in shop currency.
    const { order: row, lineItems } = normalizeOrder(
      TENANT,
      order({
        currency: 'USD',
        total_tax: '1.00',
        total_tax_set: { shop_money: { amount: '1.37', currency_code: 'CAD' } },
        line_items: [
          line(1, '10.00', 2, {
            price_set: shopMoney('13.70'),
            discount_allocations: [{ amount: '1.00', amount_set: shopMoney('1.37') }],
            tax_lines: [{ price: '1.00', price_set: shopMoney('1.37') }],
          }),
        ],
        shipping_lines: [{ price: '5.00', price_set: shopMoney('6.85') }],
      }),
    );
    assert.equal(lineItems[0]!.price, '13.70');
    assert.equal(row.gross_sales, '27.4');
    assert.equal(row.discounts, '1.37');
    assert.equal(lineItems[0]!.taxes, '1.37');
    assert.equal(row.shipping, '6.85');
    assert.equal(row.taxes, '1.37');
    assert.equal(row.currency, 'CAD');
  });

  it('dates a sale by processed_at, falling back to created_at', () => {
    const imported = normalizeOrder(TENANT, order({ processed_at: '2020-02-29T23:30:00-08:00' }));
    assert.equal(imported.order.processed_at, '2020-03-01T07:30:00.000Z');
    assert.equal(imported.order.created_at, '2024-05-01T14:00:00.000Z');

    const plain = normalizeOrder(TENANT, order());
    assert.equal(plain.order.processed_at, '2024-05-01T14:00:00.000Z');
    assert.equal(plain.order.updated_at, '2024-05-01T14:00:00.000Z');
  });

  it('gives zeros and nulls for an order with nothing but an id and a date', () => {
    const result = normalizeOrder(TENANT, order());
    assert.equal(result.order.gross_sales, '0');
    assert.equal(result.order.discounts, '0');
    assert.equal(result.order.shipping, '0');
    assert.equal(result.order.taxes, '0');
    assert.equal(result.order.test, false);
    assert.equal(result.order.customer_id, null);
    assert.deepEqual(result.lineItems, []);
    assert.deepEqual(result.refunds, []);
    assert.equal(result.customer, null);
  });

  it('keeps the exact digits of ids above 2^53 given as JSON integers', () => {
    const text =
      '{"id":9223372036854775807,"created_at":"2024-05-01T10:00:00Z","checkout_id":820982911946154509,' +
      '"customer":{"id":9007199254740993},' +
      '"line_items":[{"id":820982911946154508,"product_id":788032119674292911,"price":"1.00","quantity":1}],' +
      '"refunds":[{"id":820982911946154507,"refund_line_items":[]}]}';
    // Plain JSON.parse would round every one of these ids.
    assert.equal(String(at(JSON.parse(text) as JsonValue, 'line_items', 0, 'id')), '820982911946154500');
    const result = normalizeOrder(TENANT, parseJsonLossless(text));
    assert.equal(result.order.id, '9223372036854775807');
    assert.equal(result.order.checkout_id, '820982911946154509');
    assert.equal(result.order.customer_id, '9007199254740993');
    assert.equal(result.lineItems[0]!.id, '820982911946154508');
    assert.equal(result.lineItems[0]!.order_id, '9223372036854775807');
    assert.equal(result.lineItems[0]!.product_id, '788032119674292911');
    assert.equal(result.refunds[0]!.refund.id, '820982911946154507');
    assert.equal(result.refunds[0]!.refund.order_id, '9223372036854775807');
  });

  it('reads money given as JSON numbers with their exact text', () => {
    const result = normalizeOrder(
      TENANT,
      parseJsonLossless(
        '{"id":1,"created_at":"2024-05-01T10:00:00Z","line_items":[{"id":2,"price":195.66,"quantity":3}]}',
      ),
    );
    assert.equal(result.lineItems[0]!.price, '195.66');
    assert.equal(result.order.gross_sales, '586.98');
  });
});

describe('refunds', () => {
  it('normalizeRefund reads rest_refunds_list.json', () => {
    const input = at(fixture('rest_refunds_list.json'), 'refunds', 0);
    const { refund, lineItems } = normalizeRefund(TENANT, input);
    assert.equal(refund.id, '509562969');
    assert.equal(refund.order_id, '450789469');
    assert.equal(refund.returns, '391.33');
    assert.equal(refund.refunded_taxes, '7.96');
    assert.equal(refund.refunded_shipping, '0');
    assert.equal(refund.processed_at, '2025-04-02T16:38:15.000Z');
    assert.equal(refund.raw, input);
    assert.deepEqual(
      lineItems.map((row) => [row.line_item_id, row.subtotal]),
      [
        ['703073504', '195.66'],
        ['466157049', '195.67'],
      ],
    );
  });

  it('counts a shipping_refund adjustment as refunded shipping and its tax as refunded tax', () => {
    const { refund } = normalizeRefund(TENANT, {
      id: 10,
      order_id: 20,
      refund_line_items: [{ id: 30, line_item_id: 40, quantity: 1, subtotal: '10.00', total_tax: '0.80' }],
      order_adjustments: [
        { kind: 'shipping_refund', amount: '-5.00', tax_amount: '-0.40' },
        // A refund discrepancy is not shipping and must not be counted as such.
        { kind: 'refund_discrepancy', amount: '-1.00', tax_amount: '0.00' },
      ],
    });
    assert.equal(refund.returns, '10');
    assert.equal(refund.refunded_shipping, '5');
    assert.equal(refund.refunded_taxes, '1.2');
  });

  it('counts refunded shipping once when a refund carries both refund_shipping_lines and the adjustment', () => {
    const { refund } = normalizeRefund(TENANT, {
      id: 10,
      order_id: 20,
      refund_shipping_lines: [{ subtotal_amount_set: shopMoney('5.00'), total_tax_set: shopMoney('0.40') }],
      order_adjustments: [{ kind: 'shipping_refund', amount: '-5.00', tax_amount: '-0.40' }],
    });
    assert.equal(refund.refunded_shipping, '5');
    assert.equal(refund.refunded_taxes, '0.4');
  });

  it('prefers the shop-money set of a shipping_refund adjustment', () => {
    const { refund } = normalizeRefund(TENANT, {
      id: 10,
      order_id: 20,
      order_adjustments: [
        {
          kind: 'shipping_refund',
          amount: '-5.00',
          amount_set: shopMoney('-6.85'),
          tax_amount: '-0.40',
          tax_amount_set: shopMoney('-0.55'),
        },
      ],
    });
    assert.equal(refund.refunded_shipping, '6.85');
    assert.equal(refund.refunded_taxes, '0.55');
  });

  it('counts refund_shipping_lines (API 2024-07+) as refunded shipping and tax', () => {
    const { refund } = normalizeRefund(TENANT, {
      id: 10,
      order_id: 20,
      refund_shipping_lines: [
        { subtotal_amount_set: shopMoney('5.00'), total_tax_set: shopMoney('0.40') },
        { subtotal_amount_set: shopMoney('2.50'), total_tax_set: shopMoney('0.20') },
      ],
    });
    assert.equal(refund.returns, '0');
    assert.equal(refund.refunded_shipping, '7.5');
    assert.equal(refund.refunded_taxes, '0.6');
  });

  it('leaves refunded gift card lines out of returns', () => {
    const { refund, lineItems } = normalizeRefund(TENANT, {
      id: 10,
      order_id: 20,
      refund_line_items: [
        { id: 1, quantity: 1, subtotal: '25.00', total_tax: '0.00', line_item: { gift_card: true } },
        { id: 2, quantity: 1, subtotal: '12.00', total_tax: '0.96', line_item: { gift_card: false } },
      ],
    });
    assert.equal(lineItems[0]!.subtotal, '0');
    assert.equal(refund.returns, '12');
    assert.equal(refund.refunded_taxes, '0.96');
  });

  it('takes the order id from the payload first, then from the caller', () => {
    assert.equal(normalizeRefund(TENANT, { id: 10, order_id: 20 }, '99').refund.order_id, '20');
    const { refund, lineItems } = normalizeRefund(
      TENANT,
      { id: 10, refund_line_items: [{ id: 1, quantity: 1, subtotal: '1.00' }] },
      '99',
    );
    assert.equal(refund.order_id, '99');
    assert.equal(lineItems[0]!.order_id, '99');
    assert.equal(lineItems[0]!.total_tax, '0');
  });

  it('dates a refund by processed_at, falling back to created_at', () => {
    const withBoth = normalizeRefund(TENANT, {
      id: 1,
      order_id: 2,
      created_at: '2024-01-01T00:00:00Z',
      processed_at: '2024-01-02T00:00:00Z',
    });
    assert.equal(withBoth.refund.processed_at, '2024-01-02T00:00:00.000Z');
    const createdOnly = normalizeRefund(TENANT, { id: 1, order_id: 2, created_at: '2024-01-01T00:00:00Z' });
    assert.equal(createdOnly.refund.processed_at, '2024-01-01T00:00:00.000Z');
  });
});

describe('customers', () => {
  it('reads rest_customers_list.json', () => {
    const input = at(fixture('rest_customers_list.json'), 'customers', 0);
    const row = normalizeCustomer(TENANT, input);
    assert.deepEqual(
      { ...row, raw: null },
      {
        tenant_id: TENANT,
        id: '207119551',
        email: 'bob.norman@mail.example.com',
        first_name: 'Bob',
        last_name: 'Norman',
        phone: '+16136120707',
        state: 'disabled',
        tags: 'Léon, Noël',
        currency: 'USD',
        orders_count: 1,
        total_spent: '199.65',
        created_at: '2025-04-02T16:25:34.000Z',
        updated_at: '2025-04-02T16:25:34.000Z',
        raw: null,
      },
    );
    assert.equal(row.raw, input);
  });

  it('reads webhook_customers_create.json, absent fields as null', () => {
    const row = normalizeCustomer(TENANT, fixture('webhook_customers_create.json'));
    assert.equal(row.id, '706405506930370000');
    assert.equal(row.email, 'bob@biller.com');
    assert.equal(row.phone, null);
    assert.equal(row.tags, null);
    assert.equal(row.orders_count, null);
    assert.equal(row.total_spent, null);
    assert.equal(row.created_at, '2022-01-01T00:00:00.000Z');
  });
});

describe('products', () => {
  it('reads rest_products_list.json with every variant', () => {
    const products = at(fixture('rest_products_list.json'), 'products');
    assert.ok(Array.isArray(products));
    const [nano, touch] = products.map((product) => normalizeProduct(TENANT, product));
    assert.ok(nano && touch);

    assert.equal(nano.product.id, '632910392');
    assert.equal(nano.product.title, 'IPod Nano - 8GB');
    assert.equal(nano.product.handle, 'ipod-nano');
    assert.equal(nano.product.vendor, 'Apple');
    assert.equal(nano.product.status, 'active');
    assert.equal(nano.product.published_at, '2008-01-01T00:00:00.000Z');
    assert.equal(nano.product.raw, products[0]);
    assert.deepEqual(
      nano.variants.map((v) => [
        v.id,
        v.product_id,
        v.title,
        v.sku,
        v.price,
        v.position,
        v.inventory_item_id,
      ]),
      [
        ['808950810', '632910392', 'Pink', 'IPOD2008PINK', '199.00', 1, '808950810'],
        ['49148385', '632910392', 'Red', 'IPOD2008RED', '199.00', 2, '49148385'],
        ['39072856', '632910392', 'Green', 'IPOD2008GREEN', '199.00', 3, '39072856'],
        ['457924702', '632910392', 'Black', 'IPOD2008BLACK', '199.00', 4, '457924702'],
      ],
    );
    assert.equal(nano.variants[2]!.raw, at(products[0]!, 'variants', 2));

    assert.equal(touch.product.id, '921728736');
    assert.deepEqual(
      touch.variants.map((v) => [v.id, v.product_id, v.price]),
      [['447654529', '921728736', '199.00']],
    );
  });

  it('reads webhook_products_create.json', () => {
    const { product, variants } = normalizeProduct(TENANT, fixture('webhook_products_create.json'));
    assert.equal(product.id, '788032119674292900');
    assert.equal(product.title, 'Example T-Shirt');
    assert.equal(product.created_at, null);
    assert.equal(product.updated_at, '2022-01-01T00:00:00.000Z');
    assert.deepEqual(
      variants.map((v) => [v.id, v.product_id, v.title, v.price, v.compare_at_price, v.inventory_item_id]),
      [
        ['642667041472714000', '788032119674292900', 'Small', '19.99', '24.99', null],
        ['757650484644203900', '788032119674292900', 'Medium', '19.99', '24.99', null],
      ],
    );
  });

  it("sets each variant's product_id from its product, even when the variant omits it", () => {
    const { variants } = normalizeProduct(TENANT, { id: 5, variants: [{ id: 6 }, { id: 7, product_id: 5 }] });
    assert.deepEqual(
      variants.map((v) => [v.id, v.product_id, v.price]),
      [
        ['6', '5', null],
        ['7', '5', null],
      ],
    );
  });
});

describe('invalid payloads', () => {
  const valid = order({ line_items: [line(1, '1.00', 1)] });

  it('accepts the base payload the cases below break', () => {
    assert.equal(normalizeOrder(TENANT, valid).order.id, '1001');
  });

  it('rejects payloads that are not objects', () => {
    for (const input of [null, [], 'order', 1])
      assertInvalid(() => normalizeOrder(TENANT, input), String(input));
  });

  it('rejects a missing or malformed id', () => {
    const withoutId = { ...valid };
    delete withoutId.id;
    assertInvalid(() => normalizeOrder(TENANT, withoutId), 'missing id');
    for (const id of ['abc', '', '12a', '-1', '1.5', -1, 1.5, null]) {
      assertInvalid(() => normalizeOrder(TENANT, { ...valid, id }), `id ${JSON.stringify(id)}`);
    }
  });

  it('rejects ids above 2^63 - 1, as text or as a JSON integer', () => {
    assertInvalid(() => normalizeOrder(TENANT, { ...valid, id: '9223372036854775808' }), 'string id');
    assertInvalid(
      () =>
        normalizeOrder(
          TENANT,
          parseJsonLossless('{"id":9223372036854775808,"created_at":"2024-05-01T10:00:00Z"}'),
        ),
      'raw id',
    );
    assertInvalid(() => normalizeOrder(TENANT, { ...valid, id: '99999999999999999999' }), '20 digits');
  });

  it('rejects a price that is not a plain decimal', () => {
    for (const price of ['1e5', '', 'abc', '1.', '1,00']) {
      assertInvalid(
        () => normalizeOrder(TENANT, order({ line_items: [line(1, price, 1)] })),
        `price ${price}`,
      );
    }
    assertInvalid(
      () =>
        normalizeOrder(
          TENANT,
          parseJsonLossless(
            '{"id":1,"created_at":"2024-05-01T10:00:00Z","line_items":[{"id":2,"price":1e-7,"quantity":1}]}',
          ),
        ),
      'price as a JSON number in exponent form',
    );
  });

  it('rejects a quantity that is not an integer', () => {
    for (const quantity of ['3', 1.5, null]) {
      assertInvalid(
        () => normalizeOrder(TENANT, order({ line_items: [{ id: 1, price: '1.00', quantity }] })),
        `quantity ${JSON.stringify(quantity)}`,
      );
    }
  });

  it('rejects a created_at that is not a date, or missing', () => {
    assertInvalid(() => normalizeOrder(TENANT, order({ created_at: 'not a date' })), 'not a date');
    const withoutDate = { ...valid };
    delete withoutDate.created_at;
    assertInvalid(() => normalizeOrder(TENANT, withoutDate), 'missing created_at');
  });

  it('rejects a timestamp without a UTC offset', () => {
    for (const created_at of ['2024-05-01T10:00:00', '1', 'May 1, 2024']) {
      assertInvalid(() => normalizeOrder(TENANT, order({ created_at })), created_at);
    }
  });

  it('rejects a refund that names no order', () => {
    assertInvalid(() => normalizeRefund(TENANT, { id: 10 }), 'standalone refund');
    assertInvalid(() => normalizeRefund(TENANT, { id: 10, order_id: null }), 'null order_id');
  });

  it('rejects an invalid line item, refund or customer nested in an order', () => {
    assertInvalid(
      () => normalizeOrder(TENANT, order({ line_items: [{ price: '1.00', quantity: 1 }] })),
      'line id',
    );
    assertInvalid(() => normalizeOrder(TENANT, order({ refunds: [{ id: 'x' }] })), 'refund id');
    assertInvalid(() => normalizeOrder(TENANT, order({ customer: { id: 'x' } })), 'customer id');
  });

  it('rejects customers and products without a valid id', () => {
    assertInvalid(() => normalizeCustomer(TENANT, { email: 'a@example.com' }), 'customer');
    assertInvalid(() => normalizeProduct(TENANT, { id: 'abc' }), 'product');
    assertInvalid(
      () => normalizeProduct(TENANT, { id: 1, variants: [{ id: 2, price: '1e5' }] }),
      'variant price',
    );
  });

  it('names the kind of payload in the message', () => {
    assert.throws(() => normalizeOrder(TENANT, {}), /invalid order payload/);
    assert.throws(() => normalizeRefund(TENANT, {}), /invalid refund payload/);
  });
});

describe('deletedId', () => {
  it('reads the id of a delete topic body, exactly', () => {
    assert.equal(deletedId(fixture('webhook_orders_delete.json')), '820982911946154500');
    assert.equal(deletedId(fixture('webhook_products_delete.json')), '788032119674292900');
    assert.equal(deletedId(parseJsonLossless('{"id":820982911946154508}')), '820982911946154508');
    assert.equal(deletedId({ id: 450789469 }), '450789469');
    assert.equal(deletedId({ id: '450789469' }), '450789469');
  });

  it('rejects a body without a valid id', () => {
    const inputs: JsonValue[] = [
      {},
      { id: null },
      { id: 'abc' },
      { id: -1 },
      { id: '9223372036854775808' },
      null,
    ];
    for (const input of inputs) {
      assertInvalid(() => deletedId(input), JSON.stringify(input));
    }
  });
});

describe('duties and checkout references', () => {
  it('reads the tokens of rest_orders_list.json, and no duties when original_total_duties_set is null', () => {
    const { order: row, refunds } = normalizeOrder(TENANT, at(fixture('rest_orders_list.json'), 'orders', 0));
    assert.equal(row.checkout_token, 'bd5a8aa1ecd019dd3520ff791ee3a24c');
    assert.equal(row.cart_token, '68778783ad298f1c80c3bafcddeea02f');
    assert.equal(row.duties, '0');
    assert.equal(refunds[0]?.refund.refunded_duties, '0');
  });

  it('gives null tokens and zero duties for webhook_orders_create.json', () => {
    const { order: row } = normalizeOrder(TENANT, fixture('webhook_orders_create.json'));
    assert.deepEqual([row.checkout_token, row.cart_token, row.duties], [null, null, '0']);
  });

  it("takes the order's duties from original_total_duties_set in shop money", () => {
    const set = {
      shop_money: { amount: '12.40', currency_code: 'USD' },
      presentment_money: { amount: '11.50', currency_code: 'EUR' },
    };
    assert.equal(normalizeOrder(TENANT, order({ original_total_duties_set: set })).order.duties, '12.40');
  });

  it("adds up a refund's refunded duties in shop money", () => {
    const refund = {
      id: 77,
      order_id: 1001,
      processed_at: '2024-05-03T10:00:00Z',
      duties: [
        {
          duty_id: 1,
          amount_set: {
            shop_money: { amount: '4.10', currency_code: 'USD' },
            presentment_money: { amount: '3.80', currency_code: 'EUR' },
          },
        },
        { duty_id: 2, amount_set: shopMoney('1.25') },
      ],
    };
    assert.equal(normalizeRefund(TENANT, refund).refund.refunded_duties, '5.35');
  });
});

describe('checkouts', () => {
  const sample = () => at(fixture('rest_abandoned_checkouts_list.json'), 'checkouts', 0);

  it('reads rest_abandoned_checkouts_list.json', () => {
    const row = normalizeCheckout(TENANT, sample());
    assert.deepEqual(
      { ...row, raw: undefined },
      {
        tenant_id: TENANT,
        id: '450789469',
        token: '2a1ace52255252df566af0faaedfbfa7',
        cart_token: '68778783ad298f1c80c3bafcddeea02f',
        email: 'bob.norman@mail.example.com',
        customer_id: '207119551',
        currency: 'USD',
        presentment_currency: 'USD',
        subtotal_price: '358.20',
        total_discounts: '39.80',
        total_tax: '21.49',
        total_price: '379.69',
        line_items_count: 2,
        abandoned_checkout_url:
          'https://checkout.local/548380009/checkouts/2a1ace52255252df566af0faaedfbfa7/recover',
        source_name: 'web',
        created_at: '2012-10-12T11:05:27.000Z',
        updated_at: '2012-10-12T11:05:27.000Z',
        activity_at: '2012-10-12T11:05:27.000Z',
        completed_at: null,
        raw: undefined,
      },
    );
    assert.deepEqual(row.raw, sample());
  });

  it('has no activity time of its own once completed', () => {
    const completed = { ...(sample() as JsonObject), completed_at: '2012-10-12T08:00:00-04:00' };
    const row = normalizeCheckout(TENANT, completed);
    assert.equal(row.completed_at, '2012-10-12T12:00:00.000Z');
    assert.equal(row.activity_at, null);
  });

  it('rejects a checkout without an id', () => {
    const withoutId = { ...(sample() as JsonObject) };
    delete withoutId.id;
    assertInvalid(() => normalizeCheckout(TENANT, withoutId), 'invalid checkout payload');
  });
});

describe('carts', () => {
  it('reads webhook_carts_create.json: the token is the id, the total sums line_price', () => {
    const row = normalizeCart(TENANT, fixture('webhook_carts_create.json'));
    assert.deepEqual(
      { ...row, raw: undefined },
      {
        tenant_id: TENANT,
        id: 'exampleCartId',
        token: 'exampleCartId',
        note: null,
        currency: 'USD',
        total_price: '59.97',
        line_items_count: 1,
        created_at: '2022-01-01T00:00:00.000Z',
        updated_at: '2022-01-01T00:00:00.000Z',
        raw: undefined,
      },
    );
  });

  it('adds up several lines, the shop money first, and falls back to the token when there is no id', () => {
    const row = normalizeCart(TENANT, {
      token: 'c1',
      line_items: [
        { line_price: '10.00', line_price_set: { shop_money: { amount: '9.10', currency_code: 'CAD' } } },
        { line_price: '5.55' },
      ],
    });
    assert.deepEqual(
      [row.id, row.total_price, row.currency, row.line_items_count],
      ['c1', '14.65', 'CAD', 2],
    );
  });

  it('rejects a cart with neither id nor token', () => {
    assertInvalid(() => normalizeCart(TENANT, { note: 'x' }), 'invalid cart payload');
  });
});

describe('inventory', () => {
  it('reads rest_inventory_items_list.json', () => {
    const rows = (at(fixture('rest_inventory_items_list.json'), 'inventory_items') as JsonValue[]).map(
      (item) => normalizeInventoryItem(TENANT, item),
    );
    assert.deepEqual(
      rows.map((row) => [row.id, row.sku, row.cost, row.tracked, row.requires_shipping, row.updated_at]),
      [
        ['39072856', 'IPOD2008GREEN', '25.00', true, true, '2025-04-02T16:29:59.000Z'],
        ['457924702', 'IPOD2008BLACK', '25.00', true, true, '2025-04-02T16:29:59.000Z'],
        ['808950810', 'IPOD2008PINK', '25.00', true, true, '2025-04-02T16:29:59.000Z'],
      ],
    );
  });

  it('reads webhook_inventory_items_create.json: no cost, the id as the file writes it', () => {
    const row = normalizeInventoryItem(TENANT, fixture('webhook_inventory_items_create.json'));
    assert.equal(row.id, '271878346596884000');
    assert.equal(row.cost, null);
    assert.equal(row.sku, 'example-sku');
    assert.equal(row.created_at, '2022-01-01T00:00:00.000Z');
  });

  it('reads rest_inventory_levels_list.json', () => {
    const levels = at(fixture('rest_inventory_levels_list.json'), 'inventory_levels') as JsonValue[];
    const rows = levels.map((level) => normalizeInventoryLevel(TENANT, level, '2026-01-01T00:00:00.000Z'));
    assert.deepEqual(
      rows.map((row) => [row.inventory_item_id, row.location_id, row.available, row.updated_at]),
      [
        ['808950810', '487838322', 9, '2025-04-02T16:29:59.000Z'],
        ['39072856', '487838322', 27, '2025-04-02T16:29:59.000Z'],
        ['808950810', '655441491', 1, '2025-04-02T16:29:59.000Z'],
        ['39072856', '655441491', 3, '2025-04-02T16:29:59.000Z'],
      ],
    );
  });

  it('dates a level without updated_at by the delivery, and an untracked level has no quantity', () => {
    const row = normalizeInventoryLevel(
      TENANT,
      { inventory_item_id: 5, location_id: 6, available: null },
      '2026-03-01T12:00:00.000Z',
    );
    assert.deepEqual([row.available, row.updated_at], [null, '2026-03-01T12:00:00.000Z']);
  });

  it('reads an inventory_levels/disconnect body', () => {
    assert.deepEqual(
      levelDisconnection(
        TENANT,
        { inventory_item_id: 808950810, location_id: 655441491 },
        '2026-03-01T12:00:00.000Z',
      ),
      {
        tenant_id: TENANT,
        inventory_item_id: '808950810',
        location_id: '655441491',
        disconnected_at: '2026-03-01T12:00:00.000Z',
      },
    );
    assertInvalid(
      () => levelDisconnection(TENANT, { inventory_item_id: 1 }, '2026-03-01T12:00:00Z'),
      'location_id',
    );
  });

  it('reads rest_locations_list.json', () => {
    const rows = (at(fixture('rest_locations_list.json'), 'locations') as JsonValue[]).map((location) =>
      normalizeLocation(TENANT, location),
    );
    assert.equal(rows.length, 5);
    assert.deepEqual(
      { ...rows[0], raw: undefined },
      {
        tenant_id: TENANT,
        id: '655441491',
        name: '50 Rideau Street',
        active: true,
        address1: '50 Rideau Street',
        city: 'Ottawa',
        province: 'Ontario',
        country_code: 'CA',
        zip: 'K1N 9J7',
        created_at: '2025-04-02T16:09:43.000Z',
        updated_at: '2025-04-02T16:09:43.000Z',
        raw: undefined,
      },
    );
    assert.deepEqual(
      rows.map((row) => row.name),
      [
        '50 Rideau Street',
        'Apple Api Shipwire',
        'Apple Cupertino',
        'Apple Shipwire',
        'Fifth Avenue AppleStore',
      ],
    );
  });

  it('reads an inactive location', () => {
    assert.equal(normalizeLocation(TENANT, { id: 3, name: 'Closed', active: false }).active, false);
  });
});
