/**
 * A shop's locations and inventory levels, laid over its products: every product variant's inventory item
 * (REST `inventory_item_id`) is stocked at every location with an `available` quantity that depends only
 * on the seed, the item and the location, until a change sets it. Locations are few (two or three per shop,
 * by seed); the first is the shop's own (`context.locationId`, the one orders are placed at).
 *
 * Changes emit what Shopify sends (shopify.dev/docs/api/webhooks?reference=toml: `inventory_levels/update`,
 * `locations/delete`) with REST bodies (REST InventoryLevel, Location).
 */
import type { GeneratedStore } from './generator.ts';
import { idText, jsonInt } from './ids.ts';
import { entityRandom } from './random.ts';
import type { RestRecord } from './rest-shapes.ts';
import type { Emit } from './store.ts';

const LOCATION_NAMES = ['Main warehouse', 'Downtown store', 'Outlet'];
const STREAM_LEVEL = 0x1e7e1;

/** A location as REST's Location (the shape of locations/* webhooks), plus its country's name. */
export type LocationRecord = RestRecord & { id: ReturnType<typeof jsonInt> };

/** One inventory item at one location: REST InventoryLevel with its `updated_at`. */
export type LevelRecord = {
  inventoryItemId: bigint;
  locationId: bigint;
  available: number;
  updatedMs: number;
};

export type ShopInventory = ReturnType<typeof createInventory>;

/**
 * The inventory of `generated`. `now` gives the time of changes (Unix ms), `emit` receives their webhooks.
 */
export function createInventory(generated: GeneratedStore, options: { now: () => number; emit: Emit }) {
  const { context, params } = generated;
  const { now, emit } = options;
  const createdMs = Date.parse(`${params.startDate}T00:00:00Z`) - 400 * 86_400_000;
  const count = 2 + (params.seed % 2);
  const locations = new Map<bigint, LocationRecord>();
  for (let k = 0; k < count; k++) {
    const id = context.locationId + BigInt(k) * 10_000n;
    const region = context.country.regions[
      k % context.country.regions.length
    ] as (typeof context.country.regions)[number];
    const at = new Date(createdMs + k * 86_400_000).toISOString();
    locations.set(id, {
      id: jsonInt(id),
      name: LOCATION_NAMES[k] as string,
      active: true,
      address1: region.street,
      address2: null,
      city: region.city,
      province: region.province,
      province_code: region.provinceCode,
      country_code: context.country.code,
      country_name: context.country.name,
      zip: region.zip,
      phone: null,
      legacy: false,
      created_at: at,
      updated_at: at,
      admin_graphql_api_id: `gid://shopify/Location/${id}`,
    });
  }
  const changedLevels = new Map<string, LevelRecord>();
  const disconnected = new Set<string>();
  /** Latest level change of an item (Unix ms): the simulator dates the item's `updatedAt` after it. */
  const itemTouched = new Map<bigint, number>();
  const levelKey = (item: bigint, location: bigint) => `${item}:${location}`;

  /** The level of an item at a location; `baseMs` dates a level never changed (the variant's update). */
  function level(item: bigint, location: bigint, baseMs: number): LevelRecord {
    const changed = changedLevels.get(levelKey(item, location));
    if (changed) return changed;
    const random = entityRandom(params.seed, STREAM_LEVEL, Number((item * 31n + location) % 2_147_483_647n));
    return { inventoryItemId: item, locationId: location, available: random.int(0, 120), updatedMs: baseMs };
  }

  return {
    /** Locations not deleted, in id order. */
    locations(): LocationRecord[] {
      return [...locations.values()].sort((a, b) => (BigInt(idText(a.id)) < BigInt(idText(b.id)) ? -1 : 1));
    },
    location(id: bigint): LocationRecord | undefined {
      return locations.get(id);
    },
    /** The levels of an item at every location it is stocked at, in location id order. */
    levels(item: bigint, baseMs: number): LevelRecord[] {
      return this.locations()
        .map((location) => BigInt(idText(location.id)))
        .filter((location) => !disconnected.has(levelKey(item, location)))
        .map((location) => level(item, location, baseMs));
    },
    /** When the item last changed: its variant's update or its latest level change (Unix ms). */
    itemUpdatedMs(item: bigint, variantUpdatedMs: number): number {
      return Math.max(variantUpdatedMs, itemTouched.get(item) ?? 0);
    },
    /** Sets the available quantity of an item at a location; sends inventory_levels/update. */
    setAvailable(item: bigint, location: bigint, available: number): LevelRecord {
      if (!locations.has(location)) throw new Error(`no location ${location}`);
      const record = { inventoryItemId: item, locationId: location, available, updatedMs: now() };
      changedLevels.set(levelKey(item, location), record);
      itemTouched.set(item, record.updatedMs);
      emit('inventory_levels/update', levelJson(record));
      return record;
    },
    /** Stops stocking an item at a location; sends inventory_levels/disconnect. */
    disconnect(item: bigint, location: bigint) {
      if (!locations.has(location)) throw new Error(`no location ${location}`);
      disconnected.add(levelKey(item, location));
      changedLevels.delete(levelKey(item, location));
      itemTouched.set(item, now());
      emit('inventory_levels/disconnect', {
        inventory_item_id: jsonInt(item),
        location_id: jsonInt(location),
      });
    },
    /** Deletes a location (its levels go with it); sends locations/delete. */
    deleteLocation(id: bigint) {
      if (!locations.delete(id)) throw new Error(`no location ${id}`);
      emit('locations/delete', { id: jsonInt(id) });
    },
  };
}

/** A level as REST's InventoryLevel (inventory_levels/* webhooks). */
export function levelJson(level: LevelRecord): RestRecord {
  return {
    inventory_item_id: jsonInt(level.inventoryItemId),
    location_id: jsonInt(level.locationId),
    available: level.available,
    updated_at: new Date(level.updatedMs).toISOString(),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${level.locationId}?inventory_item_id=${level.inventoryItemId}`,
  };
}
