/**
 * Factories of Shopify-shaped webhook bodies (the REST/webhook JSON of orders, refunds, customers and
 * products, as in test/fixtures/shopify), with only the fields that matter to a test set. Ids are written
 * as exact JSON integers, also above 2^53. Money is in decimal strings, with `*_set.shop_money`.
 */
let nextId = 1_000_000n;

/** A fresh Shopify id (decimal string). */
export function newId(): string {
  nextId += 1n;
  return nextId.toString();
}

type JsonWithRaw = typeof JSON & { rawJSON(text: string): unknown };
/** A JSON integer with exactly these digits (JSON.stringify would otherwise need a number). */
export const int = (digits: string) => (JSON as JsonWithRaw).rawJSON(digits);

const set = (amount: string, currency = 'USD') => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

export type LineSpec = {
  id?: string;
  price: string;
  quantity: number;
  discount?: string;
  tax?: string;
  giftCard?: boolean;
  /** Default product 632910392 / variant 808950810; null for a custom item. */
  productId?: string | null;
  variantId?: string | null;
};

export type OrderSpec = {
  id?: string;
  processedAt?: string;
  createdAt?: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  test?: boolean;
  currency?: string;
  customerId?: string | null;
  /** `updated_at` of the embedded customer (Shopify sends one; left out when not given). */
  customerUpdatedAt?: string;
  lines?: LineSpec[];
  shipping?: string;
  refunds?: RefundSpec[];
  /** The checkout the order came from (`checkout_id`, `checkout_token`). */
  checkoutId?: string;
  checkoutToken?: string;
  email?: string | null;
  name?: string;
  orderNumber?: number;
  financialStatus?: string;
  fulfillmentStatus?: string | null;
  /** `total_price` (default: lines after discounts, plus taxes and shipping). */
  totalPrice?: string;
  /** Extra fields of the line items (title, sku, product_id...). */
  lineTitle?: string;
  lineSku?: string;
};

export type RefundSpec = {
  id?: string;
  orderId?: string;
  processedAt: string;
  lines: { lineItemId: string; quantity: number; subtotal: string; tax?: string }[];
  shipping?: string;
};

/** An order body (orders/create and friends). Returns the JSON text and the ids used. */
export function orderBody(spec: OrderSpec = {}) {
  const id = spec.id ?? newId();
  const currency = spec.currency ?? 'USD';
  const processedAt = spec.processedAt ?? '2025-04-02T11:31:38-05:00';
  const lines = (spec.lines ?? [{ price: '100.00', quantity: 1 }]).map((line) => ({
    ...line,
    id: line.id ?? newId(),
  }));
  const taxTotal = lines.reduce((total, line) => total + Number(line.tax ?? '0'), 0).toFixed(2);
  const cents = (value: string | undefined) => Math.round(Number(value ?? '0') * 100);
  const subtotalCents = lines.reduce(
    (total, line) => total + cents(line.price) * line.quantity - cents(line.discount),
    0,
  );
  const subtotal = (subtotalCents / 100).toFixed(2);
  const totalPrice =
    spec.totalPrice ?? ((subtotalCents + cents(taxTotal) + cents(spec.shipping)) / 100).toFixed(2);
  const body = {
    id: int(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: spec.name ?? `#${id.slice(-4)}`,
    ...(spec.orderNumber !== undefined && { order_number: spec.orderNumber }),
    email: spec.email === undefined ? 'buyer@example.com' : spec.email,
    created_at: spec.createdAt ?? processedAt,
    processed_at: processedAt,
    updated_at: spec.updatedAt ?? processedAt,
    cancelled_at: spec.cancelledAt ?? null,
    cancel_reason: spec.cancelledAt ? 'customer' : null,
    currency,
    presentment_currency: currency,
    financial_status: spec.financialStatus ?? 'paid',
    fulfillment_status: spec.fulfillmentStatus ?? null,
    ...(spec.checkoutId && { checkout_id: int(spec.checkoutId) }),
    ...(spec.checkoutToken && { checkout_token: spec.checkoutToken }),
    subtotal_price: subtotal,
    total_price: totalPrice,
    total_price_set: set(totalPrice, currency),
    test: spec.test ?? false,
    taxes_included: false,
    total_tax: taxTotal,
    total_tax_set: set(taxTotal, currency),
    customer:
      spec.customerId === null
        ? null
        : {
            id: int(spec.customerId ?? '7001'),
            email: 'buyer@example.com',
            first_name: 'Ada',
            last_name: 'Buyer',
            ...(spec.customerUpdatedAt && { updated_at: spec.customerUpdatedAt }),
          },
    line_items: lines.map((line) => ({
      id: int(line.id),
      product_id: line.productId === null ? null : int(line.productId ?? '632910392'),
      variant_id: line.variantId === null ? null : int(line.variantId ?? '808950810'),
      title: spec.lineTitle ?? 'Item',
      sku: spec.lineSku ?? 'SKU',
      quantity: line.quantity,
      price: line.price,
      price_set: set(line.price, currency),
      gift_card: line.giftCard ?? false,
      discount_allocations: line.discount
        ? [{ amount: line.discount, amount_set: set(line.discount, currency) }]
        : [],
      tax_lines: line.tax
        ? [{ price: line.tax, price_set: set(line.tax, currency), rate: 0.1, title: 'Tax' }]
        : [],
    })),
    shipping_lines: spec.shipping
      ? [
          {
            id: int(newId()),
            price: spec.shipping,
            price_set: set(spec.shipping, currency),
            discount_allocations: [],
            tax_lines: [],
          },
        ]
      : [],
    refunds: (spec.refunds ?? []).map((refund) => refundObject({ ...refund, orderId: id })),
  };
  return { id, lineIds: lines.map((line) => line.id), json: JSON.stringify(body) };
}

function refundObject(spec: RefundSpec) {
  return {
    id: int(spec.id ?? newId()),
    order_id: int(spec.orderId ?? newId()),
    created_at: spec.processedAt,
    processed_at: spec.processedAt,
    restock: true,
    refund_line_items: spec.lines.map((line) => ({
      id: int(newId()),
      line_item_id: int(line.lineItemId),
      quantity: line.quantity,
      subtotal: Number(line.subtotal),
      subtotal_set: set(line.subtotal),
      total_tax: Number(line.tax ?? '0'),
      total_tax_set: set(line.tax ?? '0.00'),
    })),
    order_adjustments: spec.shipping
      ? [
          {
            id: int(newId()),
            kind: 'shipping_refund',
            amount: `-${spec.shipping}`,
            amount_set: set(`-${spec.shipping}`),
            tax_amount: '0.00',
            tax_amount_set: set('0.00'),
          },
        ]
      : [],
  };
}

/** A refunds/create body. */
export function refundBody(spec: RefundSpec & { orderId: string }) {
  const id = spec.id ?? newId();
  return { id, json: JSON.stringify(refundObject({ ...spec, id })) };
}

/** A customers/create or customers/update body. */
export function customerBody(
  spec: { id?: string; email?: string; updatedAt?: string; firstName?: string } = {},
) {
  const id = spec.id ?? newId();
  const body = {
    id: int(id),
    email: spec.email ?? `c${id}@example.com`,
    first_name: spec.firstName ?? 'Casey',
    last_name: 'Customer',
    created_at: '2025-01-01T00:00:00-05:00',
    updated_at: spec.updatedAt ?? '2025-01-01T00:00:00-05:00',
    state: 'enabled',
  };
  return { id, json: JSON.stringify(body) };
}

/** A products/create or products/update body with its variants. */
export function productBody(
  spec: {
    id?: string;
    title?: string;
    updatedAt?: string;
    variantIds?: string[];
    vendor?: string;
    status?: string;
    createdAt?: string;
  } = {},
) {
  const id = spec.id ?? newId();
  const variantIds = spec.variantIds ?? [newId()];
  const body = {
    id: int(id),
    title: spec.title ?? 'Product',
    handle: `product-${id}`,
    vendor: spec.vendor ?? 'Vendor',
    status: spec.status ?? 'active',
    created_at: spec.createdAt ?? '2025-01-01T00:00:00-05:00',
    updated_at: spec.updatedAt ?? '2025-01-01T00:00:00-05:00',
    variants: variantIds.map((variantId, index) => ({
      id: int(variantId),
      product_id: int(id),
      title: `Variant ${index + 1}`,
      price: '10.00',
      sku: `SKU-${variantId}`,
      position: index + 1,
    })),
  };
  return { id, variantIds, json: JSON.stringify(body) };
}
