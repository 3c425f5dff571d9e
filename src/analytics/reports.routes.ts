/**
 * The analytics reports beyond the summary, under `/api/v1/tenants/:tenantId/analytics/`:
 * `orders-over-time`, `average-order-value-over-time`, `customers-over-time`, `recent-orders`, `refunds`,
 * `cohorts`, `rfm`, `customer-lifetime-value`. Definitions and their sources are in the metric modules
 * (orders.ts, customer-activity.ts, refunds.ts, cohorts.ts, rfm.ts, lifetime-value.ts).
 *
 * Every report takes `from`/`to` (store-time-zone dates, src/analytics/range.ts) and `format=json|csv` (or
 * `Accept: text/csv`; the CSV is the report's main table). Series take `interval=day|week|month|quarter|year`
 * and `compare=previous_period|previous_year`, which adds the compared range's series, its totals and the
 * deltas of the totals. Handler order: validate -> authorize (`analytics:read`) -> tenant (404) -> range
 * (400 `invalid_range`) -> queries as the tenant (row-level security) -> typed answer. Money: decimal strings
 * in shop currency; Shopify ids: strings; times: UTC ISO-8601.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { formatQuery, pages, sendCsv, wantsCsv, type CsvColumn } from '../http/csv.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { cohorts } from './cohorts.ts';
import { deltas, type Delta } from './compare.ts';
import { customersOverTime } from './customer-activity.ts';
import { lifetimeValue } from './lifetime-value.ts';
import { averageOrderValueOverTime, ordersOverTime, recentOrders } from './orders.ts';
import {
  COMPARISONS,
  INTERVALS,
  MAX_DAYS,
  comparisonRange,
  rangeQuery,
  resolveRange,
  type Comparison,
  type DateRange,
} from './range.ts';
import { refundsReport } from './refunds.ts';
import { RFM_SEGMENTS, rfmCustomers, rfmSegmentCounts } from './rfm.ts';

const money = z.string();
const rate = z.string().nullable();
const rangeEcho = z.object({ from: z.string(), to: z.string(), timezone: z.string() });
const delta = z.object({ change: z.string(), percent: z.string().nullable() });

const seriesQuery = rangeQuery.extend({
  interval: z.enum(INTERVALS).default('day'),
  compare: z.enum(COMPARISONS).optional(),
  ...formatQuery.shape,
});

/** The answer of a series report: its rows and totals, and with `compare` the compared range's. */
function seriesResponse<Row extends z.ZodRawShape, Totals extends z.ZodRawShape>(row: Row, totals: Totals) {
  const series = { totals: z.object(totals), rows: z.array(z.object({ date: z.string(), ...row })) };
  return z.object({
    range: rangeEcho,
    currency: z.string(),
    interval: z.enum(INTERVALS),
    ...series,
    compare: z
      .object({
        comparison: z.enum(COMPARISONS),
        range: rangeEcho,
        ...series,
        /** Change of each total from the compared range to this one. */
        deltas: z.record(z.string(), delta),
      })
      .optional(),
  });
}

export const ordersOverTimeResponse = seriesResponse(
  { orders: z.number(), unitsOrdered: z.number() },
  { orders: z.number(), unitsOrdered: z.number(), averageUnitsPerOrder: z.string() },
);

const aovFigures = { orders: z.number(), grossSales: money, discounts: money, averageOrderValue: money };
export const averageOrderValueOverTimeResponse = seriesResponse(aovFigures, aovFigures);

export const customersOverTimeResponse = seriesResponse(
  { customers: z.number(), firstTimeCustomers: z.number(), returningCustomers: z.number() },
  {
    customers: z.number(),
    firstTimeCustomers: z.number(),
    returningCustomers: z.number(),
    returningCustomerRate: rate,
  },
);

const refundFigures = {
  refunds: z.number(),
  returns: money,
  refundedShipping: money,
  refundedTaxes: money,
  refundedDuties: money,
  amountRefunded: money,
};
const refundsSeries = seriesResponse(refundFigures, {
  ...refundFigures,
  orders: z.number(),
  refundedOrders: z.number(),
  refundRate: rate,
});
export const refundsResponse = refundsSeries.extend({
  products: z.array(
    z.object({
      productId: z.string().nullable(),
      title: z.string().nullable(),
      unitsRefunded: z.number(),
      amountRefunded: money,
    }),
  ),
});

export const recentOrdersResponse = z.object({
  range: rangeEcho,
  orders: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      processedAt: z.string(),
      customer: z
        .object({
          id: z.string(),
          email: z.string().nullable(),
          firstName: z.string().nullable(),
          lastName: z.string().nullable(),
        })
        .nullable(),
      financialStatus: z.string().nullable(),
      fulfillmentStatus: z.string().nullable(),
      cancelledAt: z.string().nullable(),
      totalPrice: money.nullable(),
      netSales: money,
      currency: z.string().nullable(),
      presentmentCurrency: z.string().nullable(),
      presentmentTotalPrice: money.nullable(),
    }),
  ),
});

export const cohortsResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  months: z.number(),
  cohorts: z.array(
    z.object({
      cohort: z.string(),
      customers: z.number(),
      months: z.array(
        z.object({
          month: z.number(),
          returningCustomers: z.number().nullable(),
          retention: rate,
          netSales: money.nullable(),
        }),
      ),
    }),
  ),
});

const rfmCustomer = z.object({
  customerId: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  lastOrderAt: z.string(),
  recencyDays: z.number(),
  orders: z.number(),
  netSales: money,
  recencyScore: z.number(),
  frequencyScore: z.number(),
  monetaryScore: z.number(),
  segment: z.enum(RFM_SEGMENTS),
});

export const rfmResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  /** Customers scored: every customer with an order up to `to`. */
  customersScored: z.number(),
  segments: z.array(z.object({ segment: z.enum(RFM_SEGMENTS), customers: z.number() })),
  /** One page of the customers (of `segment` when given), by customer id. */
  customers: z.array(rfmCustomer),
  /** `after` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

const lifetimeFigures = {
  customers: z.number(),
  orders: z.number(),
  netSales: money,
  averageOrders: z.string(),
  averageLifetimeValue: money,
};
export const lifetimeValueResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  ...lifetimeFigures,
  cohorts: z.array(z.object({ cohort: z.string(), ...lifetimeFigures })),
});

export type OrdersOverTimeResponse = z.infer<typeof ordersOverTimeResponse>;
export type AverageOrderValueOverTimeResponse = z.infer<typeof averageOrderValueOverTimeResponse>;
export type CustomersOverTimeResponse = z.infer<typeof customersOverTimeResponse>;
export type RefundsResponse = z.infer<typeof refundsResponse>;
export type RecentOrdersResponse = z.infer<typeof recentOrdersResponse>;
export type CohortsResponse = z.infer<typeof cohortsResponse>;
export type RfmResponse = z.infer<typeof rfmResponse>;
export type LifetimeValueResponse = z.infer<typeof lifetimeValueResponse>;

type Figure = string | number | null;

/**
 * Runs a series report over `range` and, with a comparison, over the compared range too, adding the deltas
 * of `fields` of the totals.
 */
async function withComparison<Report extends { totals: Record<K, Figure> }, K extends string>(
  range: DateRange,
  comparison: Comparison | undefined,
  fields: readonly K[],
  report: (range: DateRange) => Promise<Report>,
): Promise<
  Report & { compare?: Report & { comparison: Comparison; range: DateRange; deltas: Record<K, Delta> } }
> {
  const current = await report(range);
  if (!comparison) return current;
  const previousRange = comparisonRange(range, comparison);
  const previous = await report(previousRange);
  return {
    ...current,
    compare: {
      ...previous,
      comparison,
      range: previousRange,
      deltas: deltas(current.totals, previous.totals, fields),
    },
  };
}

/** Customers per page of a streamed RFM export. */
const CSV_PAGE = 1000;

const csvName = (report: string, range: DateRange) => `${report}_${range.from}_${range.to}`;

export async function reportRoutes(app: FastifyInstance, options: { db: Database; tenants: TenantService }) {
  const { db, tenants } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const base = '/tenants/:tenantId/analytics';

  /** Authorizes the caller, loads the tenant and resolves the range in its time zone. */
  async function open(
    request: FastifyRequest & { params: { tenantId: string } },
    query: { from?: string | undefined; to?: string | undefined },
    maxDays: number,
  ) {
    await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
    const tenant = await tenants.record(request.params.tenantId);
    return { tenant, range: resolveRange(query, tenant.timezone, maxDays) };
  }

  api.get(
    `${base}/orders-over-time`,
    { schema: { params: tenantParams, querystring: seriesQuery, response: { 200: ordersOverTimeResponse } } },
    async (request, reply) => {
      const { interval, compare } = request.query;
      const { tenant, range } = await open(request, request.query, MAX_DAYS[interval]);
      const report = await db.forTenant(tenant.id, (tx) =>
        withComparison(range, compare, ['orders', 'unitsOrdered', 'averageUnitsPerOrder'], (r) =>
          ordersOverTime(tx, tenant.id, r, interval),
        ),
      );
      if (wantsCsv(request)) {
        return sendCsv(reply, csvName('orders-over-time', range), ORDERS_COLUMNS, report.rows);
      }
      return { range, currency: tenant.currency, interval, ...report };
    },
  );

  api.get(
    `${base}/average-order-value-over-time`,
    {
      schema: {
        params: tenantParams,
        querystring: seriesQuery,
        response: { 200: averageOrderValueOverTimeResponse },
      },
    },
    async (request, reply) => {
      const { interval, compare } = request.query;
      const { tenant, range } = await open(request, request.query, MAX_DAYS[interval]);
      const report = await db.forTenant(tenant.id, (tx) =>
        withComparison(range, compare, ['orders', 'grossSales', 'discounts', 'averageOrderValue'], (r) =>
          averageOrderValueOverTime(tx, tenant.id, r, interval),
        ),
      );
      if (wantsCsv(request)) {
        return sendCsv(reply, csvName('average-order-value-over-time', range), AOV_COLUMNS, report.rows);
      }
      return { range, currency: tenant.currency, interval, ...report };
    },
  );

  api.get(
    `${base}/customers-over-time`,
    {
      schema: {
        params: tenantParams,
        querystring: seriesQuery,
        response: { 200: customersOverTimeResponse },
      },
    },
    async (request, reply) => {
      const { interval, compare } = request.query;
      const { tenant, range } = await open(request, request.query, MAX_DAYS[interval]);
      const fields = [
        'customers',
        'firstTimeCustomers',
        'returningCustomers',
        'returningCustomerRate',
      ] as const;
      const report = await db.forTenant(tenant.id, (tx) =>
        withComparison(range, compare, fields, (r) => customersOverTime(tx, tenant.id, r, interval)),
      );
      if (wantsCsv(request)) {
        return sendCsv(reply, csvName('customers-over-time', range), CUSTOMERS_COLUMNS, report.rows);
      }
      return { range, currency: tenant.currency, interval, ...report };
    },
  );

  api.get(
    `${base}/recent-orders`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({
          limit: z.coerce.number().int().min(1).max(250).default(20),
          ...formatQuery.shape,
        }),
        response: { 200: recentOrdersResponse },
      },
    },
    async (request, reply) => {
      const { tenant, range } = await open(request, request.query, MAX_DAYS.total);
      const orders = await db.forTenant(tenant.id, (tx) =>
        recentOrders(tx, tenant.id, range, request.query.limit),
      );
      if (wantsCsv(request))
        return sendCsv(reply, csvName('recent-orders', range), RECENT_ORDER_COLUMNS, orders);
      return { range, orders };
    },
  );

  api.get(
    `${base}/refunds`,
    {
      schema: {
        params: tenantParams,
        querystring: seriesQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
        response: { 200: refundsResponse },
      },
    },
    async (request, reply) => {
      const { interval, compare, limit } = request.query;
      const { tenant, range } = await open(request, request.query, MAX_DAYS[interval]);
      const fields = [
        'refunds',
        'returns',
        'refundedShipping',
        'refundedTaxes',
        'refundedDuties',
        'amountRefunded',
        'orders',
        'refundedOrders',
        'refundRate',
      ] as const;
      const report = await db.forTenant(tenant.id, (tx) =>
        withComparison(range, compare, fields, (r) => refundsReport(tx, tenant.id, r, interval, limit)),
      );
      if (wantsCsv(request)) return sendCsv(reply, csvName('refunds', range), REFUNDS_COLUMNS, report.rows);
      return { range, currency: tenant.currency, interval, ...report };
    },
  );

  api.get(
    `${base}/cohorts`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({
          months: z.coerce.number().int().min(1).max(24).default(12),
          ...formatQuery.shape,
        }),
        response: { 200: cohortsResponse },
      },
    },
    async (request, reply) => {
      const { months } = request.query;
      const { tenant, range } = await open(request, request.query, MAX_DAYS.month);
      const list = await db.forTenant(tenant.id, (tx) => cohorts(tx, tenant.id, range, months));
      if (wantsCsv(request)) {
        const cells = list.flatMap((cohort) => cohort.months.map((month) => ({ ...month, cohort })));
        return sendCsv(reply, csvName('cohorts', range), COHORT_COLUMNS, cells);
      }
      return { range, currency: tenant.currency, months, cohorts: list };
    },
  );

  api.get(
    `${base}/rfm`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({
          segment: z.enum(RFM_SEGMENTS).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          after: z
            .string()
            .refine((id) => /^\d{1,19}$/.test(id) && BigInt(id) < 2n ** 63n, 'must be a customer id')
            .optional(),
          ...formatQuery.shape,
        }),
        response: { 200: rfmResponse },
      },
    },
    async (request, reply) => {
      const { segment, limit, after } = request.query;
      const { tenant, range } = await open(request, request.query, MAX_DAYS.total);
      if (wantsCsv(request)) {
        // The whole list, a page at a time, each page in its own transaction.
        const all = pages((cursor: string | undefined) =>
          db.forTenant(tenant.id, (tx) =>
            rfmCustomers(tx, tenant.id, range, { segment, after: cursor ?? after, limit: CSV_PAGE }),
          ),
        );
        return sendCsv(reply, csvName('rfm', range), RFM_COLUMNS, all);
      }
      return db.forTenant(tenant.id, async (tx) => {
        const segments = await rfmSegmentCounts(tx, tenant.id, range);
        const page = await rfmCustomers(tx, tenant.id, range, { segment, after, limit });
        return {
          range,
          currency: tenant.currency,
          customersScored: segments.reduce((total, entry) => total + entry.customers, 0),
          segments,
          customers: page.rows,
          nextCursor: page.next ?? null,
        };
      });
    },
  );

  api.get(
    `${base}/customer-lifetime-value`,
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend(formatQuery.shape),
        response: { 200: lifetimeValueResponse },
      },
    },
    async (request, reply) => {
      const { tenant, range } = await open(request, request.query, MAX_DAYS.total);
      const report = await db.forTenant(tenant.id, (tx) => lifetimeValue(tx, tenant.id, range));
      if (wantsCsv(request)) {
        return sendCsv(reply, csvName('customer-lifetime-value', range), LIFETIME_COLUMNS, report.cohorts);
      }
      return { range, currency: tenant.currency, ...report.totals, cohorts: report.cohorts };
    },
  );
}

type Row<Schema extends z.ZodType> = z.infer<Schema>;
type ArrayItem<T> = T extends (infer Item)[] ? Item : never;

const ORDERS_COLUMNS: CsvColumn<ArrayItem<Row<typeof ordersOverTimeResponse>['rows']>>[] = [
  { header: 'date', value: (row) => row.date },
  { header: 'orders', value: (row) => row.orders },
  { header: 'units_ordered', value: (row) => row.unitsOrdered },
];

const AOV_COLUMNS: CsvColumn<ArrayItem<Row<typeof averageOrderValueOverTimeResponse>['rows']>>[] = [
  { header: 'date', value: (row) => row.date },
  { header: 'orders', value: (row) => row.orders },
  { header: 'gross_sales', value: (row) => row.grossSales },
  { header: 'discounts', value: (row) => row.discounts },
  { header: 'average_order_value', value: (row) => row.averageOrderValue },
];

const CUSTOMERS_COLUMNS: CsvColumn<ArrayItem<Row<typeof customersOverTimeResponse>['rows']>>[] = [
  { header: 'date', value: (row) => row.date },
  { header: 'customers', value: (row) => row.customers },
  { header: 'first_time_customers', value: (row) => row.firstTimeCustomers },
  { header: 'returning_customers', value: (row) => row.returningCustomers },
];

const RECENT_ORDER_COLUMNS: CsvColumn<ArrayItem<Row<typeof recentOrdersResponse>['orders']>>[] = [
  { header: 'id', value: (row) => row.id },
  { header: 'name', value: (row) => row.name },
  { header: 'processed_at', value: (row) => row.processedAt },
  { header: 'customer_id', value: (row) => row.customer?.id },
  { header: 'customer_email', value: (row) => row.customer?.email },
  { header: 'customer_first_name', value: (row) => row.customer?.firstName },
  { header: 'customer_last_name', value: (row) => row.customer?.lastName },
  { header: 'financial_status', value: (row) => row.financialStatus },
  { header: 'fulfillment_status', value: (row) => row.fulfillmentStatus },
  { header: 'cancelled_at', value: (row) => row.cancelledAt },
  { header: 'total_price', value: (row) => row.totalPrice },
  { header: 'net_sales', value: (row) => row.netSales },
  { header: 'currency', value: (row) => row.currency },
  { header: 'presentment_currency', value: (row) => row.presentmentCurrency },
  { header: 'presentment_total_price', value: (row) => row.presentmentTotalPrice },
];

const REFUNDS_COLUMNS: CsvColumn<ArrayItem<Row<typeof refundsResponse>['rows']>>[] = [
  { header: 'date', value: (row) => row.date },
  { header: 'refunds', value: (row) => row.refunds },
  { header: 'returns', value: (row) => row.returns },
  { header: 'refunded_shipping', value: (row) => row.refundedShipping },
  { header: 'refunded_taxes', value: (row) => row.refundedTaxes },
  { header: 'refunded_duties', value: (row) => row.refundedDuties },
  { header: 'amount_refunded', value: (row) => row.amountRefunded },
];

type CohortCell = ArrayItem<ArrayItem<Row<typeof cohortsResponse>['cohorts']>['months']> & {
  cohort: { cohort: string; customers: number };
};
const COHORT_COLUMNS: CsvColumn<CohortCell>[] = [
  { header: 'cohort', value: (row) => row.cohort.cohort },
  { header: 'cohort_customers', value: (row) => row.cohort.customers },
  { header: 'month', value: (row) => row.month },
  { header: 'returning_customers', value: (row) => row.returningCustomers },
  { header: 'retention', value: (row) => row.retention },
  { header: 'net_sales', value: (row) => row.netSales },
];

const RFM_COLUMNS: CsvColumn<z.infer<typeof rfmCustomer>>[] = [
  { header: 'customer_id', value: (row) => row.customerId },
  { header: 'email', value: (row) => row.email },
  { header: 'first_name', value: (row) => row.firstName },
  { header: 'last_name', value: (row) => row.lastName },
  { header: 'last_order_at', value: (row) => row.lastOrderAt },
  { header: 'recency_days', value: (row) => row.recencyDays },
  { header: 'orders', value: (row) => row.orders },
  { header: 'net_sales', value: (row) => row.netSales },
  { header: 'recency_score', value: (row) => row.recencyScore },
  { header: 'frequency_score', value: (row) => row.frequencyScore },
  { header: 'monetary_score', value: (row) => row.monetaryScore },
  { header: 'segment', value: (row) => row.segment },
];

const LIFETIME_COLUMNS: CsvColumn<ArrayItem<Row<typeof lifetimeValueResponse>['cohorts']>>[] = [
  { header: 'cohort', value: (row) => row.cohort },
  { header: 'customers', value: (row) => row.customers },
  { header: 'orders', value: (row) => row.orders },
  { header: 'net_sales', value: (row) => row.netSales },
  { header: 'average_orders', value: (row) => row.averageOrders },
  { header: 'average_lifetime_value', value: (row) => row.averageLifetimeValue },
];
