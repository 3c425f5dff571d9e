/**
 * Database client: one interface over a PostgreSQL server (`pg` pools) and embedded PostgreSQL (PGlite).
 *
 * Tenant isolation is PostgreSQL's row-level security (migration 0003). Nothing here runs as the tables'
 * owner except migrations:
 * - `orm`, `query`, `transaction`, `forTenant` run as `shopsight_app`: on tenant tables they see only the
 *   tenant set by `forTenant`, and nothing without one. API requests use these.
 * - `system` runs as `shopsight_system`, across tenants: the verified-webhook intake, the inbox worker and
 *   maintenance commands.
 * `orm` is the Drizzle query builder; `query`/`transaction` run reviewed SQL for bulk paths and analytics.
 * Whatever the driver, rows come back alike: `bigint` and `numeric` as decimal strings, `timestamptz` as UTC
 * ISO-8601 strings, sessions in UTC.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** Anything SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1..$n` parameters and returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Queries and transactions under one database role. */
export interface Scope extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (rethrown). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Database extends Scope {
  readonly kind: 'postgres' | 'pglite';
  /** Drizzle, as `shopsight_app`. */
  readonly orm: Orm;
  /** As `shopsight_system`: across tenants, for the intake, the worker and maintenance. */
  readonly system: Scope;
  /** Runs `fn` in a transaction as `shopsight_app` that sees and writes only `tenantId`'s rows. */
  forTenant<T>(tenantId: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Applies pending migrations as the owner; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Refreshes the planner's statistics where nothing else does: embedded PGlite has no autovacuum, and
   * without statistics the planner misjudges every range query (a report took 30 s instead of 0.3 s on 100k
   * orders). A PostgreSQL server's autovacuum does it already: a no-op there.
   */
  analyze(): Promise<void>;
  /**
   * Runs SQL as the database owner, for the job queue (pg-boss) that keeps its own schema (`pgboss`).
   * Without `values` the text may hold several statements. Nothing else may use it: it bypasses
   * row-level security.
   */
  ownerSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
}

export const APP_ROLE = 'shopsight_app';
export const SYSTEM_ROLE = 'shopsight_system';
const SET_TENANT = "SELECT set_config('shopsight.tenant_id', $1, true)";

const OID = { int8: 20, numeric: 1700, timestamptz: 1184, timestamp: 1114 } as const;

const toIsoUtc = (value: string) => new Date(value.length === 22 ? `${value}:00` : value).toISOString();

const pgTypes = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === OID.timestamptz) return toIsoUtc;
    if (oid === OID.int8 || oid === OID.numeric) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** A pool whose connections all act as `role` from their start (the `role` startup parameter). */
function rolePool(url: string, size: number, role: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    options: `-c TimeZone=UTC -c role=${role}`,
    types: pgTypes,
  });
  // An idle client losing its connection (e.g. a PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

function poolScope(pool: pg.Pool): Scope {
  return {
    query: async <T>(text: string, params?: unknown[]) =>
      (await pool.query(text, params as unknown[])).rows as T[],
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <T>(text: string, params?: unknown[]) =>
            (await client.query(text, params as unknown[])).rows as T[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/**
 * Connects to a PostgreSQL server. `url` is used for migrations as is (the owner) and, through SET ROLE, for
 * the app and system roles; `poolSize` connections for each role.
 */
export function connectPostgres(url: string, poolSize = 10): Database {
  const appPool = rolePool(url, poolSize, APP_ROLE);
  const systemPool = rolePool(url, poolSize, SYSTEM_ROLE);
  // Opened on first use: only processes that run the job queue need the owner's connections.
  let ownerPool: pg.Pool | undefined;
  const app = poolScope(appPool);
  return {
    kind: 'postgres',
    orm: drizzlePg(appPool, { schema }) as unknown as Orm,
    ...app,
    system: poolScope(systemPool),
    forTenant: (tenantId, fn) =>
      app.transaction(async (tx) => {
        await tx.query(SET_TENANT, [tenantId]);
        return fn(tx);
      }),
    async migrate() {
      const owner = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
      await owner.connect();
      try {
        // One process migrates at a time; the others wait, then find nothing left to apply.
        await owner.query('SELECT pg_advisory_lock(7254001)');
        await migratePg(drizzlePg(owner), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await owner.query('SELECT pg_advisory_unlock(7254001)').catch(() => undefined);
        await owner.end();
      }
    },
    analyze: async () => undefined,
    async ownerSql(text, values) {
      if (!ownerPool) {
        ownerPool = new pg.Pool({ connectionString: url, max: 3, options: '-c TimeZone=UTC' });
        ownerPool.on('error', () => undefined);
      }
      return ownerPool.query(text, values);
    },
    close: async () => {
      const pools = [appPool, systemPool, ...(ownerPool ? [ownerPool] : [])];
      await Promise.all(pools.map((pool) => (pool.ended ? undefined : pool.end())));
    },
  };
}

/**
 * Opens embedded PostgreSQL. `dataDir` undefined means in memory (tests); otherwise the files live there.
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  return pgliteDatabase(await createPglite(dataDir));
}

/** A PGlite instance configured like every Shopsight database (parsers, UTC); `dataDir` undefined = memory. */
export async function createPglite(dataDir?: string): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, {
    parsers: {
      [pgliteTypes.INT8]: (value: string) => value,
      [pgliteTypes.NUMERIC]: (value: string) => value,
      [pgliteTypes.TIMESTAMPTZ]: toIsoUtc,
    },
  });
  await db.exec("SET TIME ZONE 'UTC'");
  return db;
}

/** The Database interface over a PGlite instance made by `createPglite`. */
export function pgliteDatabase(db: PGlite): Database {
  // The session acts as shopsight_app once migrated; system work switches role inside its own transaction.
  // PGlite runs one transaction at a time, so a switched role never leaks into another caller's query.
  const asRole = <T>(role: string, fn: (tx: Queryable) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${role}`);
      return fn({
        query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows,
      });
    });
  const app: Scope = {
    query: (text, params) => asRole(APP_ROLE, (tx) => tx.query(text, params)),
    transaction: (fn) => asRole(APP_ROLE, fn),
  };
  return {
    kind: 'pglite',
    orm: drizzlePglite(db, { schema }) as unknown as Orm,
    ...app,
    system: {
      query: (text, params) => asRole(SYSTEM_ROLE, (tx) => tx.query(text, params)),
      transaction: (fn) => asRole(SYSTEM_ROLE, fn),
    },
    forTenant: (tenantId, fn) =>
      asRole(APP_ROLE, async (tx) => {
        await tx.query(SET_TENANT, [tenantId]);
        return fn(tx);
      }),
    analyze: async () => {
      // One exec: PGlite runs it whole before any other query, so the owner role never leaks.
      await db.exec(`RESET ROLE; ANALYZE; SET ROLE ${APP_ROLE}`);
    },
    migrate: async () => {
      await db.exec('RESET ROLE');
      await migratePglite(drizzlePglite(db), { migrationsFolder: MIGRATIONS_FOLDER });
      await db.exec(`SET ROLE ${APP_ROLE}`);
    },
    ownerSql: (text, values) =>
      db.transaction(async (tx) => {
        // The session acts as shopsight_app; the owner's role holds for this transaction only. pg-boss sends
        // its multi-statement commands wrapped in BEGIN/COMMIT: they run inside this transaction instead.
        await tx.query('SET LOCAL ROLE postgres');
        if (values && values.length > 0) return { rows: (await tx.query(text, values)).rows };
        const unwrapped = text.replace(/^\s*BEGIN\s*;/i, '').replace(/COMMIT\s*;?\s*$/i, '');
        const results = await tx.exec(unwrapped);
        return { rows: results.at(-1)?.rows ?? [] };
      }),
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}

/** Opens the configured database: the server at `databaseUrl`, else PGlite under `dataDir/pglite`. */
export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
}): Promise<Database> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, options.poolSize);
  return openPglite(join(options.dataDir, 'pglite'));
}
