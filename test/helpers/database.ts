/**
 * Test databases. With `TEST_DATABASE_URL` (a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres)
 * every test file gets a fresh database of its own, created and migrated here and dropped afterwards;
 * without it, an in-memory PGlite. A guard refuses to create or drop any database whose name does not say
 * it is a test database.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectPostgres, openPglite, type Database } from '../../src/db/client.ts';

export type TestDatabase = { db: Database; url: string | undefined; drop(): Promise<void> };

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
    const db = await openPglite();
    await db.migrate();
    return { db, url: undefined, drop: () => db.close() };
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
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close().catch(() => undefined);
      assertTestDatabaseName(name);
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
