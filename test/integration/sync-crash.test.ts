/**
 * A worker dying in the middle of a backfill. On PostgreSQL a real worker process (`createApp` in the
 * worker role, running the queued job) is killed with SIGKILL after its first committed batches; on
 * PGlite (one process) the run stalls forever after three batches, as a dead worker's would. While the
 * dead run's lease holds, no other run starts; once it has expired the sync is taken over (on PostgreSQL
 * by a restarted worker process, through the job queue) and resumes after the last committed JSONL line:
 * the store's totals, no duplicates, and exactly one row written per order.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import Big from 'big.js';
import { pino } from 'pino';
import { SyncQueue } from '../../src/sync/jobs.ts';
import { SyncBusyError } from '../../src/sync/sync.repository.ts';
import { SyncService, type SyncJob } from '../../src/sync/sync.service.ts';
import { groundTruth } from '../simulator/generator.ts';
import type { RestRecord } from '../simulator/rest-shapes.ts';
import { startSimulator, type Simulator } from '../simulator/server.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { backend } from '../helpers/database.ts';

const API_SECRET = 'sync-crash-secret';
const ORDERS = 1500;
const BATCH = 100;
const log = pino({ level: 'silent' });

describe('a worker killed in the middle of a backfill', () => {
  let simulator: Simulator;
  let app: TestApp;
  let tenantId: string;
  const children: ChildProcess[] = [];

  before(async () => {
    simulator = await startSimulator({
      apiSecret: API_SECRET,
      shops: [{ seed: 21, orderCount: ORDERS, customerCount: 200, productCount: 10 }],
      delivery: { retryScheduleMs: [] },
    });
    app = await startTestApp({
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_ADMIN_BASE_URL: `${simulator.url}/shops/{shop}`,
      SHOPSIGHT_PUBLIC_URL: 'http://127.0.0.1:9',
      SHOPSIGHT_SYNC_BATCH_SIZE: String(BATCH),
    });
    // This process only watches: the worker processes (or the runs below) do the work.
    await app.jobs.stop();
    const shop = simulator.shops[0]!;
    tenantId = (await app.createTenant({ shopDomain: shop })).id;
    const connected = await app.api('POST', `/api/v1/tenants/${tenantId}/connection`, {
      method: 'custom_app',
      accessToken: simulator.issueAccessToken(shop),
      webhookSecret: API_SECRET,
    });
    assert.equal(connected.statusCode, 200, connected.body);
    await app.owner.query('UPDATE tenants SET reconcile_interval_minutes = 0 WHERE id = $1', [tenantId]);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await app?.close();
    await simulator?.close();
  });

  const job = (): SyncJob => ({ tenantId, resource: 'orders', mode: 'backfill' });

  async function state() {
    const [row] = await app.db.system.query<{ state: string; lines_committed: string; rows_done: string }>(
      `SELECT state, lines_committed::text, rows_done::text FROM sync_states
        WHERE tenant_id = $1 AND resource = 'orders'`,
      [tenantId],
    );
    return row;
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 40_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [new URL('./sync-worker-child.ts', import.meta.url).pathname], {
      env: {
        ...process.env,
        DATABASE_URL: app.databaseUrl,
        SHOPSIGHT_ENCRYPTION_KEY: app.config.SHOPSIGHT_ENCRYPTION_KEY,
        SHOPSIGHT_ADMIN_TOKEN: app.token,
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_ADMIN_BASE_URL: app.config.SHOPIFY_ADMIN_BASE_URL,
        SHOPSIGHT_PUBLIC_URL: 'http://127.0.0.1:9',
        SHOPSIGHT_SYNC_BATCH_SIZE: String(BATCH),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  it('resumes after the lease expires, from the committed line, to the store totals', async () => {
    let stalled: Promise<void> | null = null;
    if (backend === 'postgres') {
      const sender = new SyncQueue(app.db, log);
      await sender.start();
      await sender.enqueue({ ...job(), requestedAt: new Date().toISOString() });
      await sender.stop();
      const worker = startWorker();
      await until('two committed batches', async () => Number((await state())?.rows_done ?? 0) >= 2 * BATCH);
      worker.kill('SIGKILL');
      await once(worker, 'exit');
    } else {
      const dying = new SyncService(
        app.db,
        app.connections,
        {
          apiVersion: '2026-04',
          adminBaseUrl: app.config.SHOPIFY_ADMIN_BASE_URL,
          batchSize: BATCH,
          pollMs: { min: 20, max: 200 },
        },
        log,
        { afterBatch: (_job, batch) => (batch === 3 ? new Promise<void>(() => undefined) : undefined) },
      );
      stalled = dying.run(job());
      await until(
        'three committed batches',
        async () => Number((await state())?.rows_done ?? 0) >= 3 * BATCH,
      );
    }
    const interrupted = await state();
    assert.equal(interrupted!.state, 'running');
    const committed = Number(interrupted!.rows_done);
    assert.ok(committed < ORDERS, `interrupted after ${committed} orders`);

    // The dead run still holds its lease: nothing else may start.
    await assert.rejects(app.sync.run(job()), SyncBusyError);
    // Its lease runs out (as five minutes without a touch would).
    await app.owner.query(
      `UPDATE sync_states SET updated_at = now() - interval '10 minutes' WHERE tenant_id = $1 AND resource = 'orders'`,
      [tenantId],
    );

    if (backend === 'postgres') {
      // A restarted worker finds the orphaned sync, releases its dead job and runs it again.
      startWorker();
      await until('the resumed backfill', async () => (await state())?.state === 'completed', 60_000);
    } else {
      await new SyncService(
        app.db,
        app.connections,
        {
          apiVersion: '2026-04',
          adminBaseUrl: app.config.SHOPIFY_ADMIN_BASE_URL,
          batchSize: BATCH,
          pollMs: { min: 20, max: 200 },
        },
        log,
      ).run(job());
      assert.ok(stalled, 'the stalled run never returns');
    }

    const done = await state();
    assert.equal(done!.state, 'completed');
    // Resumed after the committed line: each order written once across the two runs.
    assert.equal(done!.rows_done, String(ORDERS));

    const orders: RestRecord[] = [];
    const store = simulator.store;
    for (let index = 0; index < store.orders.length; index++) orders.push(store.orders.get(index)!.order);
    const truth = groundTruth(orders);
    const [got] = await app.db.system.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1)::text AS orders,
              (SELECT count(*) FROM refunds WHERE tenant_id = $1)::text AS refunds,
              (SELECT sum(total_price) FROM orders WHERE tenant_id = $1)::text AS total,
              (SELECT sum(price * quantity) FROM order_line_items WHERE tenant_id = $1)::text AS line_items`,
      [tenantId],
    );
    assert.equal(Number(got!.orders), truth.orders);
    assert.equal(Number(got!.refunds), truth.refunds);
    assert.ok(new Big(got!.total!).eq(truth.totalPrice), `total ${got!.total} != ${truth.totalPrice}`);
    assert.ok(new Big(got!.line_items!).eq(truth.lineItemsTotal), `line items ${got!.line_items}`);
  });

  it('runs the operation again when Shopify no longer has the one to resume, from its first line', async () => {
    const crashing = new SyncService(
      app.db,
      app.connections,
      {
        apiVersion: '2026-04',
        adminBaseUrl: app.config.SHOPIFY_ADMIN_BASE_URL,
        batchSize: BATCH,
        pollMs: { min: 20, max: 200 },
      },
      log,
      {
        afterBatch: (_job, batch) => {
          if (batch === 2) throw new Error('injected crash');
        },
      },
    );
    await assert.rejects(crashing.run(job()), /injected crash/);
    assert.equal((await state())!.rows_done, String(2 * BATCH));
    // The operation expired at Shopify (node(id) answers null), as the backfill would find it days later.
    await app.owner.query(
      `UPDATE sync_states SET bulk_operation_id = 'gid://shopify/BulkOperation/999999999'
        WHERE tenant_id = $1 AND resource = 'orders'`,
      [tenantId],
    );
    await new SyncService(
      app.db,
      app.connections,
      {
        apiVersion: '2026-04',
        adminBaseUrl: app.config.SHOPIFY_ADMIN_BASE_URL,
        batchSize: BATCH,
        pollMs: { min: 20, max: 200 },
      },
      log,
    ).run(job());
    const [row] = await app.db.system.query<{ state: string; rows_done: string; bulk: string | null }>(
      `SELECT state, rows_done::text, bulk_operation_id AS bulk FROM sync_states
        WHERE tenant_id = $1 AND resource = 'orders'`,
      [tenantId],
    );
    assert.deepEqual(row, { state: 'completed', rows_done: String(ORDERS), bulk: null });
    const [count] = await app.db.system.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM orders WHERE tenant_id = $1',
      [tenantId],
    );
    assert.equal(Number(count!.n), ORDERS);
  });
});
