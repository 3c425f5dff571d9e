/**
 * Inventory report API: `GET /api/v1/tenants/:tenantId/analytics/inventory?days=30&location_id=&low_stock_only=`
 * (definitions in src/analytics/inventory.ts). JSON by default; CSV of the rows with `?format=csv` or
 * `Accept: text/csv`, one column per JSON field of a row.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { csvColumnsOf, formatQuery, sendCsv, wantsCsv, type CsvColumn } from '../http/csv.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { inventoryReport, type InventoryRow } from './inventory.ts';

export const inventoryQuery = formatQuery.extend({
  days: z.coerce.number().int().min(1).max(3660).default(30),
  location_id: z
    .string()
    .regex(/^[1-9]\d{0,18}$/, 'must be a Shopify location id')
    .optional(),
  low_stock_only: z
    .enum(['true', 'false', '1', '0'])
    .transform((value) => value === 'true' || value === '1')
    .optional(),
});

const inventoryRow = z.object({
  productId: z.string(),
  productTitle: z.string().nullable(),
  variantId: z.string(),
  variantTitle: z.string().nullable(),
  sku: z.string().nullable(),
  inventoryItemId: z.string(),
  locationId: z.string(),
  locationName: z.string().nullable(),
  onHand: z.number().nullable(),
  unitsSold: z.number(),
  unitsSoldPerDay: z.string(),
  daysOfCover: z.string().nullable(),
  sellThroughRate: z.string().nullable(),
  unitCost: z.string().nullable(),
  stockValue: z.string().nullable(),
  lowStock: z.boolean(),
});

export const inventoryResponse = z.object({
  window: z.object({ from: z.string(), to: z.string(), timezone: z.string(), days: z.number() }),
  currency: z.string(),
  lowStockThreshold: z.number(),
  rows: z.array(inventoryRow),
  lowStock: z.array(inventoryRow),
  totals: z.object({
    rows: z.number(),
    variants: z.number(),
    onHand: z.number(),
    unitsSold: z.number(),
    stockValue: z.string(),
    lowStock: z.number(),
  }),
});

export type InventoryResponse = z.infer<typeof inventoryResponse>;

const CSV_COLUMNS: CsvColumn<InventoryRow>[] = csvColumnsOf(inventoryRow);

export async function inventoryRoutes(
  app: FastifyInstance,
  options: { db: Database; tenants: TenantService },
) {
  const { db, tenants } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/tenants/:tenantId/analytics/inventory',
    { schema: { params: tenantParams, querystring: inventoryQuery, response: { 200: inventoryResponse } } },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
      const tenant = await tenants.record(request.params.tenantId);
      const { days, location_id: locationId, low_stock_only: lowStockOnly } = request.query;
      const report = await db.forTenant(tenant.id, (tx) =>
        inventoryReport(tx, tenant.id, {
          days,
          locationId,
          lowStockOnly,
          timezone: tenant.timezone,
          lowStockThreshold: tenant.lowStockThreshold,
        }),
      );
      if (wantsCsv(request)) return sendCsv(reply, `inventory-${report.window.to}`, CSV_COLUMNS, report.rows);
      return { ...report, currency: tenant.currency };
    },
  );
}
