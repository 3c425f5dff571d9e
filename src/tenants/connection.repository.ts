/**
 * The connection columns of tenant rows (Drizzle): status, method, sealed tokens, scopes, install times.
 * Tokens stay sealed here; only the connection service opens them. The tenants table has no row-level
 * security (it is the list of tenants), so these run as `shopsight_app` through the ORM.
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { tenants } from '../db/schema.ts';
import type { NewTenantRecord, TenantRecord } from './tenant.repository.ts';

/** The columns a connection sets: status, method, sealed tokens and their expiry, scopes, install time. */
export type ConnectionValues = Pick<
  NewTenantRecord,
  | 'connectionStatus'
  | 'connectionMethod'
  | 'accessTokenEncrypted'
  | 'accessTokenExpiresAt'
  | 'refreshTokenEncrypted'
  | 'refreshTokenExpiresAt'
  | 'scopes'
  | 'installedAt'
  | 'uninstalledAt'
>;

/** What Shopify says about the store: kept on the tenant at every connection. */
export type ShopValues = Pick<NewTenantRecord, 'timezone' | 'currency' | 'shopifyShopId'>;

export class ConnectionRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async get(id: string): Promise<TenantRecord | undefined> {
    const [row] = await this.db.orm.select().from(tenants).where(eq(tenants.id, id));
    return row;
  }

  /**
   * Creates the tenant of `shopDomain` connected, or reconnects the existing one in the same statement (a
   * concurrent second install cannot create a duplicate): its data and name are kept; the connection,
   * the store's time zone and currency and the webhook secret are replaced.
   */
  async upsertConnected(
    shopDomain: string,
    name: string,
    values: ConnectionValues & ShopValues & Pick<NewTenantRecord, 'webhookSecretEncrypted'>,
  ): Promise<TenantRecord> {
    const [row] = await this.db.orm
      .insert(tenants)
      .values({ shopDomain, name, ...values })
      .onConflictDoUpdate({ target: tenants.shopDomain, set: { ...values, updatedAt: sql`now()` } })
      .returning();
    return row!;
  }

  /** Sets the connection of an existing tenant; undefined when there is no such tenant. */
  async update(
    id: string,
    values: Partial<ConnectionValues & ShopValues & Pick<NewTenantRecord, 'webhookSecretEncrypted'>>,
  ): Promise<TenantRecord | undefined> {
    const [row] = await this.db.orm
      .update(tenants)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(tenants.id, id))
      .returning();
    return row;
  }
}
