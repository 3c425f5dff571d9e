/**
 * The webhook intake's directory of shops: shop domain -> tenant id and opened webhook secret, held in
 * memory. The intake must not run any lookup keyed on an unverified header before the HMAC check, so it asks
 * this map, never the database. The map is reloaded after every tenant change in this process and every
 * `ttlMs` otherwise (a tenant created through another process is known here within that time; until then
 * its deliveries answer 401 and Shopify retries them).
 */
import type { Database } from '../db/client.ts';
import type { SecretBox } from '../lib/crypto.ts';

export type ShopEntry = { tenantId: string; secret: string | undefined };

export class TenantDirectory {
  private shops = new Map<string, ShopEntry>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private readonly db: Database;
  private readonly secrets: SecretBox;
  private readonly appSecret: string | undefined;
  private readonly ttlMs: number;

  /**
   * @param appSecret `SHOPIFY_API_SECRET`, the secret of tenants that have none of their own.
   * @param ttlMs how long a loaded map is trusted before the next reload.
   */
  constructor(db: Database, secrets: SecretBox, appSecret: string | undefined, ttlMs: number) {
    this.db = db;
    this.secrets = secrets;
    this.appSecret = appSecret;
    this.ttlMs = ttlMs;
  }

  /** The shop's tenant and secret, or undefined for an unknown shop. Reloads in the background when stale. */
  lookup(shopDomain: string): ShopEntry | undefined {
    if (Date.now() - this.loadedAt > this.ttlMs) void this.refresh().catch(() => undefined);
    return this.shops.get(shopDomain.toLowerCase());
  }

  /** Reloads the map from the database now (one reload at a time). */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load() {
    const rows = await this.db.system.query<{
      id: string;
      shop_domain: string;
      webhook_secret_encrypted: string | null;
    }>('SELECT id::text, shop_domain, webhook_secret_encrypted FROM tenants');
    const shops = new Map<string, ShopEntry>();
    for (const row of rows) {
      let secret: string | undefined = this.appSecret;
      if (row.webhook_secret_encrypted) {
        try {
          secret = this.secrets.open(row.webhook_secret_encrypted);
        } catch {
          // Sealed with a key this process lacks (SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS not set after a rotation):
          // that shop's deliveries answer 401 and Shopify retries them; every other shop keeps working.
          secret = undefined;
        }
      }
      shops.set(row.shop_domain, { tenantId: row.id, secret });
    }
    this.shops = shops;
    this.loadedAt = Date.now();
  }
}
