/**
 * The arithmetic of an order's money, in both shop and presentment currency: line totals, discount
 * allocations, taxes, shipping, totals, and what a refund gives back. One place, used by the generator and by
 * refunds added through the simulator's API, so that every order and refund it sends adds up:
 * - total_line_items_price = sum of price x quantity
 * - subtotal_price = total_line_items_price - total_discounts
 * - total_price = subtotal_price + shipping + total_tax (total_tax not added when taxes_included)
 * (field definitions: shopify.dev/docs/api/admin-rest/latest/resources/order).
 *
 * Each currency is computed with the same formulas from its own unit prices, so each is consistent on its
 * own; the presentment amounts are conversions at fixed rates (catalog.ts), not Shopify's market prices.
 */
import { addPairs, allocate, convertMinor, share, type Pair } from './amounts.ts';
import type { Currency } from './catalog.ts';

export type LineInput = {
  /** Unit price in shop currency, minor units. */
  unitShop: number;
  quantity: number;
  taxable: boolean;
  /** False for gift cards, which discount codes do not apply to. */
  discountable: boolean;
};

export type DiscountInput =
  { kind: 'percentage'; percent: number } | { kind: 'fixed_amount'; amountShop: number };

export type PricingInput = {
  lines: readonly LineInput[];
  discount: DiscountInput | null;
  /** Shipping price in shop currency, minor units (0 for free shipping). */
  shippingShop: number;
  taxRate: number;
  taxesShipping: boolean;
  taxesIncluded: boolean;
};

export type LineMoney = {
  quantity: number;
  unit: Pair;
  /** unit x quantity */
  total: Pair;
  /** The line's share of the order's discount (its `discount_allocations`). */
  discount: Pair;
  tax: Pair;
};

export type OrderMoney = {
  lines: LineMoney[];
  shipping: Pair;
  shippingTax: Pair;
  lineItemsTotal: Pair;
  discounts: Pair;
  subtotal: Pair;
  tax: Pair;
  total: Pair;
  taxesIncluded: boolean;
};

export type RefundRequest = {
  lines: readonly { line: number; quantity: number }[];
  /** Refund the order's whole shipping (with its tax). */
  shipping: boolean;
};

export type RefundLineMoney = { line: number; quantity: number; subtotal: Pair; tax: Pair; discount: Pair };

export type RefundMoney = {
  lines: RefundLineMoney[];
  shipping: Pair;
  shippingTax: Pair;
  /** What goes back to the buyer: the refund transaction's amount. */
  total: Pair;
};

function taxOn(net: number, rate: number, included: boolean): number {
  const exact = included ? (net * rate) / (1 + rate) : net * rate;
  return Math.round(exact);
}

function discountsIn(lineTotals: number[], input: PricingInput, fixedAmount: number): number[] {
  const discount = input.discount;
  if (!discount) return lineTotals.map(() => 0);
  const weights = lineTotals.map((total, index) => (input.lines[index]?.discountable ? total : 0));
  if (discount.kind === 'percentage') return weights.map((weight) => share(weight, discount.percent, 100));
  const applicable = weights.reduce((sum, weight) => sum + weight, 0);
  return allocate(Math.min(fixedAmount, applicable), weights);
}

/** Prices an order in shop and presentment currency from its lines, discount, shipping and tax rate. */
export function priceOrder(input: PricingInput, shop: Currency, presentment: Currency): OrderMoney {
  const byCurrency = [shop, presentment].map((currency) => {
    const units = input.lines.map((line) => convertMinor(line.unitShop, shop, currency));
    const totals = units.map((unit, index) => unit * (input.lines[index]?.quantity ?? 0));
    const fixed =
      input.discount?.kind === 'fixed_amount' ? convertMinor(input.discount.amountShop, shop, currency) : 0;
    const discounts = discountsIn(totals, input, fixed);
    const taxes = totals.map((total, index) =>
      input.lines[index]?.taxable
        ? taxOn(total - (discounts[index] ?? 0), input.taxRate, input.taxesIncluded)
        : 0,
    );
    const shipping = convertMinor(input.shippingShop, shop, currency);
    const shippingTax = input.taxesShipping ? taxOn(shipping, input.taxRate, input.taxesIncluded) : 0;
    return { units, totals, discounts, taxes, shipping, shippingTax };
  });
  const [s, p] = byCurrency as [(typeof byCurrency)[0], (typeof byCurrency)[0]];
  const pair = (pick: (c: typeof s) => number): Pair => [pick(s), pick(p)];
  const lines: LineMoney[] = input.lines.map((line, index) => ({
    quantity: line.quantity,
    unit: pair((c) => c.units[index] ?? 0),
    total: pair((c) => c.totals[index] ?? 0),
    discount: pair((c) => c.discounts[index] ?? 0),
    tax: pair((c) => c.taxes[index] ?? 0),
  }));
  return totalsOf(
    lines,
    pair((c) => c.shipping),
    pair((c) => c.shippingTax),
    input.taxesIncluded,
  );
}

/** Order totals from priced lines and shipping (also used on an order read back from its JSON). */
export function totalsOf(
  lines: LineMoney[],
  shipping: Pair,
  shippingTax: Pair,
  taxesIncluded: boolean,
): OrderMoney {
  const lineItemsTotal = addPairs(...lines.map((line) => line.total));
  const discounts = addPairs(...lines.map((line) => line.discount));
  const subtotal: Pair = [lineItemsTotal[0] - discounts[0], lineItemsTotal[1] - discounts[1]];
  const tax = addPairs(shippingTax, ...lines.map((line) => line.tax));
  const total = addPairs(subtotal, shipping, taxesIncluded ? [0, 0] : tax);
  return { lines, shipping, shippingTax, lineItemsTotal, discounts, subtotal, tax, total, taxesIncluded };
}

/**
 * What a refund of some line quantities (and optionally the shipping) gives back. Shares are taken
 * cumulatively (`f(before + q) - f(before)`), so refunding a line in several parts gives back exactly what
 * refunding it at once would.
 *
 * @param refundedBefore quantity of each line refunded by earlier refunds
 * @throws Error when a quantity is not positive or exceeds what is left of the line
 */
export function priceRefund(
  money: OrderMoney,
  refundedBefore: readonly number[],
  request: RefundRequest,
): RefundMoney {
  const lines = request.lines.map(({ line, quantity }): RefundLineMoney => {
    const priced = money.lines[line];
    const before = refundedBefore[line] ?? 0;
    if (!priced || quantity <= 0 || before + quantity > priced.quantity) {
      throw new Error(
        `cannot refund ${quantity} of line ${line}: ${priced?.quantity ?? 0} ordered, ${before} refunded`,
      );
    }
    const cumulative = (amount: number, count: number) => share(amount, count, priced.quantity);
    const part = (amount: number) => cumulative(amount, before + quantity) - cumulative(amount, before);
    const discount: Pair = [part(priced.discount[0]), part(priced.discount[1])];
    const subtotal: Pair = [part(priced.total[0]) - discount[0], part(priced.total[1]) - discount[1]];
    return { line, quantity, subtotal, discount, tax: [part(priced.tax[0]), part(priced.tax[1])] };
  });
  const shipping: Pair = request.shipping ? [...money.shipping] : [0, 0];
  const shippingTax: Pair = request.shipping ? [...money.shippingTax] : [0, 0];
  const tax = addPairs(shippingTax, ...lines.map((line) => line.tax));
  const total = addPairs(shipping, money.taxesIncluded ? [0, 0] : tax, ...lines.map((line) => line.subtotal));
  return { lines, shipping, shippingTax, total };
}
