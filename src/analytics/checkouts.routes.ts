/**
 * The checkouts report: `GET /api/v1/tenants/:tenantId/analytics/checkouts?from&to&interval&compare`.
 * Totals and the same figures per interval of checkouts started in the range, with the tenant's abandonment
 * threshold; definitions in src/analytics/checkouts.ts. With `?format=csv` or `Accept: text/csv`, the series
 * as CSV.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { formatQuery, sendCsv, wantsCsv, type CsvColumn } from '../http/csv.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { checkoutSummary, checkoutsOverTime, type CheckoutBucket } from './checkouts.ts';
import { COMPARISONS, INTERVALS, MAX_DAYS, comparisonRange, rangeQuery, resolveRange } from './range.ts';

const rangeEcho = z.object({ from: z.string(), to: z.string(), timezone: z.string() });

const checkoutFigures = z.object({
  started: z.number(),
  open: z.number(),
  completed: z.number(),
  /** Abandoned at some point, recovered ones included. */
  abandoned: z.number(),
  recovered: z.number(),
  /** completed / started, 4 decimals; null when nothing started. */
  conversionRate: z.string().nullable(),
  /** abandoned (recovered included) / started, 4 decimals; null when nothing started. */
  abandonmentRate: z.string().nullable(),
  abandonedValue: z.string(),
  recoveredValue: z.string(),
});

export const checkoutsReportResponse = z.object({
  range: rangeEcho,
  currency: z.string(),
  interval: z.enum(INTERVALS),
  /** The tenant's abandonment threshold the statuses were derived with. */
  thresholdMinutes: z.number(),
  totals: checkoutFigures,
  rows: z.array(checkoutFigures.extend({ date: z.string() })),
  compare: z
    .object({ comparison: z.enum(COMPARISONS), range: rangeEcho, totals: checkoutFigures })
    .optional(),
});
export type CheckoutsReportResponse = z.infer<typeof checkoutsReportResponse>;

const CSV_COLUMNS: CsvColumn<CheckoutBucket>[] = (
  [
    'date',
    'started',
    'open',
    'completed',
    'abandoned',
    'recovered',
    'conversionRate',
    'abandonmentRate',
    'abandonedValue',
    'recoveredValue',
  ] as const
).map((key) => ({ header: key, value: (row: CheckoutBucket) => row[key] }));

export async function checkoutsReportRoutes(
  app: FastifyInstance,
  options: { db: Database; tenants: TenantService },
) {
  const { db, tenants } = options;
  app.withTypeProvider<ZodTypeProvider>().get(
    '/tenants/:tenantId/analytics/checkouts',
    {
      schema: {
        params: tenantParams,
        querystring: rangeQuery.extend({
          ...formatQuery.shape,
          interval: z.enum(INTERVALS).default('day'),
          compare: z.enum(COMPARISONS).optional(),
        }),
        response: { 200: checkoutsReportResponse },
      },
    },
    async (request, reply) => {
      await authorize(db, request.principal, [request.params.tenantId], 'analytics:read');
      const tenant = await tenants.record(request.params.tenantId);
      const { interval, compare } = request.query;
      const range = resolveRange(request.query, tenant.timezone, MAX_DAYS[interval]);
      const threshold = tenant.abandonmentThresholdMinutes;
      const report = await db.forTenant(tenant.id, async (tx) => {
        const { totals, rows } = await checkoutsOverTime(tx, tenant.id, range, interval, threshold);
        if (!compare) return { totals, rows };
        const previous = comparisonRange(range, compare);
        return {
          totals,
          rows,
          compare: {
            comparison: compare,
            range: previous,
            totals: await checkoutSummary(tx, tenant.id, previous, threshold),
          },
        };
      });
      if (wantsCsv(request)) return sendCsv(reply, 'checkouts-report', CSV_COLUMNS, report.rows);
      return { range, currency: tenant.currency, interval, thresholdMinutes: threshold, ...report };
    },
  );
}
