/**
 * Resolvers of admin-schema.graphql over a shop's store: every GraphQL field is read from the REST record
 * that the webhooks send, so that both APIs tell the same story. Ids become global ids, times UTC
 * `DateTime`s, decimals Shopify's `Decimal` ("10.0"), enums upper case.
 */
import { GraphQLError } from 'graphql';
import { addPairs, graphqlDecimal, moneySet, parseMinor, type MoneySet, type Pair } from './amounts.ts';
import { currencyOf, type Currency } from './catalog.ts';
import type { BulkOperationState, BulkPage } from './bulk.ts';
import { collectionConnection, connectionOf, edgeOf, listConnection, type PageArgs } from './connections.ts';
import type { LevelRecord, LocationRecord } from './inventory.ts';
import { gid, idText, parseGid } from './ids.ts';
import type { RestRecord } from './rest-shapes.ts';
import { parseSearch, SearchSyntaxError } from './search-query.ts';
import { graphqlDateTime } from './shop-time.ts';
import type { CheckoutRecord, OrderRecord, ShopStore } from './store.ts';
import { enumOfTopic, type Subscription } from './webhooks.ts';

export type UserError = { field: string[] | null; message: string; code?: string };

/** What resolvers reach besides their source: the shop's data and services, and request accounting. */
export type AdminContext = {
  store: ShopStore;
  subscriptions: {
    list(): Subscription[];
    create(
      topic: string,
      input: SubscriptionInput,
    ): { subscription: Subscription | null; userErrors: UserError[] };
    delete(id: bigint): { deletedId: string | null; userErrors: UserError[] };
  };
  bulk: {
    run(query: string): { operation: BulkOperationState | null; userErrors: UserError[] };
    current(): BulkOperationState | null;
    get(id: bigint): BulkOperationState | null;
    cancel(id: bigint): { operation: BulkOperationState | null; userErrors: UserError[] };
  };
  /** Set while a bulk operation runs a chunk: the root connection reads from here, nested ones in full. */
  bulkPage: BulkPage | null;
  /** Actual cost so far (query-cost.ts). */
  cost: { actual: number };
  /** Ignored search terms, reported in `extensions.search` as Shopify does. */
  searchWarnings: { path: string[]; query: string; warnings: { message: string }[] }[];
};

export type SubscriptionInput = {
  callbackUrl?: string | null;
  uri?: string | null;
  format?: string | null;
  includeFields?: string[] | null;
  filter?: string | null;
};

type OrderSource = { __typename: 'Order'; record: OrderRecord };
type Sourced = { __typename: string; rec: RestRecord };
type Resolver<S> = (source: S, args: never, context: AdminContext) => unknown;
type Fields<S> = Record<string, Resolver<S>>;

const upper = (value: unknown) =>
  value === null || value === undefined ? null : String(value).toUpperCase();
const time = (value: unknown) => (value ? graphqlDateTime(String(value)) : null);
const tags = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
const idOf = (item: RestRecord) => BigInt(idText(item.id));
const lines = (record: RestRecord, key: string) => (record[key] as RestRecord[] | null | undefined) ?? [];

function pairOf(set: MoneySet): { amount: Pair; shop: Currency; presentment: Currency } {
  const shop = currencyOf(set.shop_money.currency_code);
  const presentment = currencyOf(set.presentment_money.currency_code);
  return {
    amount: [
      parseMinor(set.shop_money.amount, shop.digits),
      parseMinor(set.presentment_money.amount, presentment.digits),
    ],
    shop,
    presentment,
  };
}

/** Sums `*_set`s of one order; `zero` gives the currencies when the list is empty. */
function sumSets(sets: readonly MoneySet[], zero: MoneySet): MoneySet {
  const { shop, presentment } = pairOf(zero);
  return moneySet(addPairs(...sets.map((set) => pairOf(set).amount)), shop, presentment);
}

function scaleSet(set: MoneySet, factor: number): MoneySet {
  const { amount, shop, presentment } = pairOf(set);
  return moneySet([amount[0] * factor, amount[1] * factor], shop, presentment);
}

function zeroOf(set: MoneySet): MoneySet {
  return scaleSet(set, 0);
}

/** What a refund gave back, in both currencies (its transaction carries the presentment amount only). */
function refundTotal(order: RestRecord, refund: RestRecord): MoneySet {
  const zero = zeroOf(order.total_price_set as MoneySet);
  const included = order.taxes_included === true;
  const parts: MoneySet[] = [];
  for (const item of lines(refund, 'refund_line_items')) {
    parts.push(item.subtotal_set as MoneySet);
    if (!included) parts.push(item.total_tax_set as MoneySet);
  }
  for (const shipping of lines(refund, 'refund_shipping_lines')) {
    parts.push(shipping.subtotal_amount_set as MoneySet);
    if (!included) parts.push(shipping.total_tax_set as MoneySet);
  }
  return sumSets(parts, zero);
}

const orderSource = (record: OrderRecord): OrderSource => ({ __typename: 'Order', record });
const sourced = (typename: string, rec: RestRecord) => ({ __typename: typename, rec });

function address(rec: RestRecord | null | undefined, id: string) {
  return rec ? { ...rec, __id: id } : null;
}

function customerSource(context: AdminContext, embedded: unknown) {
  if (!embedded) return null;
  const customer = context.store.customer(BigInt(idText((embedded as RestRecord).id)));
  return customer ? sourced('Customer', customer) : null;
}

function productSource(context: AdminContext, productId: unknown) {
  if (productId === null || productId === undefined) return null;
  const product = context.store.product(BigInt(idText(productId)));
  return product ? sourced('Product', product) : null;
}

function variantSource(context: AdminContext, variantId: unknown) {
  if (variantId === null || variantId === undefined) return null;
  const found = context.store.variant(BigInt(idText(variantId)));
  return found ? { __typename: 'ProductVariant', rec: found.variant, product: found.product } : null;
}

function transactionSource(order: OrderRecord, transaction: RestRecord) {
  return { __typename: 'OrderTransaction', rec: transaction, order };
}

function warn(context: AdminContext, path: string, query: string | null | undefined) {
  return (warnings: string[]) =>
    context.searchWarnings.push({
      path: [path],
      query: query ?? '',
      warnings: warnings.map((message) => ({ message })),
    });
}

type RootConnectionArgs = PageArgs & { query?: string | null; sortKey?: string | null };

const Order: Fields<OrderSource> = {
  id: (s) => s.record.order.admin_graphql_api_id,
  legacyResourceId: (s) => idText(s.record.order.id),
  name: (s) => s.record.order.name,
  email: (s) => s.record.order.email,
  phone: (s) => s.record.order.phone,
  note: (s) => s.record.order.note,
  tags: (s) => tags(s.record.order.tags),
  test: (s) => s.record.order.test,
  confirmed: (s) => s.record.order.confirmed,
  closed: (s) => s.record.order.closed_at !== null,
  createdAt: (s) => time(s.record.order.created_at),
  updatedAt: (s) => time(s.record.order.updated_at),
  processedAt: (s) => time(s.record.order.processed_at),
  cancelledAt: (s) => time(s.record.order.cancelled_at),
  cancelReason: (s) => upper(s.record.order.cancel_reason),
  closedAt: (s) => time(s.record.order.closed_at),
  currencyCode: (s) => s.record.order.currency,
  presentmentCurrencyCode: (s) => s.record.order.presentment_currency,
  displayFinancialStatus: (s) => upper(s.record.order.financial_status),
  displayFulfillmentStatus: (s) =>
    s.record.order.fulfillment_status === 'fulfilled' ? 'FULFILLED' : 'UNFULFILLED',
  sourceName: (s) => s.record.order.source_name,
  taxesIncluded: (s) => s.record.order.taxes_included,
  discountCode: (s) => (lines(s.record.order, 'discount_codes')[0]?.code as string | undefined) ?? null,
  discountCodes: (s) => lines(s.record.order, 'discount_codes').map((code) => code.code),
  paymentGatewayNames: (s) => s.record.order.payment_gateway_names,
  subtotalLineItemsQuantity: (s) =>
    lines(s.record.order, 'line_items').reduce((n, l) => n + Number(l.quantity), 0),
  currentSubtotalLineItemsQuantity: (s) =>
    lines(s.record.order, 'line_items').reduce((n, l) => n + Number(l.current_quantity), 0),
  subtotalPriceSet: (s) => s.record.order.subtotal_price_set,
  totalPriceSet: (s) => s.record.order.total_price_set,
  totalTaxSet: (s) => s.record.order.total_tax_set,
  totalDiscountsSet: (s) => s.record.order.total_discounts_set,
  totalShippingPriceSet: (s) => s.record.order.total_shipping_price_set,
  totalRefundedSet: (s) =>
    sumSets(
      lines(s.record.order, 'refunds').map((refund) => refundTotal(s.record.order, refund)),
      zeroOf(s.record.order.total_price_set as MoneySet),
    ),
  totalRefundedShippingSet: (s) =>
    sumSets(
      lines(s.record.order, 'refunds').flatMap((refund) =>
        lines(refund, 'refund_shipping_lines').map((line) => line.subtotal_amount_set as MoneySet),
      ),
      zeroOf(s.record.order.total_price_set as MoneySet),
    ),
  totalOutstandingSet: (s) =>
    /^(pending|authorized|partially_paid)$/.test(String(s.record.order.financial_status))
      ? s.record.order.current_total_price_set
      : zeroOf(s.record.order.total_price_set as MoneySet),
  currentSubtotalPriceSet: (s) => s.record.order.current_subtotal_price_set,
  currentTotalPriceSet: (s) => s.record.order.current_total_price_set,
  currentTotalTaxSet: (s) => s.record.order.current_total_tax_set,
  currentTotalDiscountsSet: (s) => s.record.order.current_total_discounts_set,
  currentShippingPriceSet: (s) => s.record.order.current_shipping_price_set,
  customer: (s, _args, context) => customerSource(context, s.record.order.customer),
  billingAddress: (s) =>
    address(
      s.record.order.billing_address as RestRecord,
      gid('MailingAddress', `${idText(s.record.order.id)}1`),
    ),
  shippingAddress: (s) =>
    address(
      s.record.order.shipping_address as RestRecord,
      gid('MailingAddress', `${idText(s.record.order.id)}2`),
    ),
  taxLines: (s) => s.record.order.tax_lines,
  lineItems: (s, args: PageArgs, context) =>
    listConnection(
      lines(s.record.order, 'line_items'),
      args,
      idOf,
      (line) => line,
      context.bulkPage !== null,
    ),
  shippingLines: (s, args: PageArgs, context) =>
    listConnection(
      lines(s.record.order, 'shipping_lines'),
      args,
      idOf,
      (line) => line,
      context.bulkPage !== null,
    ),
  refunds: (s, args: { first?: number | null }) =>
    lines(s.record.order, 'refunds')
      .slice(0, args.first ?? undefined)
      .map((refund) => ({ __typename: 'Refund', rec: refund, order: s.record })),
  transactions: (s, args: { first?: number | null }) =>
    s.record.transactions.slice(0, args.first ?? undefined).map((t) => transactionSource(s.record, t)),
};

const LineItem: Fields<RestRecord> = {
  id: (line) => line.admin_graphql_api_id,
  name: (line) => line.name,
  title: (line) => line.title,
  variantTitle: (line) => line.variant_title,
  vendor: (line) => line.vendor,
  sku: (line) => line.sku,
  quantity: (line) => line.quantity,
  currentQuantity: (line) => line.current_quantity,
  refundableQuantity: (line) => line.current_quantity,
  unfulfilledQuantity: (line) => line.fulfillable_quantity,
  requiresShipping: (line) => line.requires_shipping,
  taxable: (line) => line.taxable,
  isGiftCard: (line) => line.gift_card,
  originalUnitPriceSet: (line) => line.price_set,
  originalTotalSet: (line) => scaleSet(line.price_set as MoneySet, Number(line.quantity)),
  totalDiscountSet: (line) => line.total_discount_set,
  discountAllocations: (line) => line.discount_allocations,
  taxLines: (line, args: { first?: number | null }) =>
    lines(line, 'tax_lines').slice(0, args.first ?? undefined),
  product: (line, _args, context) => productSource(context, line.product_id),
  variant: (line, _args, context) => variantSource(context, line.variant_id),
};

const ShippingLine: Fields<RestRecord> = {
  id: (line) => gid('ShippingLine', idText(line.id)),
  title: (line) => line.title,
  code: (line) => line.code,
  source: (line) => line.source,
  carrierIdentifier: (line) => line.carrier_identifier,
  isRemoved: (line) => line.is_removed,
  originalPriceSet: (line) => line.price_set,
  discountedPriceSet: (line) => line.discounted_price_set,
  taxLines: (line) => line.tax_lines,
  discountAllocations: (line) => line.discount_allocations,
};

const TaxLine: Fields<RestRecord> = {
  title: (tax) => tax.title,
  rate: (tax) => tax.rate,
  ratePercentage: (tax) => Math.round(Number(tax.rate) * 100_000) / 1000,
  priceSet: (tax) => tax.price_set,
  channelLiable: (tax) => tax.channel_liable,
};

const Refund: Fields<{ rec: RestRecord; order: OrderRecord }> = {
  id: (s) => s.rec.admin_graphql_api_id,
  legacyResourceId: (s) => idText(s.rec.id),
  createdAt: (s) => time(s.rec.created_at),
  updatedAt: (s) => time(s.rec.processed_at ?? s.rec.created_at),
  note: (s) => s.rec.note,
  order: (s) => orderSource(s.order),
  totalRefundedSet: (s) => refundTotal(s.order.order, s.rec),
  refundLineItems: (s, args: PageArgs, context) =>
    listConnection(lines(s.rec, 'refund_line_items'), args, idOf, (item) => item, context.bulkPage !== null),
  refundShippingLines: (s, args: PageArgs, context) =>
    listConnection(
      lines(s.rec, 'refund_shipping_lines'),
      args,
      idOf,
      (item) => item,
      context.bulkPage !== null,
    ),
  transactions: (s, args: PageArgs, context) =>
    listConnection(
      lines(s.rec, 'transactions'),
      args,
      idOf,
      (transaction) => transactionSource(s.order, transaction),
      context.bulkPage !== null,
    ),
};

const RefundLineItem: Fields<RestRecord> = {
  id: (item) => gid('RefundLineItem', idText(item.id)),
  lineItem: (item) => item.line_item,
  quantity: (item) => item.quantity,
  restockType: (item) => upper(item.restock_type),
  restocked: (item) => item.restock_type === 'return' || item.restock_type === 'cancel',
  priceSet: (item) => (item.line_item as RestRecord).price_set,
  subtotalSet: (item) => item.subtotal_set,
  totalTaxSet: (item) => item.total_tax_set,
};

const RefundShippingLine: Fields<RestRecord> = {
  id: (line) => gid('RefundShippingLine', idText(line.id)),
  shippingLine: (line) => line.shipping_line,
  subtotalAmountSet: (line) => line.subtotal_amount_set,
  taxAmountSet: (line) => line.total_tax_set,
};

const OrderTransaction: Fields<{ rec: RestRecord; order: OrderRecord }> = {
  id: (s) => s.rec.admin_graphql_api_id,
  kind: (s) => upper(s.rec.kind),
  status: (s) => upper(s.rec.status),
  gateway: (s) => s.rec.gateway,
  test: (s) => s.rec.test,
  authorizationCode: (s) => s.rec.authorization,
  amountSet(s) {
    const order = s.order.order;
    if (s.rec.kind !== 'refund') return order.total_price_set;
    const id = idText(s.rec.id);
    const refund = lines(order, 'refunds').find((r) =>
      lines(r, 'transactions').some((t) => idText(t.id) === id),
    );
    return refund ? refundTotal(order, refund) : zeroOf(order.total_price_set as MoneySet);
  },
  createdAt: (s) => time(s.rec.created_at),
  processedAt: (s) => time(s.rec.processed_at),
  parentTransaction(s) {
    if (s.rec.parent_id === null || s.rec.parent_id === undefined) return null;
    const parentId = idText(s.rec.parent_id);
    const parent = s.order.transactions.find((t) => idText(t.id) === parentId);
    return parent ? transactionSource(s.order, parent) : null;
  },
  order: (s) => orderSource(s.order),
};

const DiscountAllocation: Fields<RestRecord> = {
  allocatedAmountSet: (allocation) => allocation.amount_set,
};

const MoneyBag: Fields<MoneySet> = {
  shopMoney: (set) => set.shop_money,
  presentmentMoney: (set) => set.presentment_money,
};

const MoneyV2: Fields<{ amount: string; currency_code: string }> = {
  amount: (money) => graphqlDecimal(money.amount),
  currencyCode: (money) => money.currency_code,
};

const MailingAddress: Fields<RestRecord> = {
  id: (a) => a.__id,
  firstName: (a) => a.first_name,
  lastName: (a) => a.last_name,
  name: (a) => a.name,
  company: (a) => a.company,
  address1: (a) => a.address1,
  address2: (a) => a.address2,
  city: (a) => a.city,
  province: (a) => a.province,
  provinceCode: (a) => a.province_code,
  country: (a) => a.country,
  countryCodeV2: (a) => a.country_code,
  zip: (a) => a.zip,
  phone: (a) => a.phone,
  latitude: (a) => a.latitude ?? null,
  longitude: (a) => a.longitude ?? null,
};

const Customer: Fields<Sourced> = {
  id: (s) => s.rec.admin_graphql_api_id,
  legacyResourceId: (s) => idText(s.rec.id),
  firstName: (s) => s.rec.first_name,
  lastName: (s) => s.rec.last_name,
  displayName: (s) => [s.rec.first_name, s.rec.last_name].filter(Boolean).join(' ') || s.rec.email || '',
  email: (s) => s.rec.email,
  phone: (s) => s.rec.phone,
  note: (s) => s.rec.note,
  tags: (s) => tags(s.rec.tags),
  state: (s) => upper(s.rec.state),
  verifiedEmail: (s) => s.rec.verified_email,
  taxExempt: (s) => s.rec.tax_exempt,
  locale: () => 'en',
  createdAt: (s) => time(s.rec.created_at),
  updatedAt: (s) => time(s.rec.updated_at),
  numberOfOrders: (s) => String(s.rec.orders_count ?? 0),
  amountSpent: (s) => ({ amount: s.rec.total_spent, currency_code: s.rec.currency }),
  defaultEmailAddress: (s) =>
    s.rec.email
      ? {
          emailAddress: s.rec.email,
          marketingState: upper(
            (s.rec.email_marketing_consent as RestRecord | null)?.state ?? 'not_subscribed',
          ),
        }
      : null,
  defaultAddress: (s) =>
    address(
      s.rec.default_address as RestRecord,
      gid('MailingAddress', `${idText((s.rec.default_address as RestRecord).id)}?model_name=CustomerAddress`),
    ),
  addresses: (s, args: { first?: number | null }) =>
    lines(s.rec, 'addresses')
      .slice(0, args.first ?? undefined)
      .map((a) => address(a, gid('MailingAddress', `${idText(a.id)}?model_name=CustomerAddress`))),
  lastOrder(s, _args, context) {
    if (s.rec.last_order_id === null || s.rec.last_order_id === undefined) return null;
    const order = context.store.order(BigInt(idText(s.rec.last_order_id)));
    return order ? orderSource(order) : null;
  },
};

const Product: Fields<Sourced> = {
  id: (s) => s.rec.admin_graphql_api_id,
  legacyResourceId: (s) => idText(s.rec.id),
  title: (s) => s.rec.title,
  handle: (s) => s.rec.handle,
  vendor: (s) => s.rec.vendor,
  productType: (s) => s.rec.product_type,
  status: (s) => upper(s.rec.status),
  tags: (s) => tags(s.rec.tags),
  descriptionHtml: (s) => s.rec.body_html ?? '',
  isGiftCard: (s, _args, context) => context.store.isGiftCard(idOf(s.rec)),
  totalInventory: (s) => lines(s.rec, 'variants').reduce((n, v) => n + Number(v.inventory_quantity ?? 0), 0),
  createdAt: (s) => time(s.rec.created_at),
  updatedAt: (s) => time(s.rec.updated_at),
  publishedAt: (s) => time(s.rec.published_at),
  variants: (s, args: PageArgs, context) =>
    listConnection(
      lines(s.rec, 'variants'),
      args,
      idOf,
      (variant) => ({ __typename: 'ProductVariant', rec: variant, product: s.rec }),
      context.bulkPage !== null,
    ),
};

type VariantSource = { rec: RestRecord; product: RestRecord };

const ProductVariant: Fields<VariantSource> = {
  id: (s) => s.rec.admin_graphql_api_id,
  legacyResourceId: (s) => idText(s.rec.id),
  title: (s) => s.rec.title,
  displayName: (s) => `${String(s.product.title)} - ${String(s.rec.title)}`,
  sku: (s) => s.rec.sku,
  barcode: (s) => s.rec.barcode,
  price: (s) => s.rec.price,
  compareAtPrice: (s) => s.rec.compare_at_price,
  position: (s) => s.rec.position,
  taxable: (s) => s.rec.taxable,
  inventoryQuantity: (s) => s.rec.inventory_quantity,
  createdAt: (s) => time(s.rec.created_at),
  updatedAt: (s) => time(s.rec.updated_at),
  product: (s) => sourced('Product', s.product),
  inventoryItem: (s) => ({ __typename: 'InventoryItem', rec: s.rec, product: s.product }),
};

const itemIdOf = (s: VariantSource) => BigInt(idText(s.rec.inventory_item_id));
const itemUpdatedMs = (s: VariantSource, context: AdminContext) =>
  context.store.inventory.itemUpdatedMs(itemIdOf(s), Date.parse(String(s.rec.updated_at)));

const InventoryItem: Fields<VariantSource> = {
  id: (s) => gid('InventoryItem', idText(s.rec.inventory_item_id)),
  createdAt: (s) => time(s.rec.created_at),
  updatedAt: (s, _args, context) => time(new Date(itemUpdatedMs(s, context)).toISOString()),
  variant: (s) => ({ __typename: 'ProductVariant', rec: s.rec, product: s.product }),
  inventoryLevels: (s, args: PageArgs, context) =>
    listConnection(
      context.store.inventory.levels(itemIdOf(s), Date.parse(String(s.rec.updated_at))),
      args,
      (level) => level.locationId,
      (level): LevelSource => ({ __typename: 'InventoryLevel', level, item: s }),
      context.bulkPage !== null,
    ),
  legacyResourceId: (s) => idText(s.rec.inventory_item_id),
  sku: (s) => s.rec.sku,
  tracked: (s) => s.rec.inventory_management === 'shopify',
  requiresShipping: (s) => s.rec.requires_shipping,
  unitCost(s, _args, context) {
    const cost = context.store.variantCostMinor(BigInt(idText(s.rec.id)));
    const currency = context.store.generated.context.currency;
    if (cost === null) return null;
    return moneySet([cost, cost], currency, currency).shop_money;
  },
};

type LevelSource = { __typename: 'InventoryLevel'; level: LevelRecord; item: VariantSource };

const InventoryLevel: Fields<LevelSource> = {
  id: (s) =>
    `gid://shopify/InventoryLevel/${s.level.locationId}?inventory_item_id=${s.level.inventoryItemId}`,
  item: (s) => ({ __typename: 'InventoryItem', ...s.item }),
  location: (s, _args, context) => locationSource(context.store.inventory.location(s.level.locationId)),
  // The simulator commits nothing to orders: on hand equals available.
  quantities: (s, args: { names: string[] }) =>
    args.names
      .filter((name) => name === 'available' || name === 'on_hand')
      .map((name) => ({
        name,
        quantity: s.level.available,
        updatedAt: time(new Date(s.level.updatedMs).toISOString()),
      })),
  createdAt: (s, _args, context) => time(context.store.inventory.location(s.level.locationId)?.created_at),
  updatedAt: (s) => time(new Date(s.level.updatedMs).toISOString()),
};

type LocationSource = { __typename: 'Location'; rec: LocationRecord };

function locationSource(rec: LocationRecord | undefined): LocationSource | null {
  return rec ? { __typename: 'Location', rec } : null;
}

const Location: Fields<LocationSource> = {
  id: (s) => s.rec.admin_graphql_api_id,
  legacyResourceId: (s) => idText(s.rec.id),
  name: (s) => s.rec.name,
  isActive: (s) => s.rec.active,
  address: (s) => ({
    address1: s.rec.address1,
    address2: s.rec.address2,
    city: s.rec.city,
    province: s.rec.province,
    provinceCode: s.rec.province_code,
    country: s.rec.country_name,
    countryCode: s.rec.country_code,
    zip: s.rec.zip,
    phone: s.rec.phone,
  }),
  createdAt: (s) => time(s.rec.created_at),
  updatedAt: (s) => time(s.rec.updated_at),
};

function inventoryItemSource(
  context: AdminContext,
  id: bigint,
): (VariantSource & { __typename: string }) | null {
  const found = context.store
    .inventoryItems()
    .find((entry) => BigInt(idText(entry.variant.inventory_item_id)) === id);
  return found ? { __typename: 'InventoryItem', rec: found.variant, product: found.product } : null;
}

/**
 * `inventoryItems`: every live variant's item in id order, filtered by `query` (`updated_at`, `created_at`,
 * `id`); a bulk operation reads it a chunk at a time.
 */
function inventoryItemConnection(args: PageArgs & { query?: string | null }, context: AdminContext) {
  let search;
  try {
    search = parseSearch(args.query, SEARCH_FIELDS);
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw new GraphQLError(error.message);
    throw error;
  }
  if (search.warnings.length > 0) warn(context, 'inventoryItems', args.query)(search.warnings);
  const items = context.store
    .inventoryItems()
    .map((entry) => ({ __typename: 'InventoryItem', rec: entry.variant, product: entry.product }))
    .filter((source) =>
      search.matches({
        id: itemIdOf(source),
        createdMs: Date.parse(String(source.rec.created_at)),
        updatedMs: itemUpdatedMs(source, context),
        processedMs: Date.parse(String(source.rec.created_at)),
      }),
    );
  const bulk = context.bulkPage;
  if (bulk) {
    const chunk = items.slice(bulk.after + 1, bulk.after + 1 + bulk.limit);
    bulk.next = bulk.after + 1 + bulk.limit < items.length ? bulk.after + chunk.length : null;
    return connectionOf(
      chunk.map((source) => edgeOf(source, itemIdOf(source), String(itemIdOf(source)))),
      false,
      false,
    );
  }
  return listConnection(items, args, itemIdOf, (source) => source);
}

type CheckoutSource = { __typename: 'AbandonedCheckout'; record: CheckoutRecord };

function checkoutSet(record: CheckoutRecord, amount: Pair, context: AdminContext): MoneySet {
  return moneySet(amount, context.store.generated.context.currency, record.presentment);
}

const AbandonedCheckout: Fields<CheckoutSource> = {
  id: (s) => gid('AbandonedCheckout', idText(s.record.checkout.id)),
  name: (s) => s.record.checkout.name,
  abandonedCheckoutUrl: (s) => s.record.checkout.abandoned_checkout_url,
  createdAt: (s) => time(s.record.checkout.created_at),
  updatedAt: (s) => time(s.record.checkout.updated_at),
  completedAt: (s) => time(s.record.checkout.completed_at),
  note: (s) => s.record.checkout.note,
  taxesIncluded: (s) => s.record.checkout.taxes_included,
  discountCodes: (s) => lines(s.record.checkout, 'discount_codes').map((code) => code.code),
  customer: (s, _args, context) => customerSource(context, s.record.checkout.customer),
  billingAddress: (s) =>
    address(
      s.record.checkout.billing_address as RestRecord,
      gid('MailingAddress', `${idText(s.record.checkout.id)}1`),
    ),
  shippingAddress: (s) =>
    address(
      s.record.checkout.shipping_address as RestRecord,
      gid('MailingAddress', `${idText(s.record.checkout.id)}2`),
    ),
  taxLines: (s, _args, context) =>
    lines(s.record.checkout, 'tax_lines').map((tax) => ({
      ...tax,
      price_set: checkoutSet(s.record, s.record.money.tax, context),
    })),
  subtotalPriceSet: (s, _args, context) => checkoutSet(s.record, s.record.money.subtotal, context),
  totalPriceSet: (s, _args, context) => checkoutSet(s.record, s.record.money.total, context),
  totalTaxSet: (s, _args, context) => checkoutSet(s.record, s.record.money.tax, context),
  totalDiscountSet: (s, _args, context) => checkoutSet(s.record, s.record.money.discounts, context),
  totalLineItemsPriceSet: (s, _args, context) =>
    checkoutSet(s.record, s.record.money.lineItemsTotal, context),
  lineItems: (s, args: PageArgs, context) =>
    listConnection(
      lines(s.record.checkout, 'line_items').map((line, index) => ({ line, index })),
      args,
      ({ line }) => BigInt(`0x${String(line.key)}`),
      ({ line, index }) => {
        const money = s.record.money.lines[index] as (typeof s.record.money.lines)[number];
        const set = (amount: Pair) => checkoutSet(s.record, amount, context);
        return {
          id: gid('AbandonedCheckoutLineItem', BigInt(`0x${String(line.key)}`)),
          title: line.title,
          variantTitle: line.variant_title,
          sku: line.sku,
          quantity: line.quantity,
          originalUnitPriceSet: set(money.unit),
          originalTotalPriceSet: set(money.total),
          discountedTotalPriceSet: set([
            money.total[0] - money.discount[0],
            money.total[1] - money.discount[1],
          ]),
          product: productSource(context, line.product_id),
          variant: variantSource(context, line.variant_id),
        };
      },
      context.bulkPage !== null,
    ),
};

const Shop: Fields<unknown> = {
  id: (_s, _args, context) => gid('Shop', context.store.generated.shop.id),
  name: (_s, _args, context) => context.store.generated.shop.name,
  email: (_s, _args, context) => context.store.generated.shop.email,
  contactEmail: (_s, _args, context) => context.store.generated.shop.email,
  myshopifyDomain: (_s, _args, context) => context.store.generated.shop.myshopifyDomain,
  url: (_s, _args, context) => `https://${context.store.generated.shop.myshopifyDomain}`,
  currencyCode: (_s, _args, context) => context.store.generated.shop.currencyCode,
  enabledPresentmentCurrencies: (_s, _args, context) =>
    context.store.generated.shopJson().enabled_presentment_currencies,
  ianaTimezone: (_s, _args, context) => context.store.generated.shop.ianaTimezone,
  timezoneAbbreviation: (_s, _args, context) =>
    new Intl.DateTimeFormat('en-US', {
      timeZone: context.store.generated.shop.ianaTimezone,
      timeZoneName: 'short',
    })
      .formatToParts(Date.now())
      .find((part) => part.type === 'timeZoneName')?.value ?? 'UTC',
  timezoneOffset(_s, _args, context) {
    const minutes = context.store.generated.context.clock.offsetMinutes(Date.now());
    const abs = Math.abs(minutes);
    return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  },
  timezoneOffsetMinutes: (_s, _args, context) =>
    context.store.generated.context.clock.offsetMinutes(Date.now()),
  taxesIncluded: (_s, _args, context) => context.store.generated.shop.taxesIncluded,
  billingAddress(_s, _args, context) {
    const shop = context.store.generated.shopJson();
    return {
      __id: gid('ShopAddress', context.store.generated.shop.id),
      address1: shop.address1,
      address2: shop.address2,
      city: shop.city,
      province: shop.province,
      province_code: shop.province_code,
      country: shop.country_name,
      country_code: shop.country_code,
      zip: shop.zip,
      phone: shop.phone,
    };
  },
  createdAt: (_s, _args, context) => time(context.store.generated.shop.createdAt),
  updatedAt: (_s, _args, context) => time(context.store.generated.shop.createdAt),
};

const WebhookSubscription: Fields<{ sub: Subscription }> = {
  id: (s) => gid('WebhookSubscription', s.sub.id),
  legacyResourceId: (s) => String(s.sub.id),
  topic: (s) => enumOfTopic(s.sub.topic),
  format: (s) => s.sub.format,
  uri: (s) => s.sub.callbackUrl,
  callbackUrl: (s) => s.sub.callbackUrl,
  endpoint: (s) => ({ __typename: 'WebhookHttpEndpoint', callbackUrl: s.sub.callbackUrl }),
  includeFields: (s) => s.sub.includeFields,
  filter: (s) => s.sub.filter,
  apiVersion: (s) => ({ handle: s.sub.apiVersion, displayName: s.sub.apiVersion, supported: true }),
  createdAt: (s) => new Date(s.sub.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  updatedAt: (s) => new Date(s.sub.updatedMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
};

const BulkOperation: Fields<{ op: BulkOperationState }> = {
  id: (s) => gid('BulkOperation', s.op.id),
  status: (s) => s.op.status,
  errorCode: (s) => s.op.errorCode,
  type: () => 'QUERY',
  query: (s) => s.op.query,
  createdAt: (s) => new Date(s.op.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  completedAt: (s) =>
    s.op.completedMs === null ? null : new Date(s.op.completedMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  objectCount: (s) => String(s.op.objectCount),
  rootObjectCount: (s) => String(s.op.rootObjectCount),
  fileSize: (s) => (s.op.fileSize === null ? null : String(s.op.fileSize)),
  url: (s) => s.op.url,
  partialDataUrl: () => null,
};

const subscriptionSource = (sub: Subscription) => ({ __typename: 'WebhookSubscription', sub });
const bulkSource = (op: BulkOperationState | null) => (op ? { __typename: 'BulkOperation', op } : null);

/** The object of a global id, or null (unknown type, id or type mismatch with `expected`). */
function nodeOf(context: AdminContext, id: string, expected?: string) {
  const parsed = parseGid(id);
  if (!parsed || (expected && parsed.type !== expected)) return null;
  const { store } = context;
  switch (parsed.type) {
    case 'Order': {
      const order = store.order(parsed.id);
      return order ? orderSource(order) : null;
    }
    case 'Customer': {
      const customer = store.customer(parsed.id);
      return customer ? sourced('Customer', customer) : null;
    }
    case 'Product':
      return productSource(context, parsed.id);
    case 'ProductVariant':
      return variantSource(context, parsed.id);
    case 'AbandonedCheckout': {
      const checkout = store.checkout(parsed.id);
      return checkout ? { __typename: 'AbandonedCheckout', record: checkout } : null;
    }
    case 'Refund': {
      const found = store.refund(parsed.id);
      return found ? { __typename: 'Refund', rec: found.refund, order: found.order } : null;
    }
    case 'WebhookSubscription': {
      const sub = context.subscriptions.list().find((candidate) => candidate.id === parsed.id);
      return sub ? subscriptionSource(sub) : null;
    }
    case 'BulkOperation':
      return bulkSource(context.bulk.get(parsed.id));
    case 'InventoryItem':
      return inventoryItemSource(context, parsed.id);
    case 'Location':
      return locationSource(store.inventory.location(parsed.id));
    default:
      return null;
  }
}

const SEARCH_FIELDS = ['created_at', 'updated_at', 'id'];

const QueryRoot: Fields<unknown> = {
  shop: () => ({}),
  node: (_s, args: { id: string }, context) => nodeOf(context, args.id),
  nodes: (_s, args: { ids: string[] }, context) => args.ids.map((id) => nodeOf(context, id)),
  order: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'Order'),
  customer: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'Customer'),
  product: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'Product'),
  productVariant: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'ProductVariant'),
  inventoryItem: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'InventoryItem'),
  location: (_s, args: { id?: string | null }, context) =>
    args.id
      ? nodeOf(context, args.id, 'Location')
      : locationSource(context.store.inventory.location(context.store.generated.context.locationId)),
  inventoryItems: (_s, args: RootConnectionArgs, context) => inventoryItemConnection(args, context),
  locations: (_s, args: PageArgs, context) =>
    listConnection(
      context.store.inventory.locations(),
      args,
      (rec) => BigInt(idText(rec.id)),
      (rec) => locationSource(rec),
    ),
  webhookSubscription: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'WebhookSubscription'),
  bulkOperation: (_s, args: { id: string }, context) => nodeOf(context, args.id, 'BulkOperation'),
  currentBulkOperation: (_s, args: { type?: string }, context) =>
    args.type === 'MUTATION' ? null : bulkSource(context.bulk.current()),
  orders: (_s, args: RootConnectionArgs, context) =>
    collectionConnection(args, {
      collection: context.store.orders,
      positionOf: context.store.orderPosition,
      searchFields: [...SEARCH_FIELDS, 'processed_at'],
      byUpdatedAt: args.sortKey === 'UPDATED_AT',
      toNode: orderSource,
      warn: warn(context, 'orders', args.query),
      ...(context.bulkPage ? { bulk: context.bulkPage } : {}),
    }),
  customers: (_s, args: RootConnectionArgs, context) =>
    collectionConnection(args, {
      collection: context.store.customers,
      positionOf: context.store.customerPosition,
      searchFields: SEARCH_FIELDS,
      byUpdatedAt: args.sortKey === 'UPDATED_AT',
      toNode: (record) => sourced('Customer', context.store.withStats(record)),
      warn: warn(context, 'customers', args.query),
      ...(context.bulkPage ? { bulk: context.bulkPage } : {}),
    }),
  products: (_s, args: RootConnectionArgs, context) =>
    collectionConnection(args, {
      collection: context.store.products,
      positionOf: context.store.productPosition,
      searchFields: SEARCH_FIELDS,
      byUpdatedAt: args.sortKey === 'UPDATED_AT',
      toNode: (record) => sourced('Product', record),
      warn: warn(context, 'products', args.query),
      ...(context.bulkPage ? { bulk: context.bulkPage } : {}),
    }),
  abandonedCheckouts: (_s, args: RootConnectionArgs, context) =>
    collectionConnection(args, {
      collection: context.store.checkouts,
      positionOf: context.store.checkoutPosition,
      searchFields: SEARCH_FIELDS,
      byUpdatedAt: false,
      toNode: (record) => ({ __typename: 'AbandonedCheckout', record }),
      warn: warn(context, 'abandonedCheckouts', args.query),
      ...(context.bulkPage ? { bulk: context.bulkPage } : {}),
    }),
  webhookSubscriptions(_s, args: PageArgs & { topics?: string[] | null; format?: string | null }, context) {
    const topics = args.topics?.map((topic) => topic) ?? null;
    const subscriptions = context.subscriptions
      .list()
      .filter((sub) => !topics || topics.includes(enumOfTopic(sub.topic)))
      .filter((sub) => !args.format || sub.format === args.format);
    return listConnection(subscriptions, args, (sub) => sub.id, subscriptionSource);
  },
};

const Mutation: Fields<unknown> = {
  webhookSubscriptionCreate(_s, args: { topic: string; webhookSubscription: SubscriptionInput }, context) {
    const { subscription, userErrors } = context.subscriptions.create(args.topic, args.webhookSubscription);
    return { webhookSubscription: subscription && subscriptionSource(subscription), userErrors };
  },
  webhookSubscriptionDelete(_s, args: { id: string }, context) {
    const parsed = parseGid(args.id);
    if (!parsed || parsed.type !== 'WebhookSubscription') {
      return {
        deletedWebhookSubscriptionId: null,
        userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
      };
    }
    const { deletedId, userErrors } = context.subscriptions.delete(parsed.id);
    return { deletedWebhookSubscriptionId: deletedId, userErrors };
  },
  bulkOperationRunQuery(_s, args: { query: string }, context) {
    const { operation, userErrors } = context.bulk.run(args.query);
    return { bulkOperation: bulkSource(operation), userErrors };
  },
  bulkOperationCancel(_s, args: { id: string }, context) {
    const parsed = parseGid(args.id);
    if (!parsed || parsed.type !== 'BulkOperation') throw new GraphQLError(`Invalid id: ${args.id}`);
    const { operation, userErrors } = context.bulk.cancel(parsed.id);
    return { bulkOperation: bulkSource(operation), userErrors };
  },
};

/** Resolvers by type and field name; fields not listed read the source's property of the same name. */
export const RESOLVERS: Record<string, Fields<never>> = {
  QueryRoot,
  Mutation,
  Shop,
  ShopAddress: MailingAddress as Fields<never>,
  Order,
  LineItem,
  ShippingLine,
  TaxLine,
  DiscountAllocation,
  Refund,
  RefundLineItem,
  RefundShippingLine,
  OrderTransaction,
  MoneyBag,
  MoneyV2,
  MailingAddress,
  Customer,
  Product,
  ProductVariant,
  InventoryItem,
  InventoryLevel,
  Location,
  AbandonedCheckout,
  WebhookSubscription,
  BulkOperation,
} as Record<string, Fields<never>>;
