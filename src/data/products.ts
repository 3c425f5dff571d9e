/**
 * The product list and product detail. Deleted products and variants are never shown. The detail carries
 * the product's sales in a range as Shopify's "Sales by product" report counts them (src/analytics/
 * products.ts). Money: decimal strings in shop currency; ids: decimal strings; times: UTC ISO-8601.
 */
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { productEventsSql } from '../analytics/products.ts';
import { RANGE_SCOPE } from '../analytics/sales.ts';
import type { DateRange } from '../analytics/range.ts';
import { csvColumnsOf, type CsvColumn } from '../http/csv.ts';
import {
  containsPattern,
  dateConditions,
  fetchPage,
  Params,
  queryText,
  type Cursor,
  type Direction,
  type RawPage,
  type Sort,
  type SortColumn,
} from './cursor.ts';

const time = z.string().nullable();

export const productRow = z.object({
  id: z.string(),
  title: z.string().nullable(),
  handle: z.string().nullable(),
  vendor: z.string().nullable(),
  productType: z.string().nullable(),
  status: z.string().nullable(),
  tags: z.string().nullable(),
  variantsCount: z.number(),
  createdAt: time,
  updatedAt: time,
  publishedAt: time,
});
export type ProductRow = z.infer<typeof productRow>;

/** Sorts of the product list (default `title:asc`). */
export const PRODUCT_LIST_SORTS: Record<string, SortColumn & { direction: Direction }> = {
  title: { sql: 'lower(p.title)', type: 'text', direction: 'asc' },
  vendor: { sql: 'lower(p.vendor)', type: 'text', direction: 'asc' },
  created_at: { sql: 'p.created_at', type: 'timestamptz', direction: 'desc' },
  updated_at: { sql: 'p.updated_at', type: 'timestamptz', direction: 'desc' },
};
export const DEFAULT_PRODUCT_SORT = 'title';

/**
 * Filters: `q` (title, handle, or a variant's SKU), `status` (Shopify's `active`, `draft`, `archived`),
 * `vendor` (exact, case-insensitive), `from`/`to` (created date, store time zone).
 */
export const productFilters = z.object({
  q: queryText.optional(),
  status: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional(),
  vendor: queryText.optional(),
});
export type ProductFilters = z.infer<typeof productFilters> & {
  from?: string | undefined;
  to?: string | undefined;
};

const PRODUCT_COLUMNS = `
  p.id::text AS id, p.title, p.handle, p.vendor, p.product_type, p.status, p.tags, p.created_at, p.updated_at,
  p.published_at,
  (SELECT count(*)::int FROM product_variants v
   WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id AND v.deleted_at IS NULL) AS variants_count`;

type ProductDbRow = {
  id: string;
  title: string | null;
  handle: string | null;
  vendor: string | null;
  product_type: string | null;
  status: string | null;
  tags: string | null;
  created_at: string | null;
  updated_at: string | null;
  published_at: string | null;
  variants_count: number;
};

const toProductRow = (row: ProductDbRow): ProductRow => ({
  id: row.id,
  title: row.title,
  handle: row.handle,
  vendor: row.vendor,
  productType: row.product_type,
  status: row.status,
  tags: row.tags,
  variantsCount: row.variants_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  publishedAt: row.published_at,
});

/** One page of a tenant's products matching `filters`, after `cursor`, in `sort` order. */
export async function listProducts(
  db: Queryable,
  tenantId: string,
  timezone: string,
  filters: ProductFilters,
  sort: Sort,
  cursor: Cursor | undefined,
  limit: number,
): Promise<RawPage<ProductRow>> {
  const params = new Params();
  const where = [`p.tenant_id = ${params.add(tenantId)}`, 'p.deleted_at IS NULL'];
  if (filters.q) {
    const q = params.add(containsPattern(filters.q));
    where.push(`(p.title ILIKE ${q} OR p.handle ILIKE ${q} OR EXISTS (
      SELECT 1 FROM product_variants v
      WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id AND v.deleted_at IS NULL AND v.sku ILIKE ${q}))`);
  }
  if (filters.status) where.push(`p.status = ${params.add(filters.status)}`);
  if (filters.vendor) where.push(`lower(p.vendor) = lower(${params.add(filters.vendor)})`);
  where.push(...dateConditions('p.created_at', filters, timezone, params));
  const page = await fetchPage<ProductDbRow>(
    db,
    { select: PRODUCT_COLUMNS, from: 'products p', where, id: 'p.id' },
    params.values,
    sort,
    cursor,
    limit,
  );
  return { rows: page.rows.map(toProductRow), next: page.next };
}

/** CSV columns of the product list (the JSON row's fields). */
export const PRODUCT_CSV: CsvColumn<ProductRow>[] = csvColumnsOf(productRow);

export const productDetail = productRow.extend({
  variants: z.array(
    z.object({
      id: z.string(),
      title: z.string().nullable(),
      sku: z.string().nullable(),
      price: z.string().nullable(),
      compareAtPrice: z.string().nullable(),
      position: z.number().nullable(),
      inventoryItemId: z.string().nullable(),
    }),
  ),
  /** Sales of the product in `range` (the `from`/`to` of the request; default the last 30 days). */
  sales: z.object({
    range: z.object({ from: z.string(), to: z.string(), timezone: z.string() }),
    unitsSold: z.number(),
    grossSales: z.string(),
    discounts: z.string(),
    returns: z.string(),
    netSales: z.string(),
  }),
});
export type ProductDetail = z.infer<typeof productDetail>;

/** One product of the tenant with its variants and its sales in `range`; undefined when unknown or deleted. */
export async function productDetails(
  db: Queryable,
  tenantId: string,
  productId: string,
  range: DateRange,
): Promise<ProductDetail | undefined> {
  const [row] = await db.query<ProductDbRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.tenant_id = $1 AND p.id = $2::bigint AND p.deleted_at IS NULL`,
    [tenantId, productId],
  );
  if (!row) return undefined;
  const variants = await db.query<{
    id: string;
    title: string | null;
    sku: string | null;
    price: string | null;
    compare_at_price: string | null;
    position: number | null;
    inventory_item_id: string | null;
  }>(
    `SELECT id::text AS id, title, sku, price, compare_at_price, position, inventory_item_id::text AS inventory_item_id
     FROM product_variants WHERE tenant_id = $1 AND product_id = $2::bigint AND deleted_at IS NULL
     ORDER BY position NULLS LAST, id`,
    [tenantId, productId],
  );
  const [sales] = await db.query<{
    units: string;
    gross_sales: string;
    discounts: string;
    returns: string;
    net_sales: string;
  }>(
    `WITH ${productEventsSql(RANGE_SCOPE)}
     SELECT coalesce(sum(e.units), 0)::text AS units, round(coalesce(sum(e.gross_sales), 0), 2)::text AS gross_sales,
            round(coalesce(sum(e.discounts), 0), 2)::text AS discounts,
            round(coalesce(sum(e.returns), 0), 2)::text AS returns,
            round(coalesce(sum(e.gross_sales - e.discounts - e.returns), 0), 2)::text AS net_sales
     FROM product_events e WHERE e.product_id = $5::bigint`,
    [tenantId, range.from, range.to, range.timezone, productId],
  );
  return {
    ...toProductRow(row),
    variants: variants.map((variant) => ({
      id: variant.id,
      title: variant.title,
      sku: variant.sku,
      price: variant.price,
      compareAtPrice: variant.compare_at_price,
      position: variant.position,
      inventoryItemId: variant.inventory_item_id,
    })),
    sales: {
      range,
      unitsSold: Number(sales!.units),
      grossSales: sales!.gross_sales,
      discounts: sales!.discounts,
      returns: sales!.returns,
      netSales: sales!.net_sales,
    },
  };
}
