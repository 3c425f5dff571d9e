/**
 * The sync of inventory against the Shopify simulator: a backfill fills locations, inventory items and
 * inventory levels equal to the store's; a level changed, and a level disconnected, in the store while the
 * webhooks were missed are repaired by an incremental sync; a location deleted in the store drops out after reconciliation (and out
 * of the inventory report); the inventory report shows the synced stock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { InventoryResponse } from '../../src/analytics/inventory.routes.ts';
import { SyncService } from '../../src/sync/sync.service.ts';
import { idText } from '../simulator/ids.ts';
import { startSimulator, type Simulator } from '../simulator/server.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const API_SECRET = 'sync-inventory-secret';
const log = pino({ level: 'silent' });

type Level = { item: string; location: string; available: number };

/** Every level the store has now, keyed `item:location`. */
function storeLevels(simulator: Simulator, shop: string): Map<string, Level> {
  const store = simulator.shop(shop).store;
  const levels = new Map<string, Level>();
  for (const { variant } of store.inventoryItems()) {
    const item = BigInt(idText(variant.inventory_item_id));
    for (const level of store.inventory.levels(item, Date.parse(String(variant.updated_at)))) {
      const entry = { item: String(item), location: String(level.locationId), available: level.available };
      levels.set(`${entry.item}:${entry.location}`, entry);
    }
  }
  return levels;
}

describe('inventory sync', () => {
  let simulator: Simulator;
  let app: TestApp;
  let shop: string;
  let tenantId: string;
  let sync: SyncService;

  const dbLevels = async (): Promise<Map<string, Level>> => {
    const rows = await app.db.system.query<{ item: string; location: string; available: number }>(
      `SELECT l.inventory_item_id::text AS item, l.location_id::text AS location, l.available
         FROM inventory_levels l
         JOIN locations loc ON loc.tenant_id = l.tenant_id AND loc.id = l.location_id
        WHERE l.tenant_id = $1 AND loc.deleted_at IS NULL AND l.disconnected_at IS NULL`,
      [tenantId],
    );
    return new Map(rows.map((row) => [`${row.item}:${row.location}`, row]));
  };
  const liveLocations = async () =>
    (
      await app.db.system.query<{ id: string; name: string }>(
        'SELECT id::text, name FROM locations WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id',
        [tenantId],
      )
    ).map((row) => `${row.id} ${row.name}`);
  const storeLocations = () =>
    simulator
      .shop(shop)
      .store.inventory.locations()
      .map((location) => `${idText(location.id)} ${String(location.name)}`);

  before(async () => {
    simulator = await startSimulator({
      apiSecret: API_SECRET,
      // Seed 21 gives three locations.
      shops: [{ seed: 21, orderCount: 40, customerCount: 20, productCount: 12 }],
      // Webhooks go to an address nobody answers: every one is missed.
      delivery: { retryScheduleMs: [] },
    });
    app = await startTestApp({
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_ADMIN_BASE_URL: `${simulator.url}/shops/{shop}`,
      SHOPSIGHT_PUBLIC_URL: 'http://127.0.0.1:9',
    });
    shop = simulator.shops[0]!;
    const tenant = await app.createTenant({ shopDomain: shop });
    const response = await app.api('POST', `/api/v1/tenants/${tenant.id}/connection`, {
      method: 'custom_app',
      accessToken: simulator.issueAccessToken(shop),
      webhookSecret: API_SECRET,
    });
    assert.equal(response.statusCode, 200, response.body);
    tenantId = tenant.id;
    await app.owner.query('UPDATE tenants SET reconcile_interval_minutes = 0 WHERE id = $1', [tenantId]);
    sync = new SyncService(
      app.db,
      app.connections,
      {
        apiVersion: '2026-04',
        adminBaseUrl: app.config.SHOPIFY_ADMIN_BASE_URL,
        batchSize: 25,
        pollMs: { min: 20, max: 200 },
        overlapMs: 60_000,
      },
      log,
    );
  });
  after(async () => {
    await app?.close();
    await simulator?.close();
  });

  it('backfills locations, inventory items and levels equal to the store', async () => {
    await sync.run({ tenantId, resource: 'products', mode: 'backfill' });
    await sync.run({ tenantId, resource: 'inventory', mode: 'backfill' });

    assert.equal(storeLocations().length, 3);
    assert.deepEqual(await liveLocations(), storeLocations());

    const store = simulator.shop(shop).store;
    const items = store.inventoryItems();
    const stored = await app.db.system.query<{ id: string; sku: string | null; cost: string | null }>(
      'SELECT id::text, sku, cost::text FROM inventory_items WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id',
      [tenantId],
    );
    assert.deepEqual(
      stored.map((row) => [row.id, row.sku]),
      items.map(({ variant }) => [idText(variant.inventory_item_id), variant.sku ?? null]),
    );
    for (const [index, row] of stored.entries()) {
      const variant = items[index]!.variant;
      const cost = store.variantCostMinor(BigInt(idText(variant.id)));
      if (cost === null) assert.equal(row.cost, null);
      else
        assert.equal(
          Number(row.cost),
          cost / 10 ** store.generated.context.currency.digits,
          `cost ${row.id}`,
        );
    }

    const expected = storeLevels(simulator, shop);
    assert.equal(expected.size, items.length * 3);
    assert.deepEqual(await dbLevels(), expected);

    const [state] = await app.db.system.query<{ state: string; rows_done: string }>(
      `SELECT state, rows_done::text FROM sync_states WHERE tenant_id = $1 AND resource = 'inventory'`,
      [tenantId],
    );
    assert.equal(state!.state, 'completed');
    assert.equal(Number(state!.rows_done), items.length);
  });

  it('repairs a level changed in the store (webhook missed) with an incremental sync', async () => {
    const store = simulator.shop(shop).store;
    const { variant } = store.inventoryItems()[3]!;
    const item = BigInt(idText(variant.inventory_item_id));
    const location = BigInt(idText(store.inventory.locations()[1]!.id));
    const key = `${item}:${location}`;
    const before = (await dbLevels()).get(key)!.available;
    store.inventory.setAvailable(item, location, before + 17);

    await sync.run({ tenantId, resource: 'inventory', mode: 'incremental' });
    assert.equal((await dbLevels()).get(key)?.available, before + 17);
    assert.deepEqual(await dbLevels(), storeLevels(simulator, shop));
    const [run] = await app.db.system.query<{ mode: string; updated: number; rows: number }>(
      `SELECT mode, updated, rows FROM sync_runs WHERE tenant_id = $1 AND resource = 'inventory'
        ORDER BY id DESC LIMIT 1`,
      [tenantId],
    );
    assert.equal(run!.mode, 'incremental');
    assert.equal(run!.updated, 1, 'only the changed item is newer');
    assert.ok(run!.rows < store.inventoryItems().length, 'the incremental sync reads only what changed');
  });

  it('disconnects a level the store no longer stocks (webhook missed) with an incremental sync', async () => {
    const store = simulator.shop(shop).store;
    const { variant } = store.inventoryItems()[5]!;
    const item = BigInt(idText(variant.inventory_item_id));
    const location = BigInt(idText(store.inventory.locations()[0]!.id));
    assert.ok((await dbLevels()).has(`${item}:${location}`));
    store.inventory.disconnect(item, location);

    await sync.run({ tenantId, resource: 'inventory', mode: 'incremental' });
    assert.ok(!(await dbLevels()).has(`${item}:${location}`));
    assert.deepEqual(await dbLevels(), storeLevels(simulator, shop));
  });

  it('drops a location deleted in the store after reconciliation, and the report shows the synced stock', async () => {
    const store = simulator.shop(shop).store;
    const gone = idText(store.inventory.locations()[2]!.id);
    store.inventory.deleteLocation(BigInt(gone));
    assert.ok((await liveLocations()).some((location) => location.startsWith(gone)));

    await sync.run({ tenantId, resource: 'inventory', mode: 'reconcile' });
    assert.deepEqual(await liveLocations(), storeLocations());
    assert.ok(!(await liveLocations()).some((location) => location.startsWith(gone)));
    const [run] = await app.db.system.query<{ mode: string; deleted: number }>(
      `SELECT mode, deleted FROM sync_runs WHERE tenant_id = $1 AND resource = 'inventory'
        ORDER BY id DESC LIMIT 1`,
      [tenantId],
    );
    assert.deepEqual(run, { mode: 'reconcile', deleted: 1 });

    const response = await app.api('GET', `/api/v1/tenants/${tenantId}/analytics/inventory?days=30`);
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as InventoryResponse;
    const expected = storeLevels(simulator, shop);
    assert.equal(expected.size, store.inventoryItems().length * 2 - 1);
    assert.equal(report.rows.length, expected.size);
    for (const row of report.rows) {
      assert.notEqual(row.locationId, gone);
      assert.equal(
        row.onHand,
        expected.get(`${row.inventoryItemId}:${row.locationId}`)?.available,
        row.sku ?? '',
      );
    }
    assert.equal(
      report.totals.onHand,
      [...expected.values()].reduce((sum, level) => sum + level.available, 0),
    );
  });

  it('is accepted by POST /sync', async () => {
    const response = await app.api('POST', `/api/v1/tenants/${tenantId}/sync`, {
      mode: 'incremental',
      resources: ['inventory'],
    });
    assert.equal(response.statusCode, 202, response.body);
    const resources = (response.json() as { resources: { resource: string; state: string }[] }).resources;
    assert.ok(resources.some((status) => status.resource === 'inventory'));
  });
});
