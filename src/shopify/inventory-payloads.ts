/**
 * Zod schemas of the inventory and location webhook bodies (shopify.dev/docs/api/webhooks:
 * inventory_items/*, inventory_levels/*, locations/*), which send the REST InventoryItem, InventoryLevel and
 * Location resources. Loose objects, same conventions as src/shopify/payloads.ts.
 */
import { z } from 'zod';
import { money, shopifyId, timestamp } from './payloads.ts';

const optionalText = z.string().nullish();

/** inventory_items/create and inventory_items/update. `cost` is the unit cost in shop currency. */
export const inventoryItemPayload = z.looseObject({
  id: shopifyId,
  sku: optionalText,
  cost: money.nullish(),
  tracked: z.boolean().nullish(),
  requires_shipping: z.boolean().nullish(),
  country_code_of_origin: optionalText,
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
});

/**
 * inventory_levels/connect and inventory_levels/update: the available quantity of an item at a location
 * (null when the item is not tracked). inventory_levels/disconnect sends the two ids only.
 */
export const inventoryLevelPayload = z.looseObject({
  inventory_item_id: shopifyId,
  location_id: shopifyId,
  available: z.number().int().min(-1_000_000_000).max(1_000_000_000).nullish(),
  updated_at: timestamp.nullish(),
});

/** locations/create and locations/update. */
export const locationPayload = z.looseObject({
  id: shopifyId,
  name: optionalText,
  active: z.boolean().nullish(),
  address1: optionalText,
  city: optionalText,
  province: optionalText,
  country_code: optionalText,
  zip: optionalText,
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
});
