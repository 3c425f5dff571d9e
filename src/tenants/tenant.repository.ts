/**
 * Tenant rows (Drizzle). The webhook secret stays sealed here; only the service opens it.
 */
import { asc, eq } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { tenants } from '../db/schema.ts';

export type TenantRecord = typeof tenants.$inferSelect;
export type NewTenantRecord = typeof tenants.$inferInsert;

export class TenantRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async insert(values: NewTenantRecord): Promise<TenantRecord> {
    const [row] = await this.orm.insert(tenants).values(values).returning();
    return row!;
  }

  list(): Promise<TenantRecord[]> {
    return this.orm.select().from(tenants).orderBy(asc(tenants.createdAt), asc(tenants.id));
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
