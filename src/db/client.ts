/**
 * Database client: one interface over a PostgreSQL server (`pg` pool) and embedded PostgreSQL (PGlite).
 *
 * `orm` is the Drizzle query builder for ordinary reads and writes; `query`/`transaction` run reviewed SQL
 * for bulk paths (inbox writes, normalizer upserts, analytics). Whatever the driver, rows come back alike:
 * `bigint` and `numeric` as decimal strings, `timestamptz` as UTC ISO-8601 strings, sessions in UTC.
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

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  readonly orm: Orm;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (rethrown). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const OID = { int8: 20, numeric: 1700, timestamptz: 1184, timestamp: 1114 } as const;

const toIsoUtc = (value: string) => new Date(value.length === 22 ? `${value}:00` : value).toISOString();

/** Connects to a PostgreSQL server. */
export function connectPostgres(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: '-c TimeZone=UTC',
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === OID.timestamptz) return toIsoUtc;
        if (oid === OID.int8 || oid === OID.numeric) return (value: string) => value;
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection (e.g. a PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  const orm = drizzlePg(pool, { schema }) as unknown as Orm;
  const query = async <T>(text: string, params?: unknown[]) =>
    (await pool.query(text, params as unknown[])).rows as T[];
  return {
    kind: 'postgres',
    orm,
    query,
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
    async migrate() {
      const client = await pool.connect();
      try {
        // One process migrates at a time; the others wait, then find nothing left to apply.
        await client.query('SELECT pg_advisory_lock(7254001)');
        await migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('SELECT pg_advisory_unlock(7254001)').catch(() => undefined);
        client.release();
      }
    },
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
}

/**
 * Opens embedded PostgreSQL. `dataDir` undefined means in memory (tests); otherwise the files live there.
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, {
    parsers: {
      [pgliteTypes.INT8]: (value: string) => value,
      [pgliteTypes.NUMERIC]: (value: string) => value,
      [pgliteTypes.TIMESTAMPTZ]: toIsoUtc,
    },
  });
  await db.exec("SET TIME ZONE 'UTC'");
  const orm = drizzlePglite(db, { schema }) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows }),
      ),
    migrate: async () => {
      await migratePglite(drizzlePglite(db), { migrationsFolder: MIGRATIONS_FOLDER });
    },
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
