/**
 * Tenant isolation by PostgreSQL's row-level security, on the application's own connections: a query that
 * forgets its tenant filter sees nothing of another tenant, and no write can cross tenants.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { orderBody } from '../helpers/factories.ts';

const SECRET = 'rls-secret';

describe('row-level security', () => {
  let app: TestApp;
  let a: string;
  let b: string;
  before(async () => {
    app = await startTestApp();
    a = (await app.createTenant({ shopDomain: 'rls-a.myshopify.com', webhookSecret: SECRET })).id;
    b = (await app.createTenant({ shopDomain: 'rls-b.myshopify.com', webhookSecret: SECRET })).id;
    for (const shopDomain of ['rls-a.myshopify.com', 'rls-b.myshopify.com']) {
      for (let i = 0; i < 3; i += 1) {
        const response = await app.deliver({
          shopDomain,
          secret: SECRET,
          topic: 'orders/create',
          body: orderBody().json,
        });
        assert.equal(response.statusCode, 200);
      }
    }
    await app.drain();
  });
  after(() => app.close());

  it('runs the application as a role that owns no table and cannot bypass row-level security', async () => {
    const [role] = await app.db.query<{
      current_user: string;
      rolsuper: boolean;
      rolbypassrls: boolean;
      owns: string;
    }>(
      `SELECT current_user, r.rolsuper, r.rolbypassrls,
              (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user)::text AS owns
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    assert.deepEqual(role, {
      current_user: 'shopsight_app',
      rolsuper: false,
      rolbypassrls: false,
      owns: '0',
    });
  });

  it('enables and forces row-level security on every table with a tenant_id', async () => {
    const tables = await app.owner.query<{ relname: string; enabled: boolean; forced: boolean }>(
      `SELECT c.relname, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       ORDER BY c.relname`,
    );
    assert.ok(tables.length >= 11, `found ${tables.length} tenant tables`);
    for (const table of tables)
      assert.deepEqual([table.relname, table.enabled, table.forced], [table.relname, true, true]);
  });

  it('shows nothing to an unscoped SELECT without a tenant', async () => {
    for (const table of ['orders', 'order_line_items', 'customers', 'webhook_events']) {
      const [row] = await app.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      assert.equal(row!.n, '0', table);
    }
  });

  it("shows only the scoped tenant's rows to a deliberately unscoped SELECT", async () => {
    const seen = await app.db.forTenant(a, (tx) =>
      tx.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id::text FROM orders'),
    );
    assert.deepEqual(seen, [{ tenant_id: a }]);
    const lines = await app.db.forTenant(b, (tx) =>
      tx.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id::text FROM order_line_items'),
    );
    assert.deepEqual(lines, [{ tenant_id: b }]);
    const [all] = await app.db.system.query<{ n: string }>(
      'SELECT count(DISTINCT tenant_id)::text AS n FROM orders',
    );
    assert.equal(all!.n, '2', 'both tenants have orders');
  });

  it("refuses to write or change another tenant's rows from a tenant's transaction", async () => {
    await assert.rejects(
      app.db.forTenant(a, (tx) =>
        tx.query(`INSERT INTO customers (tenant_id, id, raw) VALUES ($1, 1, '{}')`, [b]),
      ),
      /row-level security/,
    );
    const changed = await app.db.forTenant(a, (tx) =>
      tx.query(`UPDATE orders SET name = 'x' WHERE tenant_id = $1 RETURNING id`, [b]),
    );
    assert.equal(changed.length, 0);
    const deleted = await app.db.forTenant(a, (tx) =>
      tx.query('DELETE FROM orders WHERE tenant_id = $1 RETURNING id', [b]),
    );
    assert.equal(deleted.length, 0);
    const [kept] = await app.db.forTenant(b, (tx) =>
      tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM orders WHERE name = 'x'`),
    );
    assert.equal(kept!.n, '0');
  });
});
