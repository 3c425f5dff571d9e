/**
 * Test databases. With `TEST_DATABASE_URL` (a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres)
 * every test file gets a fresh database of its own, created and migrated here and dropped afterwards;
 * without it, an in-memory PGlite. A guard refuses to create or drop any database whose name does not say
 * it is a test database.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  connectPostgres,
  createPglite,
  pgliteDatabase,
  type Database,
  type Queryable,
} from '../../src/db/client.ts';

/**
 * `db` is what Shopsight uses (app and system roles, row-level security in force); `owner` acts as the
 * tables' owner, for tests that change the schema to inject faults.
 */
export type TestDatabase = { db: Database; owner: Queryable; url: string | undefined; drop(): Promise<void> };

/** Which backend the suite runs on: `postgres` when TEST_DATABASE_URL is set, else `pglite`. */
export const backend: 'postgres' | 'pglite' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** Throws unless `name` marks a test database (the word `test` between underscores or at an end). */
export function assertTestDatabaseName(name: string) {
  if (!/(^|_)test(_|$)/.test(name)) {
    throw new Error(`refusing to touch database "${name}": its name does not mark it as a test database`);
  }
}

/** A fresh, migrated database for one test file. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const pglite = await createPglite();
    const db = pgliteDatabase(pglite);
    await db.migrate();
    const owner: Queryable = {
      query: (text, params) =>
        pglite.transaction(async (tx) => {
          await tx.query('SET LOCAL ROLE postgres');
          return (await tx.query<never>(text, params)).rows;
        }),
    };
    return { db, owner, url: undefined, drop: () => db.close() };
  }
  const name = `shopsight_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  assertTestDatabaseName(name);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = connectPostgres(url.toString(), 8);
  await db.migrate();
  const ownerPool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // DROP DATABASE ... WITH (FORCE) ends idle connections; that must not surface as an uncaught error.
  ownerPool.on('error', () => undefined);
  return {
    db,
    owner: { query: async (text, params) => (await ownerPool.query(text, params)).rows },
    url: url.toString(),
    async drop() {
      await db.close().catch(() => undefined);
      await ownerPool.end().catch(() => undefined);
      assertTestDatabaseName(name);
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
