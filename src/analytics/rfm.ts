/**
 * RFM (recency, frequency, monetary) scores and segments of customers, as of the end of a day `to`, over the
 * customers with at least one order up to then (test and deleted orders aside, orders without a customer id
 * left out). Days are the store's (tenant time zone).
 *
 * - Recency: days from the customer's last order (its local date) to `to`. Frequency: orders up to `to`.
 *   Monetary: net sales up to `to` (gross sales - discounts - returns, each on its own date; Shopify's
 *   definitions in src/analytics/sales.ts), in shop currency.
 * - Scores 1..5 are quintiles of the store's customers, 5 the best (most recent, most orders, most net
 *   sales): a customer ranked r among n (1 = the worst; tied customers all take the rank of the first of
 *   them, SQL's rank()) scores 1 + floor(5 (r - 1) / n). Ties thus share one score, the lower one.
 * - Segments are Shopify's RFM groups (the CustomerRfmGroup enum of the Admin API,
 *   shopify.dev/docs/api/admin-graphql/latest/enums/CustomerRfmGroup). Shopify does not publish its
 *   score->group mapping; ours follows the common RFM grid of the recency score R against the
 *   frequency-monetary score FM = round((F + M) / 2) (halves up):
 *
 *   | R \ FM | 1               | 2               | 3               | 4         | 5                |
 *   |--------|-----------------|-----------------|-----------------|-----------|------------------|
 *   | 5      | new             | promising       | active          | champions | champions        |
 *   | 4      | promising       | promising       | active          | loyal     | loyal            |
 *   | 3      | needs_attention | needs_attention | needs_attention | loyal     | loyal            |
 *   | 2      | almost_lost     | almost_lost     | at_risk         | at_risk   | previously_loyal |
 *   | 1      | dormant         | dormant         | at_risk         | at_risk   | previously_loyal |
 *
 *   (`prospects`, Shopify's group of customers without orders, is never reached: they have no scores.)
 */
import type { Queryable } from '../db/client.ts';
import type { DateRange } from './range.ts';
import { SALES_EVENTS_SQL } from './sales.ts';

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'active',
  'promising',
  'new',
  'needs_attention',
  'at_risk',
  'previously_loyal',
  'almost_lost',
  'dormant',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** The grid of the module comment: the segments of recency scores 5..1 by FM score 1..5. */
const GRID: Record<number, readonly RfmSegment[]> = {
  5: ['new', 'promising', 'active', 'champions', 'champions'],
  4: ['promising', 'promising', 'active', 'loyal', 'loyal'],
  3: ['needs_attention', 'needs_attention', 'needs_attention', 'loyal', 'loyal'],
  2: ['almost_lost', 'almost_lost', 'at_risk', 'at_risk', 'previously_loyal'],
  1: ['dormant', 'dormant', 'at_risk', 'at_risk', 'previously_loyal'],
};

/** The segment of a customer from its scores (each 1..5). */
export function rfmSegment(recency: number, frequency: number, monetary: number): RfmSegment {
  return GRID[recency]![Math.floor((frequency + monetary + 1) / 2) - 1]!;
}

export type RfmCustomer = {
  customerId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  lastOrderAt: string;
  recencyDays: number;
  orders: number;
  netSales: string;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  segment: RfmSegment;
};

/** Before any Shopify order (Shopify opened in 2006): the start of "all orders up to `to`". */
const BEGINNING = '2000-01-01';

/** The grid as SQL rows (r, fm, segment): one table for SQL and TypeScript. */
const GRID_SQL = Object.entries(GRID)
  .flatMap(([recency, row]) => row.map((segment, column) => `(${recency}, ${column + 1}, '${segment}')`))
  .join(', ');

/**
 * `segmented`: every customer with an order up to the end of $3 (date) in time zone $4, with its figures,
 * scores and segment. Parameters: $1 tenant id, $2 BEGINNING, $3 as-of date, $4 time zone.
 */
const SEGMENTED_SQL = `
${SALES_EVENTS_SQL},
per_customer AS (
  SELECT customer_id, max(occurred_at) FILTER (WHERE orders = 1) AS last_order_at, sum(orders) AS orders,
         sum(gross_sales - discounts - returns) AS net_sales
  FROM sales_events WHERE customer_id IS NOT NULL
  GROUP BY customer_id HAVING sum(orders) > 0
),
recency AS (
  SELECT *, $3::date - (last_order_at AT TIME ZONE $4)::date AS recency_days FROM per_customer
),
scored AS (
  SELECT *,
         1 + 5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER () AS r,
         1 + 5 * (rank() OVER (ORDER BY orders) - 1) / count(*) OVER () AS f,
         1 + 5 * (rank() OVER (ORDER BY net_sales) - 1) / count(*) OVER () AS m
  FROM recency
),
segmented AS (
  SELECT s.*, g.segment
  FROM scored s
  JOIN (VALUES ${GRID_SQL}) AS g (r, fm, segment) ON g.r = s.r AND g.fm = (s.f + s.m + 1) / 2
)`;

/** Customers per segment as of the end of `asOf.to`, every segment listed (in `RFM_SEGMENTS` order). */
export async function rfmSegmentCounts(
  db: Queryable,
  tenantId: string,
  asOf: DateRange,
): Promise<{ segment: RfmSegment; customers: number }[]> {
  const rows = await db.query<{ segment: RfmSegment; customers: string }>(
    `WITH ${SEGMENTED_SQL}
     SELECT segment, count(*)::text AS customers FROM segmented GROUP BY segment`,
    [tenantId, BEGINNING, asOf.to, asOf.timezone],
  );
  const counts = new Map(rows.map((row) => [row.segment, Number(row.customers)]));
  return RFM_SEGMENTS.map((segment) => ({ segment, customers: counts.get(segment) ?? 0 }));
}

/**
 * One page of the scored customers as of the end of `asOf.to` (`asOf.from` is not used: RFM looks at the
 * whole history), of `segment` when given, by customer id after the cursor `after`. `next` is the cursor of
 * the following page, undefined on the last one.
 */
export async function rfmCustomers(
  db: Queryable,
  tenantId: string,
  asOf: DateRange,
  page: { segment?: RfmSegment | undefined; after?: string | undefined; limit: number },
): Promise<{ rows: RfmCustomer[]; next: string | undefined }> {
  const rows = await db.query<{
    customer_id: string;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    last_order_at: string;
    recency_days: number;
    orders: string;
    net_sales: string;
    r: string;
    f: string;
    m: string;
    segment: RfmSegment;
  }>(
    `WITH ${SEGMENTED_SQL}
     SELECT k.customer_id::text AS customer_id, c.email, c.first_name, c.last_name, k.last_order_at,
            k.recency_days, k.orders::text AS orders, round(k.net_sales, 2)::text AS net_sales,
            k.r::text AS r, k.f::text AS f, k.m::text AS m, k.segment
     FROM segmented k
     LEFT JOIN customers c ON c.tenant_id = $1 AND c.id = k.customer_id
     WHERE ($5::text IS NULL OR k.segment = $5) AND ($6::bigint IS NULL OR k.customer_id > $6::bigint)
     ORDER BY k.customer_id
     LIMIT $7`,
    [tenantId, BEGINNING, asOf.to, asOf.timezone, page.segment ?? null, page.after ?? null, page.limit + 1],
  );
  const more = rows.length > page.limit;
  const customers = rows.slice(0, page.limit).map((row) => ({
    customerId: row.customer_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    lastOrderAt: row.last_order_at,
    recencyDays: Number(row.recency_days),
    orders: Number(row.orders),
    netSales: row.net_sales,
    recencyScore: Number(row.r),
    frequencyScore: Number(row.f),
    monetaryScore: Number(row.m),
    segment: row.segment,
  }));
  return { rows: customers, next: more ? customers.at(-1)!.customerId : undefined };
}
