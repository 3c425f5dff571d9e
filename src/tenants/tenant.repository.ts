/**
 * Tenant rows (Drizzle). The webhook secret stays sealed here; only the service opens it.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { tenants } from '../db/schema.ts';

export type TenantRecord = typeof tenants.$inferSelect;
export type NewTenantRecord = typeof tenants.$inferInsert;

export class TenantRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  private get orm() {
    return this.db.orm;
  }

  /** Inserts a tenant and, when `ownerUserId` is given, its owner membership, in one transaction. */
  async insert(values: NewTenantRecord, ownerUserId?: string): Promise<TenantRecord> {
    const [row] = await this.orm.insert(tenants).values(values).returning();
    if (ownerUserId) {
      try {
        await this.db.forTenant(row!.id, (tx) =>
          tx.query(`INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, 'owner')`, [
            row!.id,
            ownerUserId,
          ]),
        );
      } catch (error) {
        await this.orm.delete(tenants).where(eq(tenants.id, row!.id));
        throw error;
      }
    }
    return row!;
  }

  /** Tenants, all of them or those a user is a member of, or one tenant. */
  async list(scope?: { userId: string } | { tenantId: string }): Promise<TenantRecord[]> {
    let ids: string[] | undefined;
    if (scope && 'userId' in scope) {
      const rows = await this.db.system.query<{ tenant_id: string }>(
        'SELECT tenant_id::text FROM memberships WHERE user_id = $1',
        [scope.userId],
      );
      ids = rows.map((row) => row.tenant_id);
    } else if (scope) {
      ids = [scope.tenantId];
    }
    const query = this.orm.select().from(tenants);
    const filtered =
      ids === undefined
        ? query
        : query.where(inArray(tenants.id, ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000']));
    return filtered.orderBy(asc(tenants.createdAt), asc(tenants.id));
  }

  async get(id: string): Promise<TenantRecord | undefined> {
    const [row] = await this.orm.select().from(tenants).where(eq(tenants.id, id));
    return row;
  }

  async update(id: string, values: Partial<NewTenantRecord>): Promise<TenantRecord | undefined> {
    const [row] = await this.orm
      .update(tenants)
      .set({ ...values, updatedAt: new Date().toISOString() })
      .where(eq(tenants.id, id))
      .returning();
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.orm.delete(tenants).where(eq(tenants.id, id)).returning({ id: tenants.id });
    return rows.length > 0;
  }
}
