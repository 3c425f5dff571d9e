/**
 * Analytics API under `/api/v1/tenants/:tenantId/analytics/`: `summary` (with `compare`), `sales-over-time`,
 * `top-customers`, `top-products`. The three reports with rows also answer CSV (`?format=csv` or
 * `Accept: text/csv`): their rows, one column per field, as src/http/csv.ts writes them.
 * Each handler validates the query, resolves the tenant (404 for an unknown one), resolves the range in the
 * tenant's time zone and calls the metric module. Money: decimal strings in shop currency; Shopify ids:
 * strings exactly as Shopify sent them.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { csvColumnsOf, formatQuery, sendCsv, wantsCsv, type CsvCell, type CsvColumn } from '../http/csv.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { topCustomers } from './customers.ts';
import { COMPARISONS, INTERVALS, MAX_DAYS, comparisonRange, rangeQuery, resolveRange } from './range.ts';
import { PRODUCT_SORTS, topProducts } from './products.ts';
import { deltas } from './compare.ts';
import { salesOverTime, salesSummary } from './sales.ts';

const money = z.string();
const salesFigures = {
  grossSales: money,
  discounts: money,
  returns: money,
  netSales: money,
  shipping: money,
  taxes: money,
  duties: money,
  totalSales: money,
};
const rangeEcho = z.object({ from: z.string(), to: z.string(), timezone: z.string() });

const summaryFigures = {
  orders: z.number(),
  customers: z.number(),
  newCustomers: z.number(),
  ...salesFigures,
  averageOrderValue: money,
};

const delta = z.object({ change: z.string(), percent: z.string().nullable() });

export const summaryResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  ...summaryFigures,
  compare: z
    .object({
      comparison: z.enum(COMPARISONS),
      range: rangeEcho,
      ...summaryFigures,
      /** Change from the compared range to this one: absolute (decimal string) and percent (1 decimal). */
      deltas: z.record(z.string(), delta),
    })
    .optional(),
});

const COMPARED_FIELDS = [
  'orders',
  'customers',
  'newCustomers',
  'grossSales',
  'discounts',
  'returns',
  'netSales',
  'shipping',
  'taxes',
  'duties',
  'totalSales',
  'averageOrderValue',
] as const;

export const salesOverTimeResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  interval: z.enum(INTERVALS),
  rows: z.array(z.object({ date: z.string(), orders: z.number(), ...salesFigures })),
});

export const topCustomersResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  customers: z.array(
    z.object({
      customerId: z.string(),
      email: z.string().nullable(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      orders: z.number(),
      netSales: money,
    }),
  ),
});

export const topProductsResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  sort: z.enum(PRODUCT_SORTS),
  products: z.array(
    z.object({
      productId: z.string().nullable(),
      title: z.string().nullable(),
      unitsSold: z.number(),
      grossSales: money,
      discounts: money,
      returns: money,
      netSales: money,
    }),
  ),
});

export type TopProductsResponse = z.infer<typeof topProductsResponse>;
export type SummaryResponse = z.infer<typeof summaryResponse>;
export type SalesOverTimeResponse = z.infer<typeof salesOverTimeResponse>;
export type TopCustomersResponse = z.infer<typeof topCustomersResponse>;

/** A summary flattened for CSV: `period`, the range's dates, then the figures. */
type SummaryCsvRow = Record<string, unknown>;

const SUMMARY_COLUMNS: CsvColumn<SummaryCsvRow>[] = [
  'period',
  'from',
  'to',
  'timezone',
  'currency',
  ...COMPARED_FIELDS,
].map((field) => ({ header: field, value: (row) => row[field] as CsvCell }));

export async function analyticsRoutes(
  app: FastifyInstance,
  options: { db: Database; tenants: TenantService },
) {
  const { db, tenants } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const base = '/tenants/:tenantId/analytics';

  api.get(
    `${base}/summary`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({ compare: z.enum(COMPARISONS).optional(), ...formatQuery.shape }),
        response: { 200: summaryResponse },
      },
    },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
      const tenant = await tenants.record(request.params.tenantId);
      const range = resolveRange(request.query, tenant.timezone, MAX_DAYS.total);
      const comparison = request.query.compare;
      const answer: SummaryResponse = await db.forTenant(tenant.id, async (tx) => {
        const summary = await salesSummary(tx, tenant.id, range, tenant.currency);
        if (!comparison) return { range, ...summary };
        const previousRange = comparisonRange(range, comparison);
        const previous = await salesSummary(tx, tenant.id, previousRange, tenant.currency);
        return {
          range,
          ...summary,
          compare: {
            comparison,
            range: previousRange,
            ...previous,
            deltas: deltas(summary, previous, COMPARED_FIELDS),
          },
        };
      });
      if (wantsCsv(request)) {
        // One row for the range, and one for the compared range when asked.
        const rows: SummaryCsvRow[] = [
          { period: 'range', ...answer.range, ...answer },
          ...(answer.compare
            ? [
                {
                  period: answer.compare.comparison,
                  ...answer.compare.range,
                  currency: answer.currency,
                  ...answer.compare,
                },
              ]
            : []),
        ];
        return sendCsv(reply, `summary_${range.from}_${range.to}`, SUMMARY_COLUMNS, rows);
      }
      return answer;
    },
  );

  api.get(
    `${base}/sales-over-time`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({ interval: z.enum(INTERVALS).default('day'), ...formatQuery.shape }),
        response: { 200: salesOverTimeResponse },
      },
    },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
      const tenant = await tenants.record(request.params.tenantId);
      const range = resolveRange(request.query, tenant.timezone, MAX_DAYS[request.query.interval]);
      const rows = await db.forTenant(tenant.id, (tx) =>
        salesOverTime(tx, tenant.id, range, request.query.interval),
      );
      if (wantsCsv(request)) {
        return sendCsv(
          reply,
          `sales-over-time_${range.from}_${range.to}`,
          csvColumnsOf(salesOverTimeResponse.shape.rows.element),
          rows,
        );
      }
      return { range, currency: tenant.currency, interval: request.query.interval, rows };
    },
  );

  api.get(
    `${base}/top-customers`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({
          limit: z.coerce.number().int().min(1).max(100).default(10),
          ...formatQuery.shape,
        }),
        response: { 200: topCustomersResponse },
      },
    },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
      const tenant = await tenants.record(request.params.tenantId);
      const range = resolveRange(request.query, tenant.timezone, MAX_DAYS.total);
      const customers = await db.forTenant(tenant.id, (tx) =>
        topCustomers(tx, tenant.id, range, request.query.limit),
      );
      if (wantsCsv(request)) {
        return sendCsv(
          reply,
          `top-customers_${range.from}_${range.to}`,
          csvColumnsOf(topCustomersResponse.shape.customers.element),
          customers,
        );
      }
      return { range, currency: tenant.currency, customers };
    },
  );

  api.get(
    `${base}/top-products`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({
          sort: z.enum(PRODUCT_SORTS).default('net_sales'),
          limit: z.coerce.number().int().min(1).max(100).default(10),
          ...formatQuery.shape,
        }),
        response: { 200: topProductsResponse },
      },
    },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
      const tenant = await tenants.record(request.params.tenantId);
      const range = resolveRange(request.query, tenant.timezone, MAX_DAYS.total);
      const { sort, limit } = request.query;
      const products = await db.forTenant(tenant.id, (tx) => topProducts(tx, tenant.id, range, sort, limit));
      if (wantsCsv(request)) {
        return sendCsv(
          reply,
          `top-products_${range.from}_${range.to}`,
          csvColumnsOf(topProductsResponse.shape.products.element),
          products,
        );
      }
      return { range, currency: tenant.currency, sort, products };
    },
  );
}
