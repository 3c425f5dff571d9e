/**
 * Inventory report: stock on hand per product variant and location, how fast it sells, how long it lasts and
 * what it is worth at cost. The measures follow Shopify's inventory reports
 * (help.shopify.com/en/manual/reports-and-analytics/shopify-reports/report-types/default-reports/inventory-reports:
 * "Average inventory sold per day", "Percent of inventory sold", "Days of inventory remaining") and the
 * ShopifyQL `inventory` schema (shopify.dev/docs/api/shopifyql/latest/schemas/inventory/inventory:
 * `sell_through_rate`, `ending_inventory_value`):
 *
 * - On hand: the level's `available` quantity (inventory_levels/* webhooks): Shopify's "Available", which
 *   leaves out committed and incoming units. May be negative (oversold); null for an untracked item.
 * - Units sold: net units sold of the variant in the window: line item quantities of orders processed in the
 *   window, less the quantities of refund line items processed in the window (refunded orders processed
 *   earlier included). Test and deleted orders and gift cards are left out, as in the sales reports
 *   (src/analytics/sales.ts). Orders do not say which location fulfilled a line, so the sales of a variant
 *   are store-wide and every location row of the variant shows the same units sold.
 * - Units sold per day = units sold / days ("Average inventory sold per day").
 * - Days of cover = on hand / units sold per day ("Days of inventory remaining"); null when the variant did
 *   not sell (net units sold <= 0) or is untracked, 0 when nothing is on hand.
 * - Sell-through rate = units sold / (units sold + on hand) x 100 ("Percent of inventory sold", with the
 *   starting quantity taken as what is on hand now plus what sold since); null when the denominator is not
 *   positive.
 * - Stock value = on hand x the inventory item's unit cost (`ending_inventory_value`); null without a cost.
 * - Low stock: on hand at or under the tenant's `low_stock_threshold`.
 *
 * Window: the last `days` store-local days, today included (tenant time zone, cut at the store's midnight).
 * Rows leave out deleted products, variants and inventory items, deleted or inactive locations, and
 * disconnected levels. Money: decimal strings in shop currency; ids: decimal strings.
 */
import Big from 'big.js';
import type { Queryable } from '../db/client.ts';
import { todayIn } from './range.ts';

export type InventoryQuery = {
  /** Length of the sales window in store-local days, today included. */
  days: number;
  /** Only this location (a Shopify location id). */
  locationId?: string | undefined;
  /** Only the rows that are low on stock. */
  lowStockOnly?: boolean | undefined;
  timezone: string;
  lowStockThreshold: number;
  /** The reference instant ("now"); default: the current time. */
  now?: Date;
};

export type InventoryRow = {
  productId: string;
  productTitle: string | null;
  variantId: string;
  variantTitle: string | null;
  sku: string | null;
  inventoryItemId: string;
  locationId: string;
  locationName: string | null;
  onHand: number | null;
  unitsSold: number;
  /** Decimal string, 2 decimals. */
  unitsSoldPerDay: string;
  /** Decimal string, 1 decimal; null when the variant did not sell. */
  daysOfCover: string | null;
  /** Percent, decimal string with 1 decimal; null when nothing sold and nothing is on hand. */
  sellThroughRate: string | null;
  /** Unit cost, shop currency; null when the inventory item has none. */
  unitCost: string | null;
  /** On hand x unit cost, shop currency, 2 decimals; null without a cost or a tracked quantity. */
  stockValue: string | null;
  lowStock: boolean;
};

export type InventoryReport = {
  window: { from: string; to: string; timezone: string; days: number };
  lowStockThreshold: number;
  rows: InventoryRow[];
  lowStock: InventoryRow[];
  totals: {
    rows: number;
    variants: number;
    onHand: number;
    /** Net units sold of the variants in the report, each counted once. */
    unitsSold: number;
    stockValue: string;
    lowStock: number;
  };
};

/**
 * Per-variant, per-location stock and sales of one tenant. Parameters: $1 tenant id, $2 window start date,
 * $3 window end date, $4 time zone, $5 location id or null.
 */
const INVENTORY_SQL = `
WITH bounds AS (
  SELECT ($2::date::timestamp AT TIME ZONE $4) AS start_at, (($3::date + 1)::timestamp AT TIME ZONE $4) AS end_at
),
movements AS (
  SELECT li.variant_id, li.quantity AS units
  FROM order_line_items li
  JOIN orders o ON o.tenant_id = li.tenant_id AND o.id = li.order_id
  CROSS JOIN bounds b
  WHERE li.tenant_id = $1 AND li.variant_id IS NOT NULL AND NOT li.gift_card AND NOT o.test
    AND o.deleted_at IS NULL AND o.processed_at >= b.start_at AND o.processed_at < b.end_at
  UNION ALL
  SELECT li.variant_id, -rli.quantity
  FROM refund_line_items rli
  JOIN refunds r ON r.tenant_id = rli.tenant_id AND r.id = rli.refund_id
  JOIN order_line_items li ON li.tenant_id = rli.tenant_id AND li.id = rli.line_item_id
  JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  CROSS JOIN bounds b
  WHERE rli.tenant_id = $1 AND li.variant_id IS NOT NULL AND NOT li.gift_card AND NOT o.test
    AND o.deleted_at IS NULL AND r.processed_at >= b.start_at AND r.processed_at < b.end_at
),
sold AS (SELECT variant_id, sum(units) AS units FROM movements GROUP BY variant_id)
SELECT p.id::text AS product_id, p.title AS product_title, v.id::text AS variant_id, v.title AS variant_title,
       coalesce(v.sku, i.sku) AS sku, l.inventory_item_id::text AS inventory_item_id,
       l.location_id::text AS location_id, loc.name AS location_name, l.available,
       coalesce(s.units, 0)::text AS units_sold, i.cost::text AS unit_cost
FROM inventory_levels l
JOIN product_variants v
  ON v.tenant_id = l.tenant_id AND v.inventory_item_id = l.inventory_item_id AND v.deleted_at IS NULL
JOIN products p ON p.tenant_id = v.tenant_id AND p.id = v.product_id AND p.deleted_at IS NULL
LEFT JOIN inventory_items i ON i.tenant_id = l.tenant_id AND i.id = l.inventory_item_id
LEFT JOIN locations loc ON loc.tenant_id = l.tenant_id AND loc.id = l.location_id
LEFT JOIN sold s ON s.variant_id = v.id
WHERE l.tenant_id = $1 AND l.disconnected_at IS NULL AND l.updated_at IS NOT NULL
  AND i.deleted_at IS NULL AND loc.deleted_at IS NULL AND coalesce(loc.active, true)
  AND ($5::bigint IS NULL OR l.location_id = $5::bigint)
ORDER BY p.title NULLS LAST, p.id, v.position NULLS LAST, v.id, loc.name NULLS LAST, l.location_id`;

type Stored = {
  product_id: string;
  product_title: string | null;
  variant_id: string;
  variant_title: string | null;
  sku: string | null;
  inventory_item_id: string;
  location_id: string;
  location_name: string | null;
  available: number | null;
  units_sold: string;
  unit_cost: string | null;
};

/** `date` moved by `days` calendar days (YYYY-MM-DD). */
function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The report's measures for one stored row (definitions in the module docstring). */
function measure(row: Stored, days: number, threshold: number): InventoryRow {
  const units = Number(row.units_sold);
  const onHand = row.available;
  const selling = units > 0;
  const daysOfCover =
    !selling || onHand === null ? null : new Big(Math.max(onHand, 0)).times(days).div(units).toFixed(1);
  const throughBase = onHand === null ? 0 : units + onHand;
  const sellThroughRate = throughBase > 0 ? new Big(units).div(throughBase).times(100).toFixed(1) : null;
  const stockValue =
    onHand === null || row.unit_cost === null ? null : new Big(row.unit_cost).times(onHand).toFixed(2);
  return {
    productId: row.product_id,
    productTitle: row.product_title,
    variantId: row.variant_id,
    variantTitle: row.variant_title,
    sku: row.sku,
    inventoryItemId: row.inventory_item_id,
    locationId: row.location_id,
    locationName: row.location_name,
    onHand,
    unitsSold: units,
    unitsSoldPerDay: new Big(units).div(days).toFixed(2),
    daysOfCover,
    sellThroughRate,
    unitCost: row.unit_cost,
    stockValue,
    lowStock: onHand !== null && onHand <= threshold,
  };
}

/**
 * The inventory report of one tenant (read through `db.forTenant`). Rows are ordered by product title,
 * variant position and location name.
 */
export async function inventoryReport(
  db: Queryable,
  tenantId: string,
  query: InventoryQuery,
): Promise<InventoryReport> {
  const to = todayIn(query.timezone, query.now);
  const from = shiftDate(to, -(query.days - 1));
  const stored = await db.query<Stored>(INVENTORY_SQL, [
    tenantId,
    from,
    to,
    query.timezone,
    query.locationId ?? null,
  ]);
  const all = stored.map((row) => measure(row, query.days, query.lowStockThreshold));
  const rows = query.lowStockOnly ? all.filter((row) => row.lowStock) : all;
  const soldByVariant = new Map(rows.map((row) => [row.variantId, row.unitsSold]));
  return {
    window: { from, to, timezone: query.timezone, days: query.days },
    lowStockThreshold: query.lowStockThreshold,
    rows,
    lowStock: rows.filter((row) => row.lowStock),
    totals: {
      rows: rows.length,
      variants: soldByVariant.size,
      onHand: rows.reduce((total, row) => total + (row.onHand ?? 0), 0),
      unitsSold: [...soldByVariant.values()].reduce((total, units) => total + units, 0),
      stockValue: rows
        .reduce((total, row) => (row.stockValue === null ? total : total.plus(row.stockValue)), new Big(0))
        .toFixed(2),
      lowStock: rows.filter((row) => row.lowStock).length,
    },
  };
}
