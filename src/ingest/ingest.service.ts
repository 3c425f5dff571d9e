/**
 * The ingestion API's work: a batch of Shopify-shaped objects of one kind (customers, products or orders, in
 * the REST/webhook JSON shape) -> validate and normalize each with the webhook normalizer -> write the good
 * ones -> an answer per item, `accepted` or `rejected` with a reason.
 *
 * Guarantees:
 * - A bad item never blocks the good ones. Items the normalizer refuses are rejected before anything is
 *   written. If the database then refuses the batch for its data (a constraint, a value out of range), each
 *   item is written again alone, in its own transaction, and only the ones the database still refuses are
 *   rejected (`database_rejected: ...`).
 * - Nothing is half-written: an item (an order with its line items, embedded customer and refunds) is
 *   written in one transaction with the rest of its batch, or alone; never in part.
 * - Idempotent: the same newest-wins upserts as webhooks (newest `updated_at` wins, an identical replay
 *   writes nothing), so a client may resend a whole batch after any failure. Within a batch, items with the
 *   same id collapse to the newest version; each is answered `accepted`.
 * - Every write runs in `db.forTenant`: row-level security keeps the rows in the caller's tenant.
 * Errors that are not about the data (connection lost, deadlock) are thrown, for the client to retry.
 */
import { Counter } from 'prom-client';
import type { Database } from '../db/client.ts';
import type { JsonValue } from '../lib/json.ts';
import type { Metrics } from '../lib/metrics.ts';
import { customerPayload, orderPayload, productPayload, shopifyId } from '../shopify/payloads.ts';
import { BatchWrites } from './pipeline.ts';
import { InvalidPayloadError, normalizeCustomer, normalizeOrder, normalizeProduct } from './normalize.ts';

export const INGEST_ENTITIES = ['customers', 'products', 'orders'] as const;
export type IngestEntity = (typeof INGEST_ENTITIES)[number];

/** The most items one request may carry. */
export const MAX_BATCH_ITEMS = 1000;

/** The answer for one item, by its position in the batch; `id` is the item's Shopify id when it has one. */
export type ItemResult =
  | { index: number; id?: string; status: 'accepted' }
  | { index: number; id?: string; status: 'rejected'; reason: string };

export type IngestReport = { accepted: number; rejected: number; results: ItemResult[] };

/** A normalized item: its id and how it adds its rows to a batch. */
type Plan = { id: string; addTo(writes: BatchWrites): void };
type Planned = Plan & { index: number };

type Schema = {
  safeParse(input: unknown): { success: true } | { success: false; error: { issues: Issue[] } };
};
type Issue = { path: PropertyKey[]; message: string };

const KINDS: Record<IngestEntity, { schema: Schema; plan(tenantId: string, item: JsonValue): Plan }> = {
  customers: {
    schema: customerPayload,
    plan(tenantId, item) {
      const row = normalizeCustomer(tenantId, item);
      return { id: row.id, addTo: (writes) => writes.addCustomer(row) };
    },
  },
  products: {
    schema: productPayload,
    plan(tenantId, item) {
      const product = normalizeProduct(tenantId, item);
      return { id: product.product.id, addTo: (writes) => writes.addProduct(product) };
    },
  },
  orders: {
    schema: orderPayload,
    plan(tenantId, item) {
      const order = normalizeOrder(tenantId, item);
      return { id: order.order.id, addTo: (writes) => writes.addOrder(order) };
    },
  },
};

export class IngestService {
  private readonly db: Database;
  private readonly items: Counter<'entity' | 'outcome' | 'cause'>;
  private readonly onCommitted: ((tenantIds: string[]) => Promise<void>) | undefined;

  /** `onCommitted`: called with the tenant after each commit of its items (the analytics cache drops its answers). */
  constructor(db: Database, metrics: Metrics, onCommitted?: (tenantIds: string[]) => Promise<void>) {
    this.db = db;
    this.onCommitted = onCommitted;
    this.items = new Counter({
      name: 'shopsight_ingest_items_total',
      help: 'Items received by the ingestion API, by entity, outcome (accepted, rejected) and cause.',
      labelNames: ['entity', 'outcome', 'cause'] as const,
      registers: [metrics.registry],
    });
  }

  /**
   * Ingests `items` (parsed losslessly, so 64-bit ids are exact) into `tenantId`, which the caller has
   * authorized. Results come in the order of `items`.
   *
   * @throws Error when the database fails for a reason other than the data (the client retries the batch).
   */
  async ingest(tenantId: string, entity: IngestEntity, items: JsonValue[]): Promise<IngestReport> {
    const kind = KINDS[entity];
    const results: ItemResult[] = [];
    const planned: Planned[] = [];
    items.forEach((item, index) => {
      try {
        const plan = kind.plan(tenantId, item);
        planned.push({ ...plan, index });
        results.push({ index, id: plan.id, status: 'accepted' });
      } catch (error) {
        if (!(error instanceof InvalidPayloadError)) throw error;
        results.push({
          index,
          ...idOf(item),
          status: 'rejected',
          reason: `invalid_payload: ${describeInvalid(kind.schema, item) ?? error.message}`,
        });
      }
    });

    const refused = await this.write(tenantId, planned);
    if (refused.size < planned.length) await this.onCommitted?.([tenantId]);
    for (const [index, reason] of refused) {
      results[index] = { index, id: results[index]!.id, status: 'rejected', reason };
    }

    const rejected = results.filter((result) => result.status === 'rejected');
    const accepted = results.length - rejected.length;
    this.items.inc({ entity, outcome: 'accepted', cause: '' }, accepted);
    for (const result of rejected) {
      // Every reason starts with its cause: `invalid_payload: ...` or `database_rejected: ...`.
      this.items.inc({ entity, outcome: 'rejected', cause: result.reason.split(':', 1)[0]! });
    }
    return { accepted, rejected: rejected.length, results };
  }

  /**
   * Writes the planned items in one transaction; if the database refuses that for the data, writes each
   * alone and returns the reasons of those it refuses, by index.
   */
  private async write(tenantId: string, planned: Planned[]): Promise<Map<number, string>> {
    const refused = new Map<number, string>();
    if (planned.length === 0) return refused;
    const batch = new BatchWrites();
    for (const item of planned) item.addTo(batch);
    try {
      await this.db.forTenant(tenantId, (tx) => batch.apply(tx));
      return refused;
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
    // In batch order, so that items sharing an id end as they would have in one transaction.
    for (const item of planned) {
      const alone = new BatchWrites();
      item.addTo(alone);
      try {
        await this.db.forTenant(tenantId, (tx) => alone.apply(tx));
      } catch (error) {
        if (!isDataError(error)) throw error;
        refused.set(item.index, `database_rejected: ${(error as Error).message}`);
      }
    }
    return refused;
  }
}

/** The item's id when it has a valid one (a rejected item may still name itself). */
function idOf(item: JsonValue): { id?: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item) || !('id' in item)) return {};
  const parsed = shopifyId.safeParse(item.id);
  return parsed.success ? { id: parsed.data } : {};
}

const MAX_ISSUES = 5;

/**
 * A short reason for an item the normalizer refused, from the schema's issues (`line_items[0].quantity:
 * ...`), at most MAX_ISSUES of them: the normalizer's own message is zod's full JSON dump, too long to send
 * back a thousand times. Undefined when the schema accepts the item (the normalizer refused it for
 * another reason, whose message is then used).
 */
function describeInvalid(schema: Schema, item: JsonValue): string | undefined {
  const result = schema.safeParse(item);
  if (result.success) return undefined;
  const issues = result.error.issues;
  const described = issues.slice(0, MAX_ISSUES).map((issue) => {
    const message = valueAt(item, issue.path) === undefined ? 'is required' : issue.message;
    return `${pathText(issue.path)}: ${message}`;
  });
  if (issues.length > MAX_ISSUES) described.push(`and ${issues.length - MAX_ISSUES} more`);
  return described.join('; ');
}

function pathText(path: PropertyKey[]): string {
  if (path.length === 0) return 'item';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function valueAt(item: JsonValue, path: PropertyKey[]): unknown {
  let value: unknown = item;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * True for a database error caused by the rows themselves, which writing the items one by one isolates:
 * SQLSTATE class 22 (data exception, e.g. a value out of range), 23 (integrity constraint violation) or
 * 54 (program limit exceeded, e.g. a value too large to index). Drivers may wrap the error; its cause chain
 * is followed.
 */
function isDataError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
