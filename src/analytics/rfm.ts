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

/** Score 1..5 from a 1-based rank among `count` customers (see the module comment). */
export function quintileScore(rank: number, count: number): number {
  return 1 + Math.floor((5 * (rank - 1)) / count);
}

/** The segment of a customer from its scores (the grid of the module comment). */
export function rfmSegment(recency: number, frequency: number, monetary: number): RfmSegment {
  const fm = Math.floor((frequency + monetary + 1) / 2);
  if (recency === 5) return fm >= 4 ? 'champions' : fm === 3 ? 'active' : fm === 2 ? 'promising' : 'new';
  if (recency === 4) return fm >= 4 ? 'loyal' : fm === 3 ? 'active' : 'promising';
  if (recency === 3) return fm >= 4 ? 'loyal' : 'needs_attention';
  if (fm === 5) return 'previously_loyal';
  if (fm >= 3) return 'at_risk';
  return recency === 2 ? 'almost_lost' : 'dormant';
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

/**
 * Every customer with an order up to the end of `asOf.to`, scored and segmented, ordered by customer id
 * (numerically). `asOf.from` is not used: RFM looks at the whole history.
 */
export async function rfmCustomers(db: Queryable, tenantId: string, asOf: DateRange): Promise<RfmCustomer[]> {
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
  }>(
    `WITH ${SALES_EVENTS_SQL},
     per_customer AS (
       SELECT customer_id, max(occurred_at) FILTER (WHERE orders = 1) AS last_order_at, sum(orders) AS orders,
              sum(gross_sales - discounts - returns) AS net_sales
       FROM sales_events WHERE customer_id IS NOT NULL
       GROUP BY customer_id HAVING sum(orders) > 0
     ),
     ranked AS (
       SELECT *, $3::date - (last_order_at AT TIME ZONE $4)::date AS recency_days FROM per_customer
     )
     SELECT k.customer_id::text AS customer_id, c.email, c.first_name, c.last_name, k.last_order_at,
            k.recency_days, k.orders::text AS orders, round(k.net_sales, 2)::text AS net_sales,
            rank() OVER (ORDER BY k.recency_days DESC)::text AS r,
            rank() OVER (ORDER BY k.orders)::text AS f,
            rank() OVER (ORDER BY k.net_sales)::text AS m
     FROM ranked k
     LEFT JOIN customers c ON c.tenant_id = $1 AND c.id = k.customer_id
     ORDER BY k.customer_id`,
    [tenantId, BEGINNING, asOf.to, asOf.timezone],
  );
  const count = rows.length;
  return rows.map((row) => {
    const recencyScore = quintileScore(Number(row.r), count);
    const frequencyScore = quintileScore(Number(row.f), count);
    const monetaryScore = quintileScore(Number(row.m), count);
    return {
      customerId: row.customer_id,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      lastOrderAt: row.last_order_at,
      recencyDays: Number(row.recency_days),
      orders: Number(row.orders),
      netSales: row.net_sales,
      recencyScore,
      frequencyScore,
      monetaryScore,
      segment: rfmSegment(recencyScore, frequencyScore, monetaryScore),
    };
  });
}

/** Customers per segment, every segment listed (in `RFM_SEGMENTS` order). */
export function segmentCounts(customers: RfmCustomer[]): { segment: RfmSegment; customers: number }[] {
  return RFM_SEGMENTS.map((segment) => ({
    segment,
    customers: customers.filter((customer) => customer.segment === segment).length,
  }));
}
