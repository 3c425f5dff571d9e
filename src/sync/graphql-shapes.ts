/**
 * The GraphQL side of the sync: the selections Shopsight reads for each resource (the same fields in a bulk
 * operation and in a paged incremental query) and the mapping of a GraphQL node back to the REST/webhook
 * shape (snake_case, legacy numeric ids, `*_set` money bags) that src/ingest/normalize.ts takes, so that a
 * backfilled order becomes exactly the rows its `orders/updated` webhook would.
 *
 * Sources (shopify.dev, Admin GraphQL 2026-04): objects Order, LineItem, ShippingLine, Refund,
 * RefundLineItem, RefundShippingLine, OrderTransaction, Customer, Product, ProductVariant, InventoryItem,
 * InventoryLevel (`quantities(names: ["available"])`), Location; REST resources Order, Refund, Customer,
 * Product, InventoryItem, InventoryLevel, Location for the target shape. Money: the `shopMoney`/`presentmentMoney` of each
 * MoneyBag become `shop_money`/`presentment_money` (decimal strings); times stay UTC ISO-8601.
 *
 * Connections arrive in three forms, all accepted: `{ edges: [{ node }] }` or `{ nodes }` in a paged
 * answer, and a plain array when a bulk result's child lines were gathered under their parent
 * (`__parentId`, see jsonl.ts).
 */
import type { JsonObject, JsonValue } from '../lib/json.ts';

/**
 * Resources the sync handles (a subset of `SYNC_RESOURCES`: checkouts are not synced yet). `inventory` is
 * the shop's locations (read whole, they are few) and its inventory items with their inventory levels.
 */
export const SYNCED_RESOURCES = ['orders', 'customers', 'products', 'inventory'] as const;
export type SyncedResource = (typeof SYNCED_RESOURCES)[number];

const MONEY = 'shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }';
const TAX_LINE = `title rate priceSet { ${MONEY} }`;
const ALLOCATION = `allocatedAmountSet { ${MONEY} }`;

const CUSTOMER_FIELDS = `id email firstName lastName phone state tags createdAt updatedAt numberOfOrders
  amountSpent { amount currencyCode }`;

/**
 * The selection of one node of each resource. `first` arguments are only used by paged queries (bulk
 * operations ignore them); they keep a page's calculated cost under Shopify's limit of 1,000 points.
 */
function nodeSelection(resource: SyncedResource, paged: boolean): string {
  const first = (n: number) => (paged ? `(first: ${n})` : '');
  switch (resource) {
    case 'orders':
      return `id name email createdAt updatedAt processedAt cancelledAt cancelReason closedAt test
        currencyCode presentmentCurrencyCode displayFinancialStatus displayFulfillmentStatus sourceName
        taxesIncluded
        subtotalPriceSet { ${MONEY} } totalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} }
        totalDiscountsSet { ${MONEY} } currentTotalPriceSet { ${MONEY} }
        taxLines { ${TAX_LINE} }
        customer { ${CUSTOMER_FIELDS} }
        transactions${first(5)} { id kind status gateway test amountSet { ${MONEY} } createdAt processedAt
          parentTransaction { id } }
        refunds${first(3)} { id createdAt note
          refundLineItems${first(10)} { nodes { id quantity restockType lineItem { id isGiftCard }
            subtotalSet { ${MONEY} } totalTaxSet { ${MONEY} } } ${paged ? 'pageInfo { hasNextPage }' : ''} }
          refundShippingLines${first(2)} { nodes { id subtotalAmountSet { ${MONEY} } taxAmountSet { ${MONEY} } } } }
        lineItems${first(25)} { nodes { id title variantTitle sku quantity isGiftCard
          originalUnitPriceSet { ${MONEY} } discountAllocations { ${ALLOCATION} } taxLines { ${TAX_LINE} }
          product { id } variant { id } } ${paged ? 'pageInfo { hasNextPage }' : ''} }
        shippingLines${first(2)} { nodes { id title code originalPriceSet { ${MONEY} }
          discountAllocations { ${ALLOCATION} } taxLines { ${TAX_LINE} } } }`;
    case 'customers':
      return CUSTOMER_FIELDS;
    case 'products':
      return `id title handle vendor productType status tags createdAt updatedAt publishedAt
        variants${first(50)} { nodes { id title sku price compareAtPrice position createdAt updatedAt
          inventoryItem { id } } ${paged ? 'pageInfo { hasNextPage }' : ''} }`;
    case 'inventory':
      return `id sku tracked requiresShipping createdAt updatedAt unitCost { amount currencyCode }
        inventoryLevels${first(25)} { nodes { id location { id } quantities(names: ["available"]) { name quantity }
          updatedAt } ${paged ? 'pageInfo { hasNextPage }' : ''} }`;
  }
}

/** The root connection of each resource in the Admin API. */
export const ROOT_FIELD: Record<SyncedResource, string> = {
  orders: 'orders',
  customers: 'customers',
  products: 'products',
  inventory: 'inventoryItems',
};

/**
 * Whether the resource's connection sorts by `UPDATED_AT`. `inventoryItems` has no `sortKey` (its pages come
 * in id order), so an incremental sync of it moves its cursor only once every page is written.
 */
export const SORTS_BY_UPDATED_AT: Record<SyncedResource, boolean> = {
  orders: true,
  customers: true,
  products: true,
  inventory: false,
};

/** The query of a bulk operation exporting every `resource` (shopify.dev/docs/api/usage/bulk-operations/queries). */
export function bulkQuery(resource: SyncedResource): string {
  return `{ ${ROOT_FIELD[resource]} { edges { node { ${nodeSelection(resource, false)} } } } }`;
}

/** Nodes per page of an incremental query: as many as fit under the 1,000-point cost limit. */
export const PAGE_SIZE: Record<SyncedResource, number> = {
  orders: 1,
  customers: 100,
  products: 8,
  inventory: 10,
};

/**
 * A page of `resource` updated at or after `$query`'s bound, oldest update first
 * (shopify.dev/docs/api/usage/search-syntax; `sortKey: UPDATED_AT`).
 */
export function pageQuery(resource: SyncedResource): string {
  const sort = SORTS_BY_UPDATED_AT[resource] ? ', sortKey: UPDATED_AT' : '';
  return `query ShopsightSyncPage($after: String, $query: String) {
    ${ROOT_FIELD[resource]}(first: ${PAGE_SIZE[resource]}, after: $after${sort}, query: $query) {
      nodes { ${nodeSelection(resource, true)} }
      pageInfo { hasNextPage endCursor }
    }
  }`;
}

/** A page of ids only, in id order, for deletion detection. */
export function idsQuery(resource: SyncedResource): string {
  // inventoryItems has no sortKey: it always pages in id order.
  const sort = resource === 'inventory' ? '' : ', sortKey: ID';
  return `query ShopsightSyncIds($after: String) {
    ${ROOT_FIELD[resource]}(first: 250, after: $after${sort}) { nodes { id } pageInfo { hasNextPage endCursor } }
  }`;
}

/**
 * A page of the shop's locations, inactive ones included (shopify.dev/docs/api/admin-graphql/2026-04/queries/locations).
 * Locations are few (a shop has at most a few hundred), so they are read whole on every sync of `inventory`.
 */
export const LOCATIONS_QUERY = `query ShopsightSyncLocations($after: String) {
  locations(first: 250, after: $after, includeInactive: true) {
    nodes { id name isActive createdAt updatedAt
      address { address1 address2 city province provinceCode countryCode zip phone } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Node = JsonObject;

/** `gid://shopify/Order/123` -> `123`; null stays null. */
export function legacyId(gid: JsonValue | undefined): string | null {
  if (typeof gid !== 'string') return null;
  const match = /\/(\d+)(\?.*)?$/.exec(gid);
  return match ? (match[1] as string) : null;
}

/** The type name of a global id (`Order` of `gid://shopify/Order/1`), or null. */
export function gidType(gid: JsonValue | undefined): string | null {
  if (typeof gid !== 'string') return null;
  return /^gid:\/\/shopify\/(\w+)\//.exec(gid)?.[1] ?? null;
}

/** The nodes of a connection in any of its three forms. */
export function nodesOf(value: JsonValue | undefined): Node[] {
  if (Array.isArray(value)) return value as Node[];
  if (!value || typeof value !== 'object') return [];
  const connection = value as { edges?: { node: Node }[]; nodes?: Node[] };
  if (Array.isArray(connection.nodes)) return connection.nodes;
  if (Array.isArray(connection.edges)) return connection.edges.map((edge) => edge.node);
  return [];
}

/** Whether a paged connection was cut short (`pageInfo.hasNextPage`). */
export function truncated(value: JsonValue | undefined): boolean {
  const pageInfo = (value as { pageInfo?: { hasNextPage?: boolean } } | null | undefined)?.pageInfo;
  return pageInfo?.hasNextPage === true;
}

const lower = (value: JsonValue | undefined) => (typeof value === 'string' ? value.toLowerCase() : null);
const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : null);

function moneyBag(value: JsonValue | undefined): JsonObject | null {
  const bag = value as {
    shopMoney?: { amount: string; currencyCode: string };
    presentmentMoney?: { amount: string; currencyCode: string };
  } | null;
  if (!bag?.shopMoney) return null;
  const money = (m: { amount: string; currencyCode: string }) => ({
    amount: m.amount,
    currency_code: m.currencyCode,
  });
  return {
    shop_money: money(bag.shopMoney),
    presentment_money: money(bag.presentmentMoney ?? bag.shopMoney),
  };
}

const shopAmount = (bag: JsonObject | null) =>
  bag ? ((bag.shop_money as JsonObject).amount as string) : null;

function taxLines(value: JsonValue | undefined): JsonObject[] {
  return ((value as Node[] | null) ?? []).map((tax) => {
    const set = moneyBag(tax.priceSet);
    return { title: text(tax.title), rate: tax.rate ?? null, price: shopAmount(set), price_set: set };
  });
}

function allocations(value: JsonValue | undefined): JsonObject[] {
  return ((value as Node[] | null) ?? []).map((allocation) => {
    const set = moneyBag(allocation.allocatedAmountSet);
    return { amount: shopAmount(set), amount_set: set };
  });
}

/** REST tags are one comma-separated string; GraphQL gives a list. */
const tags = (value: JsonValue | undefined) => (Array.isArray(value) ? value.join(', ') : text(value));

/** A GraphQL `Customer` as the REST customer of customers/update. */
export function customerToRest(node: Node): JsonObject {
  const spent = node.amountSpent as { amount?: string; currencyCode?: string } | null;
  return {
    id: legacyId(node.id),
    admin_graphql_api_id: node.id ?? null,
    email: text(node.email),
    first_name: text(node.firstName),
    last_name: text(node.lastName),
    phone: text(node.phone),
    state: lower(node.state),
    tags: tags(node.tags),
    currency: spent?.currencyCode ?? null,
    orders_count: node.numberOfOrders === undefined ? null : Number(node.numberOfOrders),
    total_spent: spent?.amount ?? null,
    created_at: text(node.createdAt),
    updated_at: text(node.updatedAt),
  };
}

/** A GraphQL `Product` with its `variants` as the REST product of products/update. */
export function productToRest(node: Node): JsonObject {
  const id = legacyId(node.id);
  return {
    id,
    admin_graphql_api_id: node.id ?? null,
    title: text(node.title),
    handle: text(node.handle),
    vendor: text(node.vendor),
    product_type: text(node.productType),
    status: lower(node.status),
    tags: tags(node.tags),
    created_at: text(node.createdAt),
    updated_at: text(node.updatedAt),
    published_at: text(node.publishedAt),
    variants: nodesOf(node.variants).map((variant) => ({
      id: legacyId(variant.id),
      product_id: id,
      title: text(variant.title),
      sku: text(variant.sku),
      price: text(variant.price),
      compare_at_price: text(variant.compareAtPrice),
      position: typeof variant.position === 'number' ? variant.position : null,
      inventory_item_id: legacyId((variant.inventoryItem as Node | null)?.id),
      created_at: text(variant.createdAt),
      updated_at: text(variant.updatedAt),
    })),
  };
}

// displayFulfillmentStatus -> REST fulfillment_status (null while nothing is fulfilled).
const FULFILLMENT: Record<string, string> = {
  FULFILLED: 'fulfilled',
  PARTIALLY_FULFILLED: 'partial',
  RESTOCKED: 'restocked',
};

function refundToRest(refund: Node, orderId: string | null): JsonObject {
  return {
    id: legacyId(refund.id),
    admin_graphql_api_id: refund.id ?? null,
    order_id: orderId,
    note: text(refund.note),
    created_at: text(refund.createdAt),
    // The REST refund's processed_at is its creation unless imported; GraphQL has only createdAt.
    processed_at: text(refund.createdAt),
    refund_line_items: nodesOf(refund.refundLineItems).map((item) => {
      const subtotal = moneyBag(item.subtotalSet);
      const tax = moneyBag(item.totalTaxSet);
      const line = item.lineItem as Node | null;
      return {
        id: legacyId(item.id),
        line_item_id: legacyId(line?.id),
        quantity: item.quantity as number,
        restock_type: lower(item.restockType),
        subtotal: shopAmount(subtotal),
        subtotal_set: subtotal,
        total_tax: shopAmount(tax),
        total_tax_set: tax,
        line_item: { id: legacyId(line?.id), gift_card: line?.isGiftCard === true },
      };
    }),
    refund_shipping_lines: nodesOf(refund.refundShippingLines).map((line) => ({
      id: legacyId(line.id),
      subtotal_amount_set: moneyBag(line.subtotalAmountSet),
      total_tax_set: moneyBag(line.taxAmountSet),
    })),
    order_adjustments: [],
  };
}

/**
 * A GraphQL `Order` with its line items, shipping lines, refunds (with refund line items and refunded
 * shipping), transactions and customer as the REST order of orders/updated. `order_number` is read from a
 * default `#1001` name (GraphQL has no separate field here); `checkout_id` is not available.
 */
export function orderToRest(node: Node): JsonObject {
  const id = legacyId(node.id);
  const totalTax = moneyBag(node.totalTaxSet);
  const total = moneyBag(node.totalPriceSet);
  const subtotal = moneyBag(node.subtotalPriceSet);
  const discounts = moneyBag(node.totalDiscountsSet);
  const current = moneyBag(node.currentTotalPriceSet);
  const name = text(node.name);
  const number = name && /^#(\d{1,9})$/.exec(name)?.[1];
  const customer = node.customer as Node | null;
  return {
    id,
    admin_graphql_api_id: node.id ?? null,
    name,
    order_number: number ? Number(number) : null,
    email: text(node.email),
    created_at: text(node.createdAt),
    updated_at: text(node.updatedAt),
    processed_at: text(node.processedAt),
    cancelled_at: text(node.cancelledAt),
    cancel_reason: lower(node.cancelReason),
    closed_at: text(node.closedAt),
    test: node.test === true,
    currency: text(node.currencyCode),
    presentment_currency: text(node.presentmentCurrencyCode),
    financial_status: lower(node.displayFinancialStatus),
    fulfillment_status: FULFILLMENT[String(node.displayFulfillmentStatus)] ?? null,
    source_name: text(node.sourceName),
    taxes_included: node.taxesIncluded === true,
    subtotal_price: shopAmount(subtotal),
    subtotal_price_set: subtotal,
    total_price: shopAmount(total),
    total_price_set: total,
    total_tax: shopAmount(totalTax),
    total_tax_set: totalTax,
    total_discounts: shopAmount(discounts),
    total_discounts_set: discounts,
    current_total_price: shopAmount(current),
    current_total_price_set: current,
    tax_lines: taxLines(node.taxLines),
    customer: customer ? customerToRest(customer) : null,
    line_items: nodesOf(node.lineItems).map((line) => {
      const price = moneyBag(line.originalUnitPriceSet);
      return {
        id: legacyId(line.id),
        admin_graphql_api_id: line.id ?? null,
        product_id: legacyId((line.product as Node | null)?.id),
        variant_id: legacyId((line.variant as Node | null)?.id),
        title: text(line.title),
        variant_title: text(line.variantTitle),
        sku: text(line.sku),
        quantity: line.quantity as number,
        gift_card: line.isGiftCard === true,
        price: shopAmount(price),
        price_set: price,
        discount_allocations: allocations(line.discountAllocations),
        tax_lines: taxLines(line.taxLines),
      };
    }),
    shipping_lines: nodesOf(node.shippingLines).map((line) => {
      const price = moneyBag(line.originalPriceSet);
      return {
        id: legacyId(line.id),
        title: text(line.title),
        code: text(line.code),
        price: shopAmount(price),
        price_set: price,
        discount_allocations: allocations(line.discountAllocations),
        tax_lines: taxLines(line.taxLines),
      };
    }),
    refunds: ((node.refunds as Node[] | null) ?? []).map((refund) => refundToRest(refund, id)),
    transactions: ((node.transactions as Node[] | null) ?? []).map((transaction) => {
      const amount = moneyBag(transaction.amountSet);
      return {
        id: legacyId(transaction.id),
        order_id: id,
        kind: lower(transaction.kind),
        status: lower(transaction.status),
        gateway: text(transaction.gateway),
        test: transaction.test === true,
        amount: shopAmount(amount),
        amount_set: amount,
        created_at: text(transaction.createdAt),
        processed_at: text(transaction.processedAt),
        parent_id: legacyId((transaction.parentTransaction as Node | null)?.id),
      };
    }),
  };
}

/** A GraphQL `Location` as the REST location of locations/update. */
export function locationToRest(node: Node): JsonObject {
  const address = (node.address as Node | null) ?? {};
  return {
    id: legacyId(node.id),
    admin_graphql_api_id: node.id ?? null,
    name: text(node.name),
    active: node.isActive !== false,
    address1: text(address.address1),
    address2: text(address.address2),
    city: text(address.city),
    province: text(address.province),
    province_code: text(address.provinceCode),
    country_code: text(address.countryCode),
    zip: text(address.zip),
    phone: text(address.phone),
    created_at: text(node.createdAt),
    updated_at: text(node.updatedAt),
  };
}

/**
 * A GraphQL `InventoryItem` as the REST inventory item of inventory_items/update (`cost`: `unitCost.amount`,
 * shop currency), with its levels as REST inventory levels (inventory_levels/update: `available` is the
 * `available` quantity) under `inventory_levels`, and `inventory_levels_complete` when they are all there.
 */
export function inventoryItemToRest(node: Node): JsonObject {
  const id = legacyId(node.id);
  const cost = node.unitCost as { amount?: string } | null;
  return {
    id,
    admin_graphql_api_id: node.id ?? null,
    sku: text(node.sku),
    cost: cost?.amount ?? null,
    tracked: typeof node.tracked === 'boolean' ? node.tracked : null,
    requires_shipping: typeof node.requiresShipping === 'boolean' ? node.requiresShipping : null,
    created_at: text(node.createdAt),
    updated_at: text(node.updatedAt),
    // Whether `inventory_levels` lists every location the item is stocked at (not cut short by a page).
    inventory_levels_complete: !truncated(node.inventoryLevels),
    inventory_levels: nodesOf(node.inventoryLevels).map((level) => {
      const available = ((level.quantities as Node[] | null) ?? []).find((q) => q.name === 'available');
      return {
        inventory_item_id: id,
        location_id: legacyId((level.location as Node | null)?.id),
        available: typeof available?.quantity === 'number' ? available.quantity : null,
        updated_at: text(level.updatedAt),
        admin_graphql_api_id: level.id ?? null,
      };
    }),
  };
}

/** The REST shape of a node of `resource`. */
export function toRest(resource: SyncedResource, node: Node): JsonObject {
  switch (resource) {
    case 'orders':
      return orderToRest(node);
    case 'customers':
      return customerToRest(node);
    case 'products':
      return productToRest(node);
    case 'inventory':
      return inventoryItemToRest(node);
  }
}

/**
 * Where a bulk result's child line goes in its parent, by the child's global id type. Refund line items and
 * refunded shipping lines may come as lines of their own whose parent is a refund inside the order.
 */
export const CHILD_FIELD: Record<string, string> = {
  LineItem: 'lineItems',
  ShippingLine: 'shippingLines',
  RefundLineItem: 'refundLineItems',
  RefundShippingLine: 'refundShippingLines',
  ProductVariant: 'variants',
  InventoryLevel: 'inventoryLevels',
};
