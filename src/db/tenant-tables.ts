/**
 * The tenant tables: every table of the public schema with a `tenant_id` column, read from the catalog so
 * that a new table is never left out of a check, a benchmark or an erasure.
 */
import type { Queryable } from './client.ts';

/** Names of the tables that hold tenant data, sorted. Needs a role that can read the catalog (any role can). */
export async function tenantTables(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name`,
  );
  return rows.map((row) => row.table_name);
}
