/**
 * Daily rollups: `daily_sales` (per tenant and store-local day), `daily_product_sales` (per day, product and
 * variant; 0 for none) and `customer_stats` (per customer), maintained in the same transaction as the entity
 * writes of a batch, so that they never drift from the entity tables.
 *
 * Correct by construction rather than by arithmetic on deltas: `RollupChange.begin` reads which days and
 * customers the batch's orders, refunds and deletions touch as they are stored before the batch, `finish`
 * adds the ones they touch after it, and recomputes exactly those rows from the entity tables with the same
 * SQL as the full rebuild (`rebuildRollups`). The figures' one definition is `salesEventsSql`
 * (src/analytics/sales.ts) and `productEventsSql` (src/analytics/products.ts). Whatever order,
 * replay or duplication the events come in, each affected row ends equal to a full recomputation.
 *
 * Batches that touch the same tenant are serialized by a transaction-level advisory lock on the tenant, taken
 * in `begin` before the pre-image is read (tenants in sorted order, so batches cannot deadlock on them):
 * two transactions recomputing the same day could otherwise each miss the other's uncommitted entity
 * changes.
 *
 * Days are dates in the tenant's time zone (`tenants.timezone`), cut with `AT TIME ZONE` (DST included);
 * when the time zone changes the tenant's rollups must be rebuilt (TenantService does).
 */
import type { Database, Queryable } from '../db/client.ts';
import { notFound } from '../http/errors.ts';
import type { BatchWrites } from '../ingest/pipeline.ts';
import { productEventsSql } from './products.ts';
import { salesEventsSql, type EventScope } from './sales.ts';

/** First key of the advisory locks that serialize the rollup maintenance of a tenant. */
const ROLLUP_LOCK = 7254002;

/** Turned off only by the benchmark (bench/analytics) to measure what the maintenance costs the worker. */
export const rollupMaintenance = { enabled: true };

/** A tenant's whole history: every event with a time. */
const ALL_TIME: EventScope = { start: `'-infinity'::timestamptz`, end: `'infinity'::timestamptz` };

/**
 * The store-local days `$3` to `$4` (dates, inclusive) in time zone `$2`, as one time range: the planner
 * sees its bounds and scans the time indexes for just those days.
 */
const DAY_RUN: EventScope = {
  start: '($3::date::timestamp AT TIME ZONE $2)',
  end: '(($4::date + 1)::timestamp AT TIME ZONE $2)',
};

/** The `daily_sales` rows of a scope (parameters: $1 tenant, $2 time zone): sales figures per day, units from the product events. */
const dailySalesSql = (scope: EventScope) => `
INSERT INTO daily_sales (tenant_id, date, orders, units_sold, units_returned, gross_sales, discounts, returns,
                         shipping, taxes, duties, refunds, refunded_amount)
WITH ${salesEventsSql(scope)}, ${productEventsSql(scope)},
sales AS (
  SELECT (occurred_at AT TIME ZONE $2)::date AS date, sum(orders) AS orders, sum(gross_sales) AS gross_sales,
         sum(discounts) AS discounts, sum(returns) AS returns, sum(shipping) AS shipping, sum(taxes) AS taxes,
         sum(duties) AS duties, sum(refunds) AS refunds, sum(refunded_amount) AS refunded_amount
  FROM sales_events GROUP BY 1
),
units AS (
  SELECT (occurred_at AT TIME ZONE $2)::date AS date, sum(greatest(units, 0)) AS units_sold,
         sum(greatest(-units, 0)) AS units_returned
  FROM product_events GROUP BY 1
)
SELECT $1::uuid, coalesce(s.date, u.date), coalesce(s.orders, 0), coalesce(u.units_sold, 0),
       coalesce(u.units_returned, 0), coalesce(s.gross_sales, 0), coalesce(s.discounts, 0),
       coalesce(s.returns, 0), coalesce(s.shipping, 0), coalesce(s.taxes, 0), coalesce(s.duties, 0),
       coalesce(s.refunds, 0), coalesce(s.refunded_amount, 0)
FROM sales s FULL JOIN units u ON u.date = s.date`;

/** The `daily_product_sales` rows of a scope (parameters: $1 tenant, $2 time zone). */
const dailyProductSalesSql = (scope: EventScope) => `
INSERT INTO daily_product_sales (tenant_id, date, product_id, variant_id, units_sold, units_returned,
                                 gross_sales, discounts, returns)
WITH ${productEventsSql(scope)}
SELECT $1::uuid, (occurred_at AT TIME ZONE $2)::date, coalesce(product_id, 0), coalesce(variant_id, 0),
       sum(greatest(units, 0)), sum(greatest(-units, 0)), sum(gross_sales), sum(discounts), sum(returns)
FROM product_events GROUP BY 2, 3, 4`;

/**
 * The `customer_stats` rows of the tenant's customers (all, or those in `$2`: bigint[]) over their whole
 * history. A customer counts from their first order; one with refunds but no order of their own has no row.
 */
const customerStatsSql = (customers: 'all' | 'some') => `
INSERT INTO customer_stats (tenant_id, customer_id, first_order_at, last_order_at, orders, gross_sales,
                            discounts, returns, net_sales)
WITH ${salesEventsSql({ ...ALL_TIME, orders: customers === 'some' ? 'o.customer_id = ANY($2::bigint[])' : 'o.customer_id IS NOT NULL' })}
SELECT $1::uuid, customer_id, min(occurred_at) FILTER (WHERE orders = 1),
       max(occurred_at) FILTER (WHERE orders = 1), sum(orders), sum(gross_sales), sum(discounts), sum(returns),
       sum(gross_sales - discounts - returns)
FROM sales_events
GROUP BY customer_id
HAVING sum(orders) > 0`;

/** Consecutive days grouped: ['2025-01-01', '2025-01-02', '2025-03-05'] -> [['2025-01-01', '2025-01-02'], ['2025-03-05', '2025-03-05']]. */
function dayRuns(days: string[]): [string, string][] {
  const runs: [string, string][] = [];
  for (const day of [...days].sort()) {
    const last = runs.at(-1);
    if (last && Date.parse(day) - Date.parse(last[1]) === 86_400_000) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

/** Recomputes the rollup rows of some days (or all) of one tenant from the entity tables. */
async function refreshDays(tx: Queryable, tenantId: string, timezone: string, days: string[] | null) {
  if (days === null) {
    await tx.query('DELETE FROM daily_sales WHERE tenant_id = $1', [tenantId]);
    await tx.query('DELETE FROM daily_product_sales WHERE tenant_id = $1', [tenantId]);
    await tx.query(dailySalesSql(ALL_TIME), [tenantId, timezone]);
    await tx.query(dailyProductSalesSql(ALL_TIME), [tenantId, timezone]);
    return;
  }
  if (days.length === 0) return;
  await tx.query('DELETE FROM daily_sales WHERE tenant_id = $1 AND date = ANY($2::date[])', [tenantId, days]);
  await tx.query('DELETE FROM daily_product_sales WHERE tenant_id = $1 AND date = ANY($2::date[])', [
    tenantId,
    days,
  ]);
  for (const [first, last] of dayRuns(days)) {
    await tx.query(dailySalesSql(DAY_RUN), [tenantId, timezone, first, last]);
    await tx.query(dailyProductSalesSql(DAY_RUN), [tenantId, timezone, first, last]);
  }
}

/** Recomputes the `customer_stats` rows of some customers (or all) of one tenant. */
async function refreshCustomers(tx: Queryable, tenantId: string, customers: string[] | null) {
  if (customers === null) {
    await tx.query('DELETE FROM customer_stats WHERE tenant_id = $1', [tenantId]);
    await tx.query(customerStatsSql('all'), [tenantId]);
    return;
  }
  if (customers.length === 0) return;
  await tx.query('DELETE FROM customer_stats WHERE tenant_id = $1 AND customer_id = ANY($2::bigint[])', [
    tenantId,
    customers,
  ]);
  await tx.query(customerStatsSql('some'), [tenantId, customers]);
}

/** Serializes the rollup maintenance of these tenants with other transactions' (until commit). */
async function lockTenants(tx: Queryable, tenantIds: string[]) {
  for (const tenantId of [...tenantIds].sort()) {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ROLLUP_LOCK, tenantId]);
  }
}

/**
 * Rebuilds all rollups of one tenant from the entity tables, in the caller's transaction (holding the
 * tenant's rollup lock until it ends). Used by `rollups rebuild`, a time zone change and shop/redact.
 */
export async function rebuildTenantRollups(tx: Queryable, tenantId: string): Promise<void> {
  await lockTenants(tx, [tenantId]);
  const [tenant] = await tx.query<{ timezone: string }>('SELECT timezone FROM tenants WHERE id = $1', [
    tenantId,
  ]);
  if (!tenant) return;
  await refreshDays(tx, tenantId, tenant.timezone, null);
  await refreshCustomers(tx, tenantId, null);
}

/** What the orders and refunds of a batch touch: store-local days and customers, per tenant. */
type Touched = Map<string, { timezone: string; days: Set<string>; customers: Set<string> }>;

/**
 * The days and customers that the stored versions of these orders, and of the orders of these refunds,
 * count on: the orders' processed and cancelled dates and customers, and the processed dates of all their
 * refunds (a refund moves the cancellation return of its order, so the whole order is taken).
 */
async function readTouched(
  tx: Queryable,
  orders: { tenant_id: string; id: string }[],
  refunds: { tenant_id: string; id: string }[],
  into: Touched,
) {
  if (orders.length === 0 && refunds.length === 0) return;
  const rows = await tx.query<{
    tenant_id: string;
    timezone: string;
    day: string | null;
    customer_id: string | null;
  }>(
    `WITH touched AS (
       SELECT k.tenant_id, k.id AS order_id FROM unnest($1::uuid[], $2::bigint[]) AS k(tenant_id, id)
       UNION
       SELECT r.tenant_id, r.order_id FROM unnest($3::uuid[], $4::bigint[]) AS k(tenant_id, id)
       JOIN refunds r ON r.tenant_id = k.tenant_id AND r.id = k.id
     ),
     moments AS (
       SELECT o.tenant_id, o.processed_at AS at, o.customer_id FROM touched t
       JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id
       UNION ALL
       SELECT o.tenant_id, o.cancelled_at, NULL FROM touched t
       JOIN orders o ON o.tenant_id = t.tenant_id AND o.id = t.order_id
       UNION ALL
       SELECT r.tenant_id, r.processed_at, NULL FROM touched t
       JOIN refunds r ON r.tenant_id = t.tenant_id AND r.order_id = t.order_id
     )
     SELECT DISTINCT m.tenant_id::text AS tenant_id, tn.timezone,
            (m.at AT TIME ZONE tn.timezone)::date::text AS day, m.customer_id::text AS customer_id
     FROM moments m JOIN tenants tn ON tn.id = m.tenant_id
     WHERE m.at IS NOT NULL OR m.customer_id IS NOT NULL`,
    [
      orders.map((o) => o.tenant_id),
      orders.map((o) => o.id),
      refunds.map((r) => r.tenant_id),
      refunds.map((r) => r.id),
    ],
  );
  for (const row of rows) {
    let entry = into.get(row.tenant_id);
    if (!entry)
      into.set(row.tenant_id, (entry = { timezone: row.timezone, days: new Set(), customers: new Set() }));
    if (row.day !== null) entry.days.add(row.day);
    if (row.customer_id !== null) entry.customers.add(row.customer_id);
  }
}

/** What a batch is about to change, captured before its writes; `finish` refreshes the affected rollups. */
export class RollupChange {
  private readonly touched: Touched = new Map();
  private readonly writes: BatchWrites | null;

  private constructor(writes: BatchWrites | null) {
    this.writes = writes;
  }

  /**
   * Locks the batch's tenants' rollups and reads the days and customers that the batch's orders, refunds
   * and deletions count on as stored now. Call before any of the batch's writes, in its transaction.
   */
  static async begin(tx: Queryable, writes: BatchWrites): Promise<RollupChange> {
    if (!rollupMaintenance.enabled) return new RollupChange(null);
    const change = new RollupChange(writes);
    const { orders, refunds } = change.keys();
    const tenants = new Set([...orders, ...refunds].map((key) => key.tenant_id));
    for (const action of writes.actions) if (action.kind === 'shop_redact') tenants.add(action.tenantId);
    if (tenants.size === 0) return change;
    await lockTenants(tx, [...tenants]);
    await readTouched(tx, orders, refunds, change.touched);
    return change;
  }

  /**
   * Adds the days and customers the batch's rows count on now, and recomputes those rollup rows from the
   * entity tables. A shop/redact rebuilds (empties) its tenant's rollups. Call after all of the batch's
   * writes, in the same transaction.
   */
  async finish(tx: Queryable): Promise<void> {
    if (!this.writes) return;
    const { orders, refunds } = this.keys();
    await readTouched(tx, orders, refunds, this.touched);
    const erased = new Set(
      this.writes.actions.filter((action) => action.kind === 'shop_redact').map((action) => action.tenantId),
    );
    for (const tenantId of erased) await rebuildTenantRollups(tx, tenantId);
    for (const [tenantId, { timezone, days, customers }] of this.touched) {
      if (erased.has(tenantId)) continue;
      await refreshDays(tx, tenantId, timezone, [...days].sort());
      await refreshCustomers(tx, tenantId, [...customers].sort());
    }
  }

  /** The batch's orders (written or deleted, and those of its refunds) and refunds. */
  private keys() {
    const writes = this.writes!;
    const orders = [
      ...[...writes.orders.values()].map((o) => ({ tenant_id: o.order.tenant_id, id: o.order.id })),
      ...[...writes.deletions.orders.values()].map((d) => ({ tenant_id: d.tenant_id, id: d.id })),
      ...[...writes.refunds.values()].map((r) => ({ tenant_id: r.refund.tenant_id, id: r.refund.order_id })),
    ];
    const refunds = [...writes.refunds.values()].map((r) => ({
      tenant_id: r.refund.tenant_id,
      id: r.refund.id,
    }));
    return { orders, refunds };
  }
}

/**
 * Rebuilds the rollups of one tenant (`tenantId`) or of every tenant, one transaction per tenant, calling
 * `progress` after each. Returns the tenants rebuilt. Used by `rollups rebuild` and the benchmark.
 *
 * @throws HttpError 404 `tenant_not_found` for a tenant id that does not exist.
 */
export async function rebuildRollups(
  db: Database,
  options: { tenantId?: string | undefined; progress?: (tenantId: string, ms: number) => void } = {},
): Promise<number> {
  const tenants = await db.system.query<{ id: string }>(
    `SELECT id::text FROM tenants WHERE $1::text IS NULL OR id::text = $1::text ORDER BY id`,
    [options.tenantId ?? null],
  );
  if (options.tenantId !== undefined && tenants.length === 0)
    throw notFound('tenant_not_found', 'tenant not found');
  for (const { id } of tenants) {
    const started = performance.now();
    await db.system.transaction((tx) => rebuildTenantRollups(tx, id));
    options.progress?.(id, performance.now() - started);
  }
  return tenants.length;
}
