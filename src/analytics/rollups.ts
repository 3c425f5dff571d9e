/**
 * Daily rollups: `daily_sales` (per tenant and store-local day), `daily_product_sales` (per day, product and
 * variant; 0 for none) and `customer_stats` (per customer), maintained in the same transaction as the entity
 * writes of a batch, so that they never drift from the entity tables.
 *
 * A rollup row is the sum, over the tenant's orders, of what each order contributes to it: its sale, its
 * refunds and its cancellation, on their days (the figures' one definition: `salesEventsSql` in
 * src/analytics/sales.ts and `productEventsSql` in src/analytics/products.ts). `RollupChange.begin` reads
 * the contributions of the batch's orders (written, deleted, or refunded) as stored before the batch,
 * `finish` reads them again after its writes and adds the difference to the rows; customer_stats rows (first
 * and last order: not sums) of the customers involved are recomputed. The rebuild (`rebuildTenantRollups`)
 * adds up the contributions of all orders with the same SQL. So whatever order, replay or duplication
 * events come in, the rows end equal to a rebuild: a replayed or older version contributes what is stored,
 * that is nothing new. Rows whose figures are all zero are not kept, by either path.
 *
 * Concurrency (PostgreSQL, several batches in flight): a batch holds a transaction-level advisory lock on
 * each of its orders from `begin`, so that no other transaction changes them between the reading of their
 * old contribution and the commit; increments of the same rows from other batches then add up (row locks
 * of the upserts); customer recomputes take a lock per customer. Locks are taken in key order. A tenant's
 * rebuild takes the tenant's lock exclusively, batches take it shared.
 *
 * Days are dates in the tenant's time zone (`tenants.timezone`), cut with `AT TIME ZONE` (DST included);
 * when the time zone changes the tenant's rollups must be rebuilt (TenantService does).
 */
import type { Database, Queryable } from '../db/client.ts';
import { notFound } from '../http/errors.ts';
import type { BatchWrites } from '../ingest/pipeline.ts';
import { productEventsSql } from './products.ts';
import { salesEventsSql, type EventScope } from './sales.ts';

/** First key of the tenant advisory locks of the rollup maintenance. */
const ROLLUP_LOCK = 7254002;

/** Turned off only by the benchmark (bench/analytics) to measure what the maintenance costs the worker. */
export const rollupMaintenance = { enabled: true };

/** A tenant's whole history: every event with a time. */
const ALL_TIME: EventScope = { start: `'-infinity'::timestamptz`, end: `'infinity'::timestamptz` };

/** The events of the orders `$3` (bigint[]) only, whenever they occur. */
const SOME_ORDERS: EventScope = {
  ...ALL_TIME,
  orders: 'o.id = ANY($3::bigint[])',
  refunds: 'r.order_id = ANY($3::bigint[])',
};

/** The events of the orders of the customers `$2` (bigint[]), refunds found through their orders. */
const SOME_CUSTOMERS: EventScope = {
  ...ALL_TIME,
  orders: 'o.customer_id = ANY($2::bigint[])',
  refunds: `r.order_id IN (SELECT c.id FROM orders c WHERE c.tenant_id = $1 AND c.customer_id = ANY($2::bigint[]))`,
};

const DAILY_SALES_FIGURES = [
  'orders',
  'units_sold',
  'units_returned',
  'gross_sales',
  'discounts',
  'returns',
  'shipping',
  'taxes',
  'duties',
  'refunds',
  'refunded_amount',
] as const;
const PRODUCT_FIGURES = ['units_sold', 'units_returned', 'gross_sales', 'discounts', 'returns'] as const;

/**
 * The `daily_sales` figures per store-local day (columns `date` and DAILY_SALES_FIGURES) that the events
 * of a scope add up to. Parameters: $1 tenant, $2 time zone (and those of the scope).
 */
const dailySalesSql = (scope: EventScope) => `
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
SELECT coalesce(s.date, u.date) AS date, coalesce(s.orders, 0)::int AS orders,
       coalesce(u.units_sold, 0)::int AS units_sold, coalesce(u.units_returned, 0)::int AS units_returned,
       coalesce(s.gross_sales, 0) AS gross_sales, coalesce(s.discounts, 0) AS discounts,
       coalesce(s.returns, 0) AS returns, coalesce(s.shipping, 0) AS shipping, coalesce(s.taxes, 0) AS taxes,
       coalesce(s.duties, 0) AS duties, coalesce(s.refunds, 0)::int AS refunds,
       coalesce(s.refunded_amount, 0) AS refunded_amount
FROM sales s FULL JOIN units u ON u.date = s.date`;

/** The `daily_product_sales` figures per day, product and variant of a scope's events. Parameters as above. */
const dailyProductSalesSql = (scope: EventScope) => `
WITH ${productEventsSql(scope)}
SELECT (occurred_at AT TIME ZONE $2)::date AS date, coalesce(product_id, 0) AS product_id,
       coalesce(variant_id, 0) AS variant_id, sum(greatest(units, 0))::int AS units_sold,
       sum(greatest(-units, 0))::int AS units_returned, sum(gross_sales) AS gross_sales,
       sum(discounts) AS discounts, sum(returns) AS returns
FROM product_events GROUP BY 1, 2, 3`;

const MONEY = new Set([
  'gross_sales',
  'discounts',
  'returns',
  'shipping',
  'taxes',
  'duties',
  'refunded_amount',
]);
/** A figure as stored: money without trailing zeros, so that 60.8 reached by sums or by differences reads alike. */
const stored = (figure: string, value: string) => (MONEY.has(figure) ? `trim_scale(${value})` : value);

const nonZero = (figures: readonly string[], alias: string) =>
  `(${figures.map((f) => `${alias}.${f} <> 0`).join(' OR ')})`;
const allZero = (figures: readonly string[], alias: string) => `NOT ${nonZero(figures, alias)}`;

/**
 * The `customer_stats` rows of the tenant's customers (all, or those in `$2`: bigint[]) over their whole
 * history. A customer counts from their first order; one with refunds but no order of their own has no row.
 */
const customerStatsSql = (customers: 'all' | 'some') => `
INSERT INTO customer_stats (tenant_id, customer_id, first_order_at, last_order_at, orders, gross_sales,
                            discounts, returns, net_sales)
WITH ${salesEventsSql(customers === 'some' ? SOME_CUSTOMERS : { ...ALL_TIME, orders: 'o.customer_id IS NOT NULL' })}
SELECT $1::uuid, customer_id, min(occurred_at) FILTER (WHERE orders = 1),
       max(occurred_at) FILTER (WHERE orders = 1), sum(orders), sum(gross_sales), sum(discounts), sum(returns),
       sum(gross_sales - discounts - returns)
FROM sales_events
GROUP BY customer_id
HAVING sum(orders) > 0`;

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

/** Transaction-level advisory locks on keys (text), taken in key order so that batches cannot deadlock on them. */
async function lockKeys(tx: Queryable, keys: string[]) {
  if (keys.length === 0) return;
  await tx.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended(key, ${ROLLUP_LOCK}) AS k FROM unnest($1::text[]) AS key ORDER BY 1) AS keys`,
    [keys],
  );
}

/**
 * Rebuilds all rollups of one tenant from the entity tables, in the caller's transaction (holding the
 * tenant's rollup lock exclusively until it ends). Used by `rollups rebuild`, a time zone change and
 * shop/redact.
 */
export async function rebuildTenantRollups(tx: Queryable, tenantId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ROLLUP_LOCK, tenantId]);
  const [tenant] = await tx.query<{ timezone: string }>('SELECT timezone FROM tenants WHERE id = $1', [
    tenantId,
  ]);
  if (!tenant) return;
  await tx.query('DELETE FROM daily_sales WHERE tenant_id = $1', [tenantId]);
  await tx.query('DELETE FROM daily_product_sales WHERE tenant_id = $1', [tenantId]);
  await tx.query(
    `INSERT INTO daily_sales (tenant_id, date, ${DAILY_SALES_FIGURES.join(', ')})
     SELECT $1::uuid, r.date, ${DAILY_SALES_FIGURES.map((f) => stored(f, `r.${f}`)).join(', ')}
     FROM (${dailySalesSql(ALL_TIME)}) r WHERE ${nonZero(DAILY_SALES_FIGURES, 'r')}`,
    [tenantId, tenant.timezone],
  );
  await tx.query(
    `INSERT INTO daily_product_sales (tenant_id, date, product_id, variant_id, ${PRODUCT_FIGURES.join(', ')})
     SELECT $1::uuid, r.date, r.product_id, r.variant_id, ${PRODUCT_FIGURES.map((f) => stored(f, `r.${f}`)).join(', ')}
     FROM (${dailyProductSalesSql(ALL_TIME)}) r WHERE ${nonZero(PRODUCT_FIGURES, 'r')}`,
    [tenantId, tenant.timezone],
  );
  await refreshCustomers(tx, tenantId, null);
}

type Row = Record<string, string>;

/** What some orders of one tenant contribute to its rollups, as stored at one moment. */
type Contribution = { days: Row[]; products: Row[]; customers: string[] };

async function contribution(tx: Queryable, tenantId: string, timezone: string, orderIds: string[]) {
  const params = [tenantId, timezone, orderIds];
  // As text, so that they go back into SQL exactly (JSON) whatever the driver makes of dates and numerics.
  const asText = (select: string, columns: readonly string[]) =>
    `SELECT ${columns.map((c) => `r.${c}::text AS ${c}`).join(', ')} FROM (${select}) r`;
  return {
    days: await tx.query<Row>(asText(dailySalesSql(SOME_ORDERS), ['date', ...DAILY_SALES_FIGURES]), params),
    products: await tx.query<Row>(
      asText(dailyProductSalesSql(SOME_ORDERS), ['date', 'product_id', 'variant_id', ...PRODUCT_FIGURES]),
      params,
    ),
    customers: (
      await tx.query<{ customer_id: string }>(
        `SELECT DISTINCT customer_id::text FROM orders
         WHERE tenant_id = $1 AND id = ANY($2::bigint[]) AND customer_id IS NOT NULL`,
        [tenantId, orderIds],
      )
    ).map((row) => row.customer_id),
  } satisfies Contribution;
}

/**
 * Adds `after - before` to the rollup rows of one tenant (one statement per table, rows in key order so that
 * concurrent batches lock them in the same order), then deletes the rows left with all figures zero.
 */
async function applyDifference(
  tx: Queryable,
  tenantId: string,
  timezone: string,
  orderIds: string[],
  before: Contribution,
) {
  const tables = [
    {
      table: 'daily_sales',
      keys: ['date'],
      figures: DAILY_SALES_FIGURES,
      select: dailySalesSql(SOME_ORDERS),
      before: before.days,
    },
    {
      table: 'daily_product_sales',
      keys: ['date', 'product_id', 'variant_id'],
      figures: PRODUCT_FIGURES,
      select: dailyProductSalesSql(SOME_ORDERS),
      before: before.products,
    },
  ] as const;
  for (const { table, keys, figures, select, before: rows } of tables) {
    const types = (column: string) =>
      column === 'date' ? 'date' : ['product_id', 'variant_id'].includes(column) ? 'bigint' : 'numeric';
    const emptied = await tx.query<Row & { empty: boolean }>(
      `WITH before AS (
         SELECT * FROM jsonb_to_recordset($4::jsonb)
           AS b(${[...keys, ...figures].map((c) => `${c} ${types(c)}`).join(', ')})
       ),
       after AS (${select}),
       difference AS (
         SELECT ${keys.map((k) => `coalesce(a.${k}, b.${k}) AS ${k}`).join(', ')},
                ${figures.map((f) => `coalesce(a.${f}, 0) - coalesce(b.${f}, 0) AS ${f}`).join(', ')}
         FROM after a FULL JOIN before b ON ${keys.map((k) => `a.${k} = b.${k}`).join(' AND ')}
       )
       INSERT INTO ${table} AS t (tenant_id, ${keys.join(', ')}, ${figures.join(', ')})
       SELECT $1::uuid, ${keys.map((k) => `d.${k}`).join(', ')}, ${figures.map((f) => stored(f, `d.${f}`)).join(', ')}
       FROM difference d WHERE ${nonZero(figures, 'd')}
       ORDER BY ${keys.map((k) => `d.${k}`).join(', ')}
       ON CONFLICT (tenant_id, ${keys.join(', ')}) DO UPDATE
         SET ${figures.map((f) => `${f} = ${stored(f, `t.${f} + excluded.${f}`)}`).join(', ')}
       RETURNING ${keys.map((k) => `t.${k}::text AS ${k}`).join(', ')}, ${allZero(figures, 't')} AS empty`,
      [tenantId, timezone, orderIds, JSON.stringify(rows)],
    );
    const empty = emptied.filter((row) => row.empty);
    if (empty.length === 0) continue;
    await tx.query(
      `DELETE FROM ${table} t USING jsonb_to_recordset($2::jsonb)
         AS e(${keys.map((k) => `${k} ${types(k)}`).join(', ')})
       WHERE t.tenant_id = $1 AND ${keys.map((k) => `t.${k} = e.${k}`).join(' AND ')}
         AND ${allZero(figures, 't')}`,
      [tenantId, JSON.stringify(empty)],
    );
  }
}

/** A tenant's part of a batch: the orders it touches, with their contribution before the batch. */
type TenantPart = { timezone: string; orderIds: string[]; before: Contribution };

/** What a batch is about to change, captured before its writes; `finish` brings the rollups up to date. */
export class RollupChange {
  private readonly parts = new Map<string, TenantPart>();
  private readonly erased = new Set<string>();
  private readonly active: boolean;

  private constructor(active: boolean) {
    this.active = active;
  }

  /**
   * Locks the batch's orders and reads what they contribute to the rollups as stored now. Call before any
   * of the batch's writes, in its transaction.
   */
  static async begin(tx: Queryable, writes: BatchWrites): Promise<RollupChange> {
    const change = new RollupChange(rollupMaintenance.enabled);
    if (!change.active) return change;
    for (const action of writes.actions)
      if (action.kind === 'shop_redact') change.erased.add(action.tenantId);
    const orders = new Map<string, Set<string>>();
    const add = (tenantId: string, id: string) => {
      if (!orders.has(tenantId)) orders.set(tenantId, new Set());
      orders.get(tenantId)!.add(id);
    };
    for (const { order } of writes.orders.values()) add(order.tenant_id, order.id);
    for (const deletion of writes.deletions.orders.values()) add(deletion.tenant_id, deletion.id);
    for (const { refund } of writes.refunds.values()) add(refund.tenant_id, refund.order_id);
    const tenantIds = [...new Set([...orders.keys(), ...change.erased])].sort();
    if (tenantIds.length === 0) return change;

    for (const tenantId of tenantIds) {
      await tx.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [ROLLUP_LOCK, tenantId]);
    }
    await lockKeys(
      tx,
      [...orders].flatMap(([tenantId, ids]) => [...ids].map((id) => `order:${tenantId}:${id}`)),
    );
    const zones = await tx.query<{ id: string; timezone: string }>(
      'SELECT id::text, timezone FROM tenants WHERE id = ANY($1::uuid[])',
      [tenantIds],
    );
    for (const { id: tenantId, timezone } of zones) {
      const ids = orders.get(tenantId);
      if (!ids || change.erased.has(tenantId)) continue;
      const orderIds = [...ids].sort();
      change.parts.set(tenantId, {
        timezone,
        orderIds,
        before: await contribution(tx, tenantId, timezone, orderIds),
      });
    }
    return change;
  }

  /**
   * Adds to the rollups what the batch's orders contribute now less what they did before, and recomputes
   * the customer_stats of their customers (before and after). A shop/redact rebuilds (empties) its
   * tenant's rollups. Call after all of the batch's writes, in the same transaction.
   */
  async finish(tx: Queryable): Promise<void> {
    if (!this.active) return;
    for (const tenantId of [...this.erased].sort()) await rebuildTenantRollups(tx, tenantId);
    for (const [tenantId, { timezone, orderIds, before }] of this.parts) {
      await applyDifference(tx, tenantId, timezone, orderIds, before);
      const after = await tx.query<{ customer_id: string }>(
        `SELECT DISTINCT customer_id::text FROM orders
         WHERE tenant_id = $1 AND id = ANY($2::bigint[]) AND customer_id IS NOT NULL`,
        [tenantId, orderIds],
      );
      const customers = [...new Set([...before.customers, ...after.map((row) => row.customer_id)])].sort();
      await lockKeys(
        tx,
        customers.map((id) => `customer:${tenantId}:${id}`),
      );
      await refreshCustomers(tx, tenantId, customers);
    }
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
