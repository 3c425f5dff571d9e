/**
 * One simulated shop's data as it stands: the generated store (generator.ts) with the changes made through
 * the simulator laid over it (collection.ts), and the changes themselves. Each change emits the webhook
 * topics Shopify would send for it (shopify.dev/docs/api/webhooks), with the REST body, through `emit`.
 */
import { formatMinor, parseMinor } from './amounts.ts';
import { CANCEL_REASONS, type Currency } from './catalog.ts';
import { Collection } from './collection.ts';
import type { GeneratedStore, IdRange } from './generator.ts';
import { idText, jsonInt } from './ids.ts';
import { createInventory } from './inventory.ts';
import type { OrderMoney } from './order-money.ts';
import {
  addRefund,
  checkoutJson,
  customerJson,
  productJson,
  type RefundDraft,
  type RestRecord,
} from './rest-shapes.ts';
import type { SearchKeys } from './search-query.ts';

/** An order with its transactions (the REST order does not embed them). */
export type OrderRecord = { order: RestRecord; transactions: RestRecord[] };

/**
 * An abandoned checkout with its money in both currencies: the REST checkout carries shop-currency amounts
 * only, GraphQL's AbandonedCheckout both.
 */
export type CheckoutRecord = { checkout: RestRecord; money: OrderMoney; presentment: Currency };

/** Called for each webhook a change triggers, with the topic and the REST body. */
export type Emit = (topic: string, body: RestRecord) => void;

export type RefundInput = {
  /** Line items and quantities to refund; default: everything not refunded yet. */
  lines?: { lineItemId: string; quantity: number }[];
  /** Refund the shipping too; default: when the refund leaves nothing of the order. */
  shipping?: boolean;
  note?: string | null;
};

/** A change that names a record the shop does not have. */
export class NotFoundError extends Error {}

function keysOf(record: RestRecord): SearchKeys {
  const createdMs = Date.parse(String(record.created_at));
  return {
    id: BigInt(idText(record.id)),
    createdMs,
    updatedMs: Date.parse(String(record.updated_at ?? record.created_at)),
    processedMs: record.processed_at ? Date.parse(String(record.processed_at)) : createdMs,
  };
}

export type ShopStore = ReturnType<typeof createShopStore>;

/**
 * The shop's data over `generated`. `now` gives the time of changes (Unix ms), `emit` receives their
 * webhooks.
 */
export function createShopStore(generated: GeneratedStore, options: { now: () => number; emit: Emit }) {
  const { context, ids } = generated;
  const { now, emit } = options;
  const digits = context.currency.digits;

  const orders = new Collection<OrderRecord>({
    generated: generated.params.orderCount,
    build: (index) => generated.renderOrder(generated.orderDraft(index)),
    keys(index) {
      const { createdMs, updatedMs } = generated.orderTimes(index);
      return { id: ids.order.at(index), createdMs, updatedMs, processedMs: createdMs };
    },
    keysOfRecord: (record) => keysOf(record.order),
    maxLagMs: generated.maxOrderLagMs,
  });
  // Stored customers keep their own fields; their stats are recomputed on every read.
  const customers = new Collection<RestRecord>({
    generated: generated.params.customerCount,
    build: (index) => customerJson(context, generated.customerDraft(index)),
    keys(index) {
      const { createdMs, updatedMs } = generated.customerTimes(index);
      return { id: ids.customer.at(index), createdMs, updatedMs, processedMs: createdMs };
    },
    keysOfRecord: keysOf,
    maxLagMs: 3 * 86_400_000,
  });
  const products = new Collection<RestRecord>({
    generated: generated.params.productCount,
    build: (index) =>
      productJson(context, generated.productDrafts[index] as (typeof generated.productDrafts)[0]),
    keys(index) {
      const draft = generated.productDrafts[index] as (typeof generated.productDrafts)[0];
      return {
        id: draft.id,
        createdMs: draft.createdMs,
        updatedMs: draft.updatedMs,
        processedMs: draft.createdMs,
      };
    },
    keysOfRecord: keysOf,
    // Products are few and not in creation order: no narrowing, every one is checked.
    maxLagMs: Infinity,
  });
  const checkouts = new Collection<CheckoutRecord>({
    generated: generated.params.checkoutCount,
    build(index) {
      const draft = generated.checkoutDraft(index);
      return { checkout: checkoutJson(context, draft), money: draft.money, presentment: draft.presentment };
    },
    keys(index) {
      const { createdMs, updatedMs } = generated.checkoutTimes(index);
      return { id: ids.checkout.at(index, 1), createdMs, updatedMs, processedMs: createdMs };
    },
    keysOfRecord: (record) => keysOf(record.checkout),
    maxLagMs: 2 * 3_600_000,
  });

  // Customer stats: generated orders' (computed once by the generator) plus what changed orders add.
  const statsDelta = new Map<string, { count: number; spent: number; lastPosition: number }>();
  function adjustStats(before: RestRecord | undefined, after: RestRecord | undefined, position: number) {
    for (const [part, sign] of [
      [contribution(before), -1],
      [contribution(after), 1],
    ] as const) {
      if (!part) continue;
      const delta = statsDelta.get(part.customerId) ?? { count: 0, spent: 0, lastPosition: -1 };
      delta.count += sign;
      delta.spent += sign * part.spent;
      if (sign > 0) delta.lastPosition = Math.max(delta.lastPosition, position);
      statsDelta.set(part.customerId, delta);
    }
  }

  /** A customer record with its current stats (orders_count, total_spent, last order). */
  function withStats(record: RestRecord): RestRecord {
    const id = idText(record.id);
    const located = ids.customer.locate(BigInt(id));
    const base =
      located && located.part === 0 && located.index < generated.params.customerCount
        ? generated.customerStats(located.index)
        : { ordersCount: 0, totalSpentMinor: 0, lastOrderId: null, lastOrderName: null };
    const delta = statsDelta.get(id);
    const lastPosition = delta && delta.lastPosition >= 0 ? delta.lastPosition : -1;
    const last = lastPosition >= 0 ? orders.get(lastPosition)?.order : undefined;
    return {
      ...record,
      orders_count: base.ordersCount + (delta?.count ?? 0),
      total_spent: formatShop(base.totalSpentMinor + (delta?.spent ?? 0)),
      last_order_id: last ? last.id : base.lastOrderId === null ? null : jsonInt(base.lastOrderId),
      last_order_name: last ? last.name : base.lastOrderName,
    };
  }

  const formatShop = (minor: number) => formatMinor(minor, digits);

  /** What an order adds to its customer's stats: one order, and its current total price (shop currency). */
  function contribution(order: RestRecord | undefined): { customerId: string; spent: number } | null {
    const customer = order?.customer as RestRecord | null | undefined;
    if (!order || !customer) return null;
    const set = order.current_total_price_set as { shop_money: { amount: string } };
    return { customerId: idText(customer.id), spent: parseMinor(set.shop_money.amount, digits) };
  }

  /** Position of `id` in `range` (the record may have been deleted), or -1 when `id` is not of this shop. */
  function locate(range: IdRange, id: bigint, part = 0): number {
    const located = range.locate(id);
    return located && located.part === part ? located.index : -1;
  }

  /** Position of the record with decimal id `id`. @throws NotFoundError when there is none (or it was deleted) */
  function existing<T>(collection: Collection<T>, range: IdRange, id: string): number {
    const position = /^\d{1,19}$/.test(id) ? locate(range, BigInt(id)) : -1;
    if (collection.keys(position) === undefined) throw new NotFoundError(`no such record: ${id}`);
    return position;
  }

  // Refunds, refund lines and transactions made through the simulator get ids from `ids.later`, in turn;
  // their refunds are found through this map (generated ones by their id's range).
  let later = 0;
  const nextLater = () => later++;
  const laterRefunds = new Map<bigint, number>();

  const time = (ms: number) => context.clock.local(ms);

  function storeOrder(position: number, record: OrderRecord, before: RestRecord | undefined) {
    orders.set(position, record);
    adjustStats(before, record.order, position);
  }

  /** A copy of `record` with a refund of `input` added, and the refund; nothing is stored yet. */
  function withRefund(
    position: number,
    record: OrderRecord,
    input: RefundInput,
    restock: RefundDraft['restockType'],
  ) {
    const order = record.order;
    const lineItems = order.line_items as RestRecord[];
    const left = lineItems.map((line) => Number(line.current_quantity));
    const requested = input.lines
      ? input.lines.map(({ lineItemId, quantity }) => {
          const line = lineItems.findIndex((item) => idText(item.id) === lineItemId);
          if (line < 0) throw new NotFoundError(`order ${idText(order.id)} has no line item ${lineItemId}`);
          return { line, quantity };
        })
      : left.map((quantity, line) => ({ line, quantity })).filter((entry) => entry.quantity > 0);
    const remaining = left.reduce((sum, quantity) => sum + quantity, 0);
    const refunding = requested.reduce((sum, entry) => sum + entry.quantity, 0);
    const shipping =
      input.shipping ?? (refunding === remaining && (order.shipping_lines as unknown[]).length > 0);
    const ms = now();
    const draft: RefundDraft = {
      id: ids.later.at(nextLater()),
      ms,
      note: input.note ?? null,
      restockType: restock,
      request: { lines: requested, shipping },
      lineIds: requested.map(() => ids.later.at(nextLater())),
      shippingLineRefundId: ids.later.at(nextLater()),
      transactionId: ids.later.at(nextLater()),
    };
    const copy = copyRecord(record);
    const refund = addRefund(context, copy.order, draft, copy.transactions);
    laterRefunds.set(draft.id, position);
    copy.transactions.push(...(refund.transactions as RestRecord[]));
    copy.order.updated_at = time(ms);
    return { record: copy, refund };
  }

  function requireOrder(id: string): { position: number; record: OrderRecord } {
    const position = existing(orders, ids.order, id);
    return { position, record: orders.get(position) as OrderRecord };
  }

  const inventory = createInventory(generated, { now, emit });

  return {
    generated,
    orders,
    customers,
    products,
    checkouts,
    /** Locations and inventory levels (inventory.ts). */
    inventory,
    /** Every live variant's inventory item (the variant and its product), in inventory item id order. */
    inventoryItems(): { variant: RestRecord; product: RestRecord }[] {
      const items: { variant: RestRecord; product: RestRecord }[] = [];
      for (let position = 0; position < products.length; position++) {
        const product = products.get(position);
        for (const variant of (product?.variants as RestRecord[] | undefined) ?? []) {
          items.push({ variant, product: product as RestRecord });
        }
      }
      const item = (entry: { variant: RestRecord }) => BigInt(idText(entry.variant.inventory_item_id));
      return items.sort((a, b) => (item(a) < item(b) ? -1 : item(a) > item(b) ? 1 : 0));
    },
    withStats,
    orderPosition: (id: bigint) => locate(ids.order, id),
    customerPosition: (id: bigint) => locate(ids.customer, id),
    productPosition: (id: bigint) => locate(ids.product, id),
    checkoutPosition: (id: bigint) => locate(ids.checkout, id, 1),

    order(id: bigint): OrderRecord | undefined {
      return orders.get(locate(ids.order, id));
    },
    /** A customer with its current stats. */
    customer(id: bigint): RestRecord | undefined {
      const record = customers.get(locate(ids.customer, id));
      return record && withStats(record);
    },
    product(id: bigint): RestRecord | undefined {
      return products.get(locate(ids.product, id));
    },
    checkout(id: bigint): CheckoutRecord | undefined {
      return checkouts.get(locate(ids.checkout, id, 1));
    },
    /** A variant and its product. */
    variant(id: bigint): { product: RestRecord; variant: RestRecord } | undefined {
      const located = ids.variant.locate(id);
      const product = located ? products.get(located.index) : undefined;
      const variant = (product?.variants as RestRecord[] | undefined)?.find(
        (v) => idText(v.id) === String(id),
      );
      return product && variant ? { product, variant } : undefined;
    },
    /** Whether a product is a gift card (the REST product does not say; its draft does). */
    isGiftCard(id: bigint): boolean {
      const position = locate(ids.product, id);
      return (
        position >= 0 &&
        position < generated.params.productCount &&
        Boolean(generated.productDrafts[position]?.giftCard)
      );
    },
    /** The unit cost of a variant (its inventory item's cost) in shop currency minor units, if known. */
    variantCostMinor(id: bigint): number | null {
      const located = ids.variant.locate(id);
      if (!located) return null;
      const draft =
        located.index < generated.params.productCount
          ? generated.productDrafts[located.index]
          : generated.productDraft(located.index, { createdMs: 0 });
      return draft?.variants[located.part]?.costMinor ?? null;
    },
    /** A refund and its order. */
    refund(id: bigint): { order: OrderRecord; refund: RestRecord } | undefined {
      const position = laterRefunds.get(id) ?? ids.refund.locate(id)?.index ?? -1;
      const order = orders.get(position);
      const refund = (order?.order.refunds as RestRecord[] | undefined)?.find(
        (r) => idText(r.id) === String(id),
      );
      return order && refund ? { order, refund } : undefined;
    },

    /** A new order, created now for a generated customer; sends orders/create (and orders/paid when paid). */
    createOrder(): OrderRecord {
      const position = orders.length;
      const record = generated.renderOrder(generated.orderDraft(position, { createdMs: now() }));
      orders.append(record);
      adjustStats(undefined, record.order, position);
      emit('orders/create', record.order);
      if (record.order.financial_status === 'paid') emit('orders/paid', record.order);
      return record;
    },

    /**
     * Changes top-level fields of an order (note, tags, email...); sends orders/updated.
     * @throws NotFoundError for an unknown order id
     */
    updateOrder(id: string, changes: RestRecord): OrderRecord {
      const { position, record } = requireOrder(id);
      const copy = copyRecord(record);
      Object.assign(copy.order, changes, { id: record.order.id, updated_at: time(now()) });
      storeOrder(position, copy, record.order);
      emit('orders/updated', copy.order);
      return copy;
    },

    /**
     * Cancels an order: a paid one is refunded in full (refunds/create), an unpaid one voided; sends
     * orders/cancelled and orders/updated.
     * @throws NotFoundError for an unknown order id; Error when it is already cancelled
     */
    cancelOrder(id: string, reason = 'customer'): OrderRecord {
      if (!CANCEL_REASONS.includes(reason))
        throw new Error(`cancel reason must be one of ${CANCEL_REASONS.join(', ')}`);
      const found = requireOrder(id);
      if (found.record.order.cancelled_at) throw new Error(`order ${id} is already cancelled`);
      let record = found.record;
      const paid = /paid|refunded/.test(String(record.order.financial_status));
      const left = (record.order.line_items as RestRecord[]).some(
        (line) => Number(line.current_quantity) > 0,
      );
      const refunded =
        paid && left ? withRefund(found.position, record, { note: 'Order canceled' }, 'cancel') : null;
      record = refunded?.record ?? copyRecord(record);
      const at = time(now());
      Object.assign(record.order, { cancelled_at: at, cancel_reason: reason, closed_at: at, updated_at: at });
      if (!paid)
        Object.assign(record.order, { financial_status: 'voided', total_outstanding: formatShop(0) });
      storeOrder(found.position, record, found.record.order);
      if (refunded) emit('refunds/create', refunded.refund);
      emit('orders/cancelled', record.order);
      emit('orders/updated', record.order);
      return record;
    },

    /**
     * Refunds line items of an order (and its shipping); sends refunds/create and orders/updated.
     * @throws NotFoundError for an unknown order or line item; Error for more than is left to refund
     */
    refundOrder(id: string, input: RefundInput = {}): { order: OrderRecord; refund: RestRecord } {
      const { position, record } = requireOrder(id);
      const refunded = withRefund(position, record, input, 'return');
      storeOrder(position, refunded.record, record.order);
      emit('refunds/create', refunded.refund);
      emit('orders/updated', refunded.record.order);
      return { order: refunded.record, refund: refunded.refund };
    },

    /** Deletes an order; sends orders/delete with its id. @throws NotFoundError for an unknown order id */
    deleteOrder(id: string): void {
      const { position, record } = requireOrder(id);
      orders.delete(position);
      adjustStats(record.order, undefined, position);
      emit('orders/delete', { id: record.order.id });
    },

    /** A new customer, created now; sends customers/create. */
    createCustomer(): RestRecord {
      const position = customers.length;
      const record = customerJson(context, generated.customerDraft(position, { createdMs: now() }));
      customers.append(record);
      const body = withStats(record);
      emit('customers/create', body);
      return body;
    },

    /** Changes fields of a customer; sends customers/update. @throws NotFoundError for an unknown id */
    updateCustomer(id: string, changes: RestRecord): RestRecord {
      const position = existing(customers, ids.customer, id);
      const record = { ...(customers.get(position) as RestRecord), ...changes };
      Object.assign(record, { id: jsonInt(id), updated_at: time(now()) });
      customers.set(position, record);
      const body = withStats(record);
      emit('customers/update', body);
      return body;
    },

    /** Deletes a customer; sends customers/delete with its id. @throws NotFoundError for an unknown id */
    deleteCustomer(id: string): void {
      const position = existing(customers, ids.customer, id);
      customers.delete(position);
      emit('customers/delete', { id: jsonInt(id) });
    },

    /** A new product, created now; sends products/create. */
    createProduct(): RestRecord {
      const position = products.length;
      const record = productJson(context, generated.productDraft(position, { createdMs: now() }));
      products.append(record);
      emit('products/create', record);
      return record;
    },

    /** Changes fields of a product; sends products/update. @throws NotFoundError for an unknown id */
    updateProduct(id: string, changes: RestRecord): RestRecord {
      const position = existing(products, ids.product, id);
      const record = { ...(products.get(position) as RestRecord), ...changes };
      Object.assign(record, { id: jsonInt(id), updated_at: time(now()) });
      products.set(position, record);
      emit('products/update', record);
      return record;
    },

    /** Deletes a product; sends products/delete with its id. @throws NotFoundError for an unknown id */
    deleteProduct(id: string): void {
      const position = existing(products, ids.product, id);
      products.delete(position);
      emit('products/delete', { id: jsonInt(id) });
    },
  };
}

type JsonWithRaw = typeof JSON & { isRawJSON(value: unknown): boolean };

/** Versions of an order share no objects: a change works on a copy, so earlier bodies stay as sent. */
function copyRecord(record: OrderRecord): OrderRecord {
  return {
    order: cloneJson(record.order) as RestRecord,
    transactions: record.transactions.map((transaction) => cloneJson(transaction) as RestRecord),
  };
}

/** A deep copy of a REST record that keeps `JsonInt` ids as they are (they are immutable). */
function cloneJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || (JSON as JsonWithRaw).isRawJSON(value)) return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, cloneJson(child)]));
}
