/**
 * The sync of a store's history and of what webhooks missed, per tenant and resource (orders, customers,
 * products, inventory):
 *
 * - backfill: a bulk operation exports the resource; its JSONL result is streamed, children gathered under
 *   their parent, and written in batches through the webhooks' normalizer and `BatchWrites` (so rollups
 *   follow). Each batch commits, in its own transaction, the JSONL line it reached: a crash resumes after
 *   the last committed line of the same operation, without duplicates or gaps. An operation that failed, or
 *   whose result URL is gone, runs again from the start (the upserts are idempotent).
 * - incremental: pages of records updated since the cursor less an overlap window, oldest first; the cursor
 *   moves with each committed page.
 * - reconcile: an incremental sync, then deletion detection: the ids Shopify lists against the live rows;
 *   rows Shopify no longer has are soft-deleted. Counts go to `sync_runs`.
 *
 * - inventory: every run first reads the shop's locations whole (they are few) and writes them; the
 *   inventory items then follow the steps above with their inventory levels. A reconciliation reads every
 *   item (no `updated_at` bound: Shopify does not document that a quantity change touches the item) and
 *   soft-deletes the locations and items Shopify no longer lists.
 *
 * Runs are started by the job queue (jobs.ts) in the worker role; `request` only queues them.
 */
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/client.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { BatchWrites } from '../ingest/pipeline.ts';
import {
  InvalidPayloadError,
  normalizeCustomer,
  normalizeInventoryItem,
  normalizeInventoryLevel,
  normalizeLocation,
  normalizeOrder,
  normalizeProduct,
} from '../ingest/normalize.ts';
import type { JsonObject } from '../lib/json.ts';
import { shopBaseUrl } from '../shopify/oauth.ts';
import type { ConnectionService } from '../tenants/connection.service.ts';
import {
  bulkQuery,
  locationToRest,
  SORTS_BY_UPDATED_AT,
  SYNCED_RESOURCES,
  toRest,
  truncated,
  type SyncedResource,
} from './graphql-shapes.ts';
import { BulkResultGoneError, readBulkResult } from './jsonl.ts';
import { ShopifySource, type BulkOperation } from './shopify-source.ts';
import {
  addDeleted,
  commitProgress,
  finishRun,
  getState,
  lastRuns,
  listStates,
  liveIds,
  liveLocationIds,
  connectedLevels,
  markQueued,
  orphanedStates,
  setBulkOperation,
  setBulkResult,
  startRun,
  storedVersions,
  touchState,
  type SyncMode,
  type SyncRunRow,
  type SyncStateRow,
} from './sync.repository.ts';

/**
 * One unit of work for the queue: a run of `mode` for one tenant and resource. `requestedAt` (UTC
 * ISO-8601): a job whose resource completed a run of the same mode since is done already (a retry of a job
 * whose run was taken over, for instance).
 */
export type SyncJob = { tenantId: string; resource: SyncedResource; mode: SyncMode; requestedAt?: string };

/** Where jobs go; implemented by the pg-boss queue (jobs.ts). */
export interface SyncJobSink {
  /** Queues `job` unless one for the same tenant and resource is already queued; returns the job id or null. */
  enqueue(job: SyncJob): Promise<string | null>;
  /** Ends the active job of a tenant and resource whose worker died, so that another may start. */
  releaseOrphan(tenantId: string, resource: string): Promise<boolean>;
}

export type SyncSettings = {
  /** Admin API version, e.g. `2026-04`. */
  apiVersion: string;
  /** `https://{shop}` or the simulator's base URL template. */
  adminBaseUrl: string;
  /** Root objects per written batch; default 1000 (measured faster than 500 in bench/backfill). */
  batchSize?: number;
  /** How far before the cursor an incremental sync starts, ms; default 5 minutes. */
  overlapMs?: number;
  /** First and longest wait between two polls of a running bulk operation, ms; default 500 and 10 000. */
  pollMs?: { min: number; max: number };
  /** Tries of a transient Shopify failure within a run; default 8. */
  transientTries?: number;
};

/** Test seams: called after each committed batch (a throw there stops the run as a crash would). */
export type SyncHooks = {
  afterBatch?: (job: SyncJob, batch: number) => void | Promise<void>;
  /** Called after each committed write of a tenant's data (the analytics cache drops that tenant's answers). */
  onCommitted?: (tenantIds: string[]) => Promise<void>;
  /** Called after each committed batch with its resource and row count: for metrics. */
  onRows?: (resource: string, rows: number) => void;
  /** Told of every wait for Shopify's rate limit, in ms: for metrics. */
  onThrottleWait?: (ms: number) => void;
};

/** What the API shows of one resource. Times UTC ISO-8601; `rate` rows per second; `etaSeconds` when known. */
export type ResourceStatus = {
  resource: string;
  mode: string | null;
  state: string;
  rowsDone: number;
  rowsTotal: number | null;
  rate: number | null;
  etaSeconds: number | null;
  cursor: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  lastError: string | null;
  lastReconciledAt: string | null;
  lastRun: {
    mode: string;
    status: string;
    created: number;
    updated: number;
    deleted: number;
    rows: number;
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
  } | null;
};

const TERMINAL_FAILURES = new Set(['CANCELED', 'FAILED', 'EXPIRED']);
const GID_TYPE: Record<SyncedResource, string> = {
  orders: 'Order',
  customers: 'Customer',
  products: 'Product',
  inventory: 'InventoryItem',
};
/** The `BatchWrites` deletion kind of each resource's root rows. */
const DELETION_KIND = {
  orders: 'orders',
  customers: 'customers',
  products: 'products',
  inventory: 'inventory_items',
} as const satisfies Record<SyncedResource, keyof BatchWrites['deletions']>;
/** Restarts of a bulk operation (failed, or its result gone) within one run before the run fails. */
const MAX_BULK_STARTS = 3;

export class SyncService {
  private readonly batchSize: number;
  private readonly overlapMs: number;
  private readonly pollMs: { min: number; max: number };
  private sink: SyncJobSink | null = null;
  private readonly db: Database;
  private readonly connections: ConnectionService;
  private readonly settings: SyncSettings;
  private readonly log: Logger;
  private readonly hooks: SyncHooks;

  constructor(
    db: Database,
    connections: ConnectionService,
    settings: SyncSettings,
    log: Logger,
    hooks: SyncHooks = {},
  ) {
    this.db = db;
    this.connections = connections;
    this.settings = settings;
    this.log = log;
    this.hooks = hooks;
    this.batchSize = settings.batchSize ?? 1000;
    this.overlapMs = settings.overlapMs ?? 5 * 60_000;
    this.pollMs = settings.pollMs ?? { min: 500, max: 10_000 };
  }

  /** Connects the queue that `request` and `enqueueDue` send jobs to. */
  attach(sink: SyncJobSink) {
    this.sink = sink;
  }

  /**
   * Queues a sync of `mode` for `resources` (default: all synced resources) of a connected tenant. A
   * resource already queued keeps its one job (the job key is `tenant:resource`).
   *
   * @throws HttpError 404 `tenant_not_found`, 409 `not_connected`, 503 `sync_unavailable` without a queue.
   */
  async request(
    tenantId: string,
    mode: 'backfill' | 'incremental',
    resources: readonly SyncedResource[] = SYNCED_RESOURCES,
  ): Promise<ResourceStatus[]> {
    const sink = this.sink;
    if (!sink) throw new HttpError(503, 'sync_unavailable', 'the job queue is not running');
    await this.shopOf(tenantId);
    const requestedAt = new Date().toISOString();
    for (const resource of resources) {
      await markQueued(this.db.system, tenantId, resource, mode);
      await sink.enqueue({ tenantId, resource, mode, requestedAt });
    }
    return this.status(tenantId);
  }

  /**
   * Queues again the syncs that have no live run: queued ones (a job lost before it ran) and running ones
   * whose worker stopped touching them (killed mid-run). Such a run resumes where it committed. Called at
   * worker start and with every reconciliation tick.
   */
  async recoverOrphans(): Promise<number> {
    if (!this.sink) return 0;
    let queued = 0;
    for (const orphan of await orphanedStates(this.db.system)) {
      const resource = orphan.resource as SyncedResource;
      if (!SYNCED_RESOURCES.includes(resource)) continue;
      const job = { tenantId: orphan.tenant_id, resource, mode: orphan.mode };
      await this.sink.releaseOrphan(job.tenantId, resource);
      if (await this.sink.enqueue({ ...job, requestedAt: new Date().toISOString() })) queued += 1;
    }
    if (queued > 0) this.log.info({ queued }, 'orphaned syncs queued again');
    return queued;
  }

  /** Queues a reconciliation of every synced resource of each tenant whose interval has passed. */
  async enqueueDue(tenantIds: string[]): Promise<void> {
    if (!this.sink) return;
    for (const tenantId of tenantIds) {
      for (const resource of SYNCED_RESOURCES) {
        await markQueued(this.db.system, tenantId, resource, 'reconcile');
        await this.sink.enqueue({
          tenantId,
          resource,
          mode: 'reconcile',
          requestedAt: new Date().toISOString(),
        });
      }
    }
  }

  /** Progress of every resource of a tenant, read under its row-level security. */
  async status(tenantId: string): Promise<ResourceStatus[]> {
    const { states, runs } = await this.db.forTenant(tenantId, async (tx) => ({
      states: await listStates(tx, tenantId),
      runs: await lastRuns(tx, tenantId),
    }));
    const byResource = new Map(runs.map((run) => [run.resource, run]));
    return SYNCED_RESOURCES.map((resource) =>
      statusView(
        resource,
        states.find((s) => s.resource === resource),
        byResource.get(resource),
      ),
    );
  }

  /**
   * Runs one job to the end. A failure is recorded on the state and the run, then rethrown so that the
   * queue retries the job with backoff.
   *
   * @throws SyncBusyError while another run of the resource is alive (the queue retries later).
   */
  async run(job: SyncJob): Promise<void> {
    const { tenantId, resource } = job;
    const previous = await getState(this.db.system, tenantId, resource);
    if (
      job.requestedAt &&
      previous?.state === 'completed' &&
      previous.mode === job.mode &&
      previous.finished_at &&
      Date.parse(previous.finished_at) >= Date.parse(job.requestedAt)
    ) {
      return;
    }
    // A backfill that never completed is resumed first, whatever was asked: its operation may still serve.
    const mode: SyncMode =
      job.mode === 'reconcile' && !previous?.cursor
        ? 'backfill'
        : previous?.bulk_operation_id && job.mode !== 'backfill'
          ? 'backfill'
          : job.mode;
    const resume = mode === 'backfill' && Boolean(previous?.bulk_operation_id);
    const runId = await startRun(this.db.system, tenantId, resource, mode, resume);
    const context = { job: { ...job, mode }, runId, batches: 0 };
    try {
      const source = await this.sourceFor(tenantId);
      const locations = resource === 'inventory' ? await this.syncLocations(context, source) : null;
      if (mode === 'backfill') await this.backfill(context, source, previous);
      else {
        await this.incremental(context, source, previous);
        if (mode === 'reconcile') await this.detectDeletions(context, source);
      }
      if (locations && mode === 'reconcile') await this.deleteMissingLocations(context, locations);
      await finishRun(this.db.system, tenantId, resource, runId, {
        error: null,
        reconciled: mode === 'reconcile',
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await finishRun(this.db.system, tenantId, resource, runId, { error: message, reconciled: false }).catch(
        () => undefined,
      );
      this.log.warn({ tenantId, resource, mode, err: error }, 'sync failed');
      throw error;
    }
  }

  /**
   * Imports a bulk operation's result already available at `url` (no operation is run): the backfill's
   * streaming and batched writes, recorded as a backfill run. For imports of an exported file and for the
   * benchmark (bench/backfill).
   *
   * @throws BulkResultGoneError, Error as the backfill does.
   */
  async importBulkResult(tenantId: string, resource: SyncedResource, url: string): Promise<void> {
    const runId = await startRun(this.db.system, tenantId, resource, 'backfill', false);
    const context: RunContext = { job: { tenantId, resource, mode: 'backfill' }, runId, batches: 0 };
    try {
      await this.consume(context, url, 0);
      await finishRun(this.db.system, tenantId, resource, runId, { error: null, reconciled: false });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await finishRun(this.db.system, tenantId, resource, runId, { error: message, reconciled: false });
      throw error;
    }
  }

  private async shopOf(tenantId: string): Promise<string> {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const rows = UUID.test(tenantId)
      ? await this.db.system.query<{ shop_domain: string; connection_status: string }>(
          'SELECT shop_domain, connection_status FROM tenants WHERE id = $1',
          [tenantId],
        )
      : [];
    const tenant = rows[0];
    if (!tenant) throw notFound('tenant_not_found', 'tenant not found');
    if (tenant.connection_status !== 'connected') {
      throw new HttpError(409, 'not_connected', 'the store is not connected');
    }
    return tenant.shop_domain;
  }

  private async sourceFor(tenantId: string): Promise<ShopifySource> {
    const shop = await this.shopOf(tenantId);
    return new ShopifySource({
      baseUrl: shopBaseUrl(this.settings.adminBaseUrl, shop),
      apiVersion: this.settings.apiVersion,
      accessToken: await this.connections.accessTokenFor(tenantId),
      ...(this.settings.transientTries !== undefined && { transientTries: this.settings.transientTries }),
      ...(this.hooks.onThrottleWait && { onThrottleWait: this.hooks.onThrottleWait }),
    });
  }

  private async backfill(context: RunContext, source: ShopifySource, previous: SyncStateRow | undefined) {
    const { tenantId, resource } = context.job;
    const query = bulkQuery(resource);
    let operation: BulkOperation | null = previous?.bulk_operation_id
      ? await source.bulk(previous.bulk_operation_id)
      : null;
    for (let starts = 0; ;) {
      if (!operation || TERMINAL_FAILURES.has(operation.status) || operation.status === 'CANCELING') {
        if (++starts > MAX_BULK_STARTS) throw new Error(`bulk operation failed ${MAX_BULK_STARTS} times`);
        operation = await this.startBulk(context, source, query);
      }
      operation = await this.awaitBulk(context, source, operation);
      if (operation.status !== 'COMPLETED') {
        this.log.warn({ tenantId, resource, operation }, 'bulk operation ended without a result');
        operation = null;
        continue;
      }
      await setBulkResult(this.db.system, tenantId, resource, operation.url, operation.rootObjectCount);
      if (!operation.url) return;
      const state = await getState(this.db.system, tenantId, resource);
      const skip = state?.bulk_operation_id === operation.id ? Number(state.lines_committed) : 0;
      try {
        await this.consume(context, operation.url, skip);
        return;
      } catch (error) {
        if (!(error instanceof BulkResultGoneError)) throw error;
        this.log.warn({ tenantId, resource }, 'bulk result gone; running the operation again');
        operation = null;
      }
    }
  }

  /**
   * Starts the resource's bulk query and records it. When the shop already runs one: ours (the same
   * query, started before a crash could record it) is adopted; another resource's is waited for, since a
   * shop runs one bulk query at a time.
   */
  private async startBulk(context: RunContext, source: ShopifySource, query: string): Promise<BulkOperation> {
    const { tenantId, resource } = context.job;
    for (let wait = this.pollMs.min; ; wait = Math.min(this.pollMs.max, wait * 2)) {
      const started = await source.runBulk(query);
      const operation =
        'operation' in started
          ? started.operation
          : started.inProgress?.query === query
            ? started.inProgress
            : null;
      if (operation) {
        await setBulkOperation(this.db.system, tenantId, resource, operation.id);
        return operation;
      }
      await touchState(this.db.system, tenantId, resource);
      await sleep(wait);
    }
  }

  /** Polls the operation (`node(id)`) with a growing interval until it ends, keeping the run's lease. */
  private async awaitBulk(
    context: RunContext,
    source: ShopifySource,
    operation: BulkOperation,
  ): Promise<BulkOperation> {
    let current = operation;
    for (let wait = this.pollMs.min; current.status === 'CREATED' || current.status === 'RUNNING';) {
      await sleep(wait);
      wait = Math.min(this.pollMs.max, wait * 2);
      current = (await source.bulk(current.id)) ?? { ...current, status: 'EXPIRED' };
      await touchState(this.db.system, context.job.tenantId, context.job.resource);
    }
    return current;
  }

  /**
   * Streams the result from line `skip` on, writing a batch every `batchSize` roots. While a batch is
   * being written the next one is read and normalized (the database, not this process, is the slower
   * side); batches still commit one after the other, in file order, so the resume point only moves forward.
   */
  private async consume(context: RunContext, url: string, skip: number) {
    const { resource } = context.job;
    let batch: JsonObject[] = [];
    let lastLine = skip;
    let writing: Promise<void> | null = null;
    const write = async (prepared: PreparedBatch, line: number) => {
      if (writing) await writing;
      writing = this.commitBatch(context, prepared, line);
      // Awaited before the next write or at the end; this only keeps it from counting as unhandled.
      writing.catch(() => undefined);
    };
    try {
      for await (const root of readBulkResult(url, skip)) {
        batch.push(toRest(resource, root.node));
        lastLine = root.lastLine;
        if (batch.length >= this.batchSize) {
          await write(this.prepareBatch(context, batch), lastLine);
          batch = [];
        }
      }
      if (batch.length > 0) await write(this.prepareBatch(context, batch), lastLine);
    } finally {
      // A read error waits for the write in flight, so that nothing runs after the run has ended.
      await Promise.resolve(writing).catch(() => undefined);
    }
    await writing;
  }

  private async incremental(context: RunContext, source: ShopifySource, previous: SyncStateRow | undefined) {
    const { resource, mode } = context.job;
    const since =
      previous?.cursor && !(resource === 'inventory' && mode === 'reconcile')
        ? new Date(Date.parse(previous.cursor) - this.overlapMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
        : null;
    // Pages not in updated_at order move the cursor only with the last one: a run stopped halfway must not
    // leave the cursor past records of pages it never read.
    const cursorAtEnd = !SORTS_BY_UPDATED_AT[resource];
    let newest: string | null = null;
    let after: string | null = null;
    for (;;) {
      const page = await source.updatedSince(resource, since, after);
      for (const node of page.nodes) {
        if (truncated(node.lineItems) || truncated(node.variants) || truncated(node.inventoryLevels)) {
          this.log.warn({ resource, id: node.id }, 'a record has more children than one page holds');
        }
      }
      const batch = this.prepareBatch(
        context,
        page.nodes.map((node) => toRest(resource, node)),
      );
      if (cursorAtEnd) newest = newestOf([newest, ...batch.versions.values()]);
      if (page.nodes.length > 0 || (cursorAtEnd && !page.hasNextPage && newest !== null)) {
        const moveTo = cursorAtEnd ? (page.hasNextPage ? null : newest) : undefined;
        await this.commitBatch(context, batch, null, moveTo);
      }
      if (!page.hasNextPage) return;
      after = page.endCursor;
    }
  }

  /**
   * Reads every location of the shop and writes them in one transaction. Returns the ids Shopify listed.
   * Locations have no resume point: they are read whole on every run.
   */
  private async syncLocations(context: RunContext, source: ShopifySource): Promise<Set<string>> {
    const { tenantId } = context.job;
    const writes = new BatchWrites();
    const listed = new Set<string>();
    for (let after: string | null = null; ;) {
      const page = await source.locations(after);
      for (const node of page.nodes) {
        const record = locationToRest(node);
        // Listed even when refused below: Shopify has it, so reconciliation must not delete it.
        if (typeof record.id === 'string') listed.add(record.id);
        try {
          writes.addLocation(normalizeLocation(tenantId, record));
        } catch (error) {
          if (!(error instanceof InvalidPayloadError)) throw error;
          this.log.warn({ tenantId, id: record.id, err: error }, 'sync location refused');
        }
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    await this.db.system.transaction((tx) => writes.apply(tx));
    await this.hooks.onCommitted?.([tenantId]);
    return listed;
  }

  /** Soft-deletes the live locations Shopify did not list (`listed`: the ids read by `syncLocations`). */
  private async deleteMissingLocations(context: RunContext, listed: Set<string>) {
    const { tenantId } = context.job;
    const missing = (await liveLocationIds(this.db.system, tenantId)).filter((id) => !listed.has(id));
    if (missing.length === 0) return;
    const writes = new BatchWrites();
    const deletedAt = new Date().toISOString();
    for (const id of missing)
      writes.addDeletion('locations', { tenant_id: tenantId, id, deleted_at: deletedAt });
    await this.db.system.transaction(async (tx: Queryable) => {
      await writes.apply(tx);
      await addDeleted(tx, tenantId, context.runId, missing.length);
    });
    await this.hooks.onCommitted?.([tenantId]);
    this.log.info({ tenantId, deleted: missing.length }, 'deleted locations found by reconciliation');
  }

  /**
   * Normalizes `records` (REST shapes) through the webhooks' normalizer into one `BatchWrites`. A record
   * the normalizer refuses is logged and left out, as a dead-lettered webhook would be.
   */
  private prepareBatch(context: RunContext, records: JsonObject[]): PreparedBatch {
    const { tenantId, resource } = context.job;
    const writes = new BatchWrites();
    const versions = new Map<string, string | null>();
    const stocked = new Map<string, Set<string>>();
    for (const record of records) {
      try {
        if (resource === 'orders') {
          const order = normalizeOrder(tenantId, record);
          writes.addOrder(order);
          versions.set(order.order.id, order.order.updated_at);
        } else if (resource === 'customers') {
          const customer = normalizeCustomer(tenantId, record);
          writes.addCustomer(customer);
          versions.set(customer.id, customer.updated_at);
        } else if (resource === 'products') {
          const product = normalizeProduct(tenantId, record);
          writes.addProduct(product);
          versions.set(product.product.id, product.product.updated_at);
        } else {
          const { inventory_levels: levels, inventory_levels_complete: complete, ...rest } = record;
          const item = normalizeInventoryItem(tenantId, rest);
          const normalized = ((levels as JsonObject[] | undefined) ?? []).map((level) =>
            // A level without updatedAt is dated with its item's version, as a webhook would be with its trigger time.
            normalizeInventoryLevel(tenantId, level, item.updated_at ?? new Date().toISOString()),
          );
          writes.addInventoryItem(item);
          for (const level of normalized) writes.addInventoryLevel(level);
          versions.set(item.id, item.updated_at);
          if (complete === true) stocked.set(item.id, new Set(normalized.map((level) => level.location_id)));
        }
      } catch (error) {
        if (!(error instanceof InvalidPayloadError)) throw error;
        this.log.warn({ tenantId, resource, id: record.id, err: error }, 'sync record refused');
      }
    }
    return { writes, versions, stocked, rows: records.length };
  }

  /**
   * Writes a prepared batch and its resume point in one transaction. Counts as created the ids not stored
   * before, as updated those whose stored `updated_at` was older. The cursor moves to `moveCursorTo` when
   * given (null: stays), else to the batch's newest `updated_at`.
   */
  private async commitBatch(
    context: RunContext,
    batch: PreparedBatch,
    linesCommitted: number | null,
    moveCursorTo?: string | null,
  ) {
    const { tenantId, resource } = context.job;
    const { writes, versions } = batch;
    const newest = moveCursorTo === undefined ? newestOf(versions.values()) : moveCursorTo;
    await this.db.system.transaction(async (tx) => {
      const stored = await storedVersions(tx, tenantId, resource, [...versions.keys()]);
      // Levels Shopify no longer lists for a fully read item were disconnected (the webhook was missed).
      const disconnectedAt = new Date().toISOString();
      for (const level of await connectedLevels(tx, tenantId, [...batch.stocked.keys()])) {
        if (batch.stocked.get(level.inventory_item_id)?.has(level.location_id)) continue;
        writes.addLevelDisconnection({ tenant_id: tenantId, ...level, disconnected_at: disconnectedAt });
      }
      await writes.apply(tx);
      let created = 0;
      let updated = 0;
      for (const [id, version] of versions) {
        if (!stored.has(id)) created += 1;
        else if (isNewer(version, stored.get(id) ?? null)) updated += 1;
      }
      await commitProgress(tx, tenantId, resource, context.runId, {
        rows: batch.rows,
        created,
        updated,
        linesCommitted,
        newestUpdatedAt: newest,
      });
    });
    context.batches += 1;
    this.hooks.onRows?.(resource, batch.rows);
    await this.hooks.onCommitted?.([tenantId]);
    await this.hooks.afterBatch?.(context.job, context.batches);
  }

  /**
   * Soft-deletes the live rows Shopify no longer has. Shopify's ids and ours are both walked in id order
   * (a merge, never the whole list in memory); ours above the last id Shopify listed (created while the
   * listing ran, or deleted at the end of the list) are checked one by one with `nodes(ids:)`.
   */
  private async detectDeletions(context: RunContext, source: ShopifySource) {
    const { tenantId, resource } = context.job;
    const prefix = `gid://shopify/${GID_TYPE[resource]}/`;
    let shopify: bigint[] = [];
    let at = 0;
    let after: string | null = null;
    let exhausted = false;
    let lastListed = 0n;
    const next = async (): Promise<bigint | null> => {
      while (at >= shopify.length && !exhausted) {
        const page = await source.ids(resource, after);
        shopify = page.ids.map((gid) => BigInt(gid.slice(gid.lastIndexOf('/') + 1)));
        at = 0;
        after = page.endCursor;
        exhausted = !page.hasNextPage;
        if (shopify.length > 0) lastListed = shopify[shopify.length - 1] as bigint;
      }
      return at < shopify.length ? (shopify[at] as bigint) : null;
    };
    const missing: string[] = [];
    const tail: string[] = [];
    for (let ours = await liveIds(this.db.system, tenantId, resource, '0', 1000); ours.length > 0;) {
      for (const id of ours) {
        const value = BigInt(id);
        let theirs = await next();
        while (theirs !== null && theirs < value) {
          at += 1;
          theirs = await next();
        }
        if (theirs === value) continue;
        if (theirs === null && value > lastListed) tail.push(id);
        else missing.push(id);
      }
      if (missing.length >= 1000) await this.softDelete(context, missing.splice(0));
      ours = await liveIds(this.db.system, tenantId, resource, ours[ours.length - 1] as string, 1000);
    }
    for (let index = 0; index < tail.length; index += 100) {
      const chunk = tail.slice(index, index + 100);
      const found = await source.existing(chunk.map((id) => `${prefix}${id}`));
      missing.push(...chunk.filter((id) => !found.has(`${prefix}${id}`)));
    }
    if (missing.length > 0) await this.softDelete(context, missing);
  }

  private async softDelete(context: RunContext, ids: string[]) {
    const { tenantId, resource } = context.job;
    const writes = new BatchWrites();
    const deletedAt = new Date().toISOString();
    for (const id of ids) {
      writes.addDeletion(DELETION_KIND[resource], { tenant_id: tenantId, id, deleted_at: deletedAt });
    }
    await this.db.system.transaction(async (tx: Queryable) => {
      await writes.apply(tx);
      await addDeleted(tx, tenantId, context.runId, ids.length);
    });
    await this.hooks.onCommitted?.([tenantId]);
    this.log.info({ tenantId, resource, deleted: ids.length }, 'deletions found by reconciliation');
  }
}

type RunContext = { job: SyncJob; runId: string; batches: number };
type PreparedBatch = {
  writes: BatchWrites;
  versions: Map<string, string | null>;
  /** Inventory items read with all their levels: the location ids they are stocked at. */
  stocked: Map<string, Set<string>>;
  rows: number;
};

/** The latest of `versions` (UTC ISO-8601 times; nulls ignored), or null. */
function newestOf(versions: Iterable<string | null>): string | null {
  let newest: string | null = null;
  for (const version of versions) {
    if (version && (newest === null || Date.parse(version) > Date.parse(newest))) newest = version;
  }
  return newest;
}

function isNewer(version: string | null, stored: string | null): boolean {
  if (version === null) return false;
  return stored === null || Date.parse(version) > Date.parse(stored);
}

function statusView(
  resource: string,
  state: SyncStateRow | undefined,
  run: SyncRunRow | undefined,
): ResourceStatus {
  const rowsDone = Number(state?.rows_done ?? 0);
  const rowsTotal =
    state?.rows_total === null || state?.rows_total === undefined ? null : Number(state.rows_total);
  const started = state?.started_at ? Date.parse(state.started_at) : null;
  const end =
    state?.state === 'running' ? Date.now() : state?.finished_at ? Date.parse(state.finished_at) : null;
  const seconds = started !== null && end !== null ? (end - started) / 1000 : 0;
  const rate = seconds > 0 ? Math.round((rowsDone / seconds) * 10) / 10 : null;
  const etaSeconds =
    state?.state === 'running' && rate && rowsTotal !== null
      ? Math.max(0, Math.round((rowsTotal - rowsDone) / rate))
      : null;
  return {
    resource,
    mode: state?.mode ?? null,
    state: state?.state ?? 'idle',
    rowsDone,
    rowsTotal,
    rate,
    etaSeconds,
    cursor: state?.cursor ?? null,
    startedAt: state?.started_at ?? null,
    finishedAt: state?.finished_at ?? null,
    lastError: state?.last_error ?? null,
    lastReconciledAt: state?.last_reconciled_at ?? null,
    lastRun: run
      ? {
          mode: run.mode,
          status: run.status,
          created: run.created,
          updated: run.updated,
          deleted: run.deleted,
          rows: run.rows,
          startedAt: run.started_at,
          finishedAt: run.finished_at,
          error: run.error,
        }
      : null,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
