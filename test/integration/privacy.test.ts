/**
 * Shop lifecycle and Shopify's mandatory privacy topics, end to end (signed webhook -> inbox -> worker):
 * a bad signature stores nothing; app/uninstalled disconnects and wipes tokens but keeps data;
 * customers/data_request stores an export for the owner; customers/redact leaves no personal value of the
 * customer in any column of any tenant table (raw JSON and inbox payloads included) while the analytics
 * stay the same; shop/redact leaves only the documented tombstone. Each action is audited.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { customerBody, newId, orderBody, refundBody } from '../helpers/factories.ts';

const SECRET = 'privacy-secret';
const SHOP = 'privacy-shop.myshopify.com';
const UNINSTALL_SHOP = 'uninstall-shop.myshopify.com';
const REDACT_SHOP = 'redact-shop.myshopify.com';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/shopify/${name}`, import.meta.url), 'utf8');

/** Values that appear nowhere else, so that finding one anywhere means it was not erased. */
const PERSONAL = {
  email: 'Zebedee.Quill.7731@example.net',
  phone: '+15550197731',
  firstName: 'Zebedeeus',
  lastName: 'Quillfeatherby',
  address: '42 Marrowbone Lane',
  city: 'Glimmerwick',
  zip: 'GW7 3QX',
  orderNote: 'leave it with Mrs Thistlewood',
  property: 'Engrave: for Quillfeatherby',
  noteAttribute: 'gift-for-Thistlewood',
  browserIp: '203.0.113.77',
  refundNote: 'refunded after call with Thistlewood',
  tag: 'vip-quill-7731',
};

/** An order of the customer with personal data wherever Shopify puts it. */
function personalOrder(customerId: string, refundOf?: boolean) {
  const base = orderBody({
    customerId,
    processedAt: '2025-03-10T12:00:00Z',
    lines: [{ price: '40.00', quantity: 2 }],
  });
  const body = JSON.parse(base.json);
  const address = {
    first_name: PERSONAL.firstName,
    last_name: PERSONAL.lastName,
    name: `${PERSONAL.firstName} ${PERSONAL.lastName}`,
    address1: PERSONAL.address,
    city: PERSONAL.city,
    zip: PERSONAL.zip,
    phone: PERSONAL.phone,
    country_code: 'GB',
  };
  Object.assign(body, {
    email: PERSONAL.email,
    contact_email: PERSONAL.email,
    phone: PERSONAL.phone,
    note: PERSONAL.orderNote,
    note_attributes: [{ name: 'gift', value: PERSONAL.noteAttribute }],
    browser_ip: PERSONAL.browserIp,
    client_details: { browser_ip: PERSONAL.browserIp, user_agent: 'Mozilla' },
    billing_address: address,
    shipping_address: address,
    customer: {
      id: Number(customerId),
      email: PERSONAL.email,
      phone: PERSONAL.phone,
      first_name: PERSONAL.firstName,
      last_name: PERSONAL.lastName,
      tags: PERSONAL.tag,
      default_address: address,
    },
  });
  body.line_items[0].properties = [{ name: 'Engraving', value: PERSONAL.property }];
  const refund = refundOf
    ? JSON.parse(
        refundBody({
          orderId: base.id,
          processedAt: '2025-03-12T12:00:00Z',
          lines: [{ lineItemId: base.lineIds[0]!, quantity: 1, subtotal: '40.00' }],
        }).json,
      )
    : undefined;
  if (refund) refund.note = PERSONAL.refundNote;
  return { id: base.id, json: JSON.stringify(body), refundJson: refund && JSON.stringify(refund) };
}

describe('privacy and lifecycle webhooks', () => {
  let app: TestApp;
  let tenantId: string;
  let uninstallTenantId: string;
  let redactTenantId: string;
  before(async () => {
    app = await startTestApp();
    tenantId = (await app.createTenant({ shopDomain: SHOP, webhookSecret: SECRET })).id;
    uninstallTenantId = (await app.createTenant({ shopDomain: UNINSTALL_SHOP, webhookSecret: SECRET })).id;
    redactTenantId = (await app.createTenant({ shopDomain: REDACT_SHOP, webhookSecret: SECRET })).id;
  });
  after(() => app.close());

  const send = async (topic: string, body: string, shopDomain = SHOP, triggeredAt?: string) => {
    const response = await app.deliver({
      shopDomain,
      secret: SECRET,
      topic,
      body,
      ...(triggeredAt && { triggeredAt }),
    });
    assert.equal(response.statusCode, 200, response.body);
  };

  const auditActions = async (tenant: string) =>
    (
      await app.db.system.query<{ action: string; actor: string }>(
        'SELECT action, actor FROM audit_events WHERE tenant_id = $1 ORDER BY id',
        [tenant],
      )
    ).filter((row) => row.action.startsWith('privacy.') || row.action === 'app.uninstalled');

  /** Every tenant table (those with a `tenant_id` column), read from the catalog. */
  const tenantTables = async () =>
    (
      await app.db.system.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`,
      )
    ).map((row) => row.table_name);

  const summary = async (tenant: string) => {
    const response = await app.api(
      'GET',
      `/api/v1/tenants/${tenant}/analytics/summary?from=2025-03-01&to=2025-03-31`,
    );
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  it('answers 401 to a bad signature on each privacy and lifecycle topic, and stores nothing', async () => {
    const topics = {
      'customers/data_request': 'webhook_customers_data_request.json',
      'customers/redact': 'webhook_customers_data_request.json',
      'shop/redact': 'webhook_shop_redact.json',
      'app/uninstalled': 'webhook_app_uninstalled.json',
    };
    for (const [topic, file] of Object.entries(topics)) {
      const response = await app.deliver({
        shopDomain: SHOP,
        secret: 'not-the-secret',
        topic,
        body: fixture(file),
      });
      assert.equal(response.statusCode, 401, topic);
    }
    assert.equal(await app.drain(), 0);
    const rows = await app.db.system.query('SELECT id FROM webhook_events WHERE topic = ANY($1)', [
      Object.keys(topics),
    ]);
    assert.deepEqual(rows, []);
  });

  it('app/uninstalled disconnects the store and wipes its tokens, and keeps its data', async () => {
    await app.db.system.query(
      `UPDATE tenants SET connection_status = 'connected', connection_method = 'oauth',
         access_token_encrypted = 'sealed-access', refresh_token_encrypted = 'sealed-refresh',
         access_token_expires_at = now() + interval '1 hour', refresh_token_expires_at = now() + interval '30 days',
         installed_at = '2025-01-01T00:00:00Z'
       WHERE id = $1`,
      [uninstallTenantId],
    );
    await send('orders/create', orderBody().json, UNINSTALL_SHOP);
    await send(
      'app/uninstalled',
      fixture('webhook_app_uninstalled.json'),
      UNINSTALL_SHOP,
      '2025-06-01T08:00:00Z',
    );
    await app.drain();

    const [tenant] = await app.db.system.query(
      `SELECT connection_status, access_token_encrypted, refresh_token_encrypted, access_token_expires_at,
         refresh_token_expires_at, uninstalled_at FROM tenants WHERE id = $1`,
      [uninstallTenantId],
    );
    assert.deepEqual(tenant, {
      connection_status: 'disconnected',
      access_token_encrypted: null,
      refresh_token_encrypted: null,
      access_token_expires_at: null,
      refresh_token_expires_at: null,
      uninstalled_at: '2025-06-01T08:00:00.000Z',
    });
    const orders = await app.db.system.query('SELECT id FROM orders WHERE tenant_id = $1', [
      uninstallTenantId,
    ]);
    assert.equal(orders.length, 1);
    assert.deepEqual(await auditActions(uninstallTenantId), [
      { action: 'app.uninstalled', actor: 'shopify' },
    ]);
  });

  it('ignores an app/uninstalled older than the last install (the store stays connected)', async () => {
    await app.db.system.query(
      `UPDATE tenants SET connection_status = 'connected', access_token_encrypted = 'sealed-again',
         installed_at = '2025-07-01T00:00:00Z' WHERE id = $1`,
      [uninstallTenantId],
    );
    await send(
      'app/uninstalled',
      fixture('webhook_app_uninstalled.json'),
      UNINSTALL_SHOP,
      '2025-06-15T00:00:00Z',
    );
    await app.drain();
    const [tenant] = await app.db.system.query(
      'SELECT connection_status, access_token_encrypted FROM tenants WHERE id = $1',
      [uninstallTenantId],
    );
    assert.deepEqual(tenant, { connection_status: 'connected', access_token_encrypted: 'sealed-again' });
  });

  it('customers/data_request stores an export of the customer and their orders for the owner', async () => {
    const customerId = newId();
    const first = orderBody({ customerId, processedAt: '2025-02-01T10:00:00Z' });
    const second = orderBody({ customerId, processedAt: '2025-02-02T10:00:00Z' });
    await send('customers/create', customerBody({ id: customerId, email: 'export-me@example.com' }).json);
    await send('orders/create', first.json);
    await send('orders/create', second.json);
    const request = JSON.parse(fixture('webhook_customers_data_request.json'));
    Object.assign(request, {
      shop_domain: SHOP,
      orders_requested: [Number(first.id)],
      customer: { id: Number(customerId), email: 'export-me@example.com', phone: '555-625-1199' },
      data_request: { id: 424242 },
    });
    await send('customers/data_request', JSON.stringify(request));
    await app.drain();

    const list = await app.api('GET', `/api/v1/tenants/${tenantId}/privacy-requests`);
    assert.equal(list.statusCode, 200, list.body);
    const [stored] = list.json().requests;
    assert.equal(stored.topic, 'customers/data_request');
    assert.equal(stored.customerId, customerId);
    assert.equal(stored.shopifyRequestId, '424242');
    assert.equal(stored.status, 'completed');

    const detail = await app.api('GET', `/api/v1/tenants/${tenantId}/privacy-requests/${stored.id}`);
    assert.equal(detail.statusCode, 200, detail.body);
    const { export: exported } = detail.json();
    assert.deepEqual(
      exported.customers.map((c: { id: number; email: string }) => [String(c.id), c.email]),
      [[customerId, 'export-me@example.com']],
    );
    assert.deepEqual(
      exported.orders.map((o: { id: number }) => String(o.id)),
      [first.id, second.id].sort((a, b) => Number(a) - Number(b)),
    );
    assert.equal(exported.orders[0].line_items.length, 1);
    assert.ok(exported.orders[0].raw.line_items, 'the export holds the raw order');

    const missing = await app.api('GET', `/api/v1/tenants/${tenantId}/privacy-requests/999999`);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(await auditActions(tenantId), [{ action: 'privacy.data_request', actor: 'shopify' }]);
  });

  it('customers/redact leaves no personal value of the customer anywhere, and the analytics unchanged', async () => {
    const customerId = newId();
    const bystander = customerBody({ email: 'bystander@example.com' });
    await send('customers/create', bystander.json);
    const customer = JSON.parse(customerBody({ id: customerId, email: PERSONAL.email }).json);
    Object.assign(customer, {
      first_name: PERSONAL.firstName,
      last_name: PERSONAL.lastName,
      phone: PERSONAL.phone,
      tags: PERSONAL.tag,
      note: PERSONAL.orderNote,
      default_address: { address1: PERSONAL.address, city: PERSONAL.city, zip: PERSONAL.zip },
    });
    await send('customers/create', JSON.stringify(customer));
    const withRefund = personalOrder(customerId, true);
    const plain = personalOrder(customerId);
    await send('orders/create', withRefund.json);
    await send('orders/create', plain.json);
    await send('refunds/create', withRefund.refundJson!);
    // An earlier export holds the same values; the redaction must reach it too.
    await send(
      'customers/data_request',
      JSON.stringify({
        shop_id: 1,
        shop_domain: SHOP,
        orders_requested: [],
        customer: { id: Number(customerId), email: PERSONAL.email, phone: PERSONAL.phone },
        data_request: { id: 777 },
      }),
    );
    await app.drain();
    const before = await summary(tenantId);
    assert.equal(before.orders >= 2, true);

    const tables = await tenantTables();
    const holding = async (value: string) => {
      const found: string[] = [];
      for (const table of tables) {
        const [row] = await app.db.system.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${table} t WHERE t.tenant_id = $1 AND strpos(lower(t::text), lower($2)) > 0`,
          [tenantId, value],
        );
        if (row!.n !== '0') found.push(table);
      }
      return found;
    };
    assert.deepEqual(await holding(PERSONAL.property), [
      'order_line_items',
      'orders',
      'privacy_requests',
      'webhook_events',
    ]);

    await send(
      'customers/redact',
      JSON.stringify({
        shop_id: 1,
        shop_domain: SHOP,
        customer: { id: Number(customerId), email: PERSONAL.email, phone: PERSONAL.phone },
        orders_to_redact: [Number(withRefund.id), Number(plain.id)],
      }),
    );
    await app.drain();

    for (const [field, value] of Object.entries(PERSONAL)) {
      assert.deepEqual(await holding(value), [], `${field} (${value}) is still stored`);
    }
    assert.deepEqual(await summary(tenantId), before);

    const orders = await app.db.system.query<{
      customer_id: string;
      gross_sales: string;
      email: string | null;
    }>(
      'SELECT customer_id::text, round(gross_sales, 2)::text AS gross_sales, email FROM orders WHERE tenant_id = $1 AND id = $2',
      [tenantId, plain.id],
    );
    assert.deepEqual(orders, [{ customer_id: customerId, gross_sales: '80.00', email: null }]);
    const [line] = await app.db.system.query<{ quantity: number; variant_id: string }>(
      'SELECT quantity, variant_id::text FROM order_line_items WHERE tenant_id = $1 AND order_id = $2',
      [tenantId, plain.id],
    );
    assert.deepEqual(line, { quantity: 2, variant_id: '808950810' });
    const [row] = await app.db.system.query<{ raw: unknown }>(
      'SELECT raw FROM customers WHERE tenant_id = $1 AND id = $2',
      [tenantId, customerId],
    );
    assert.deepEqual(row!.raw, { id: Number(customerId), redacted: true });
    const [other] = await app.db.system.query<{ email: string }>(
      'SELECT email FROM customers WHERE tenant_id = $1 AND id = $2',
      [tenantId, bystander.id],
    );
    assert.equal(other!.email, 'bystander@example.com', "another customer's data stays");
    const statuses = await app.db.system.query<{ status: string }>(
      `SELECT DISTINCT status FROM webhook_events WHERE tenant_id = $1 AND payload = '{"redacted":true}'`,
      [tenantId],
    );
    assert.deepEqual(statuses, [{ status: 'processed' }], 'redacted inbox rows keep their status');
    assert.deepEqual((await auditActions(tenantId)).slice(-2), [
      { action: 'privacy.data_request', actor: 'shopify' },
      { action: 'privacy.customer_redacted', actor: 'shopify' },
    ]);
  });

  it("shop/redact erases the shop's data and keeps only the tombstone, other tenants untouched", async () => {
    const customerId = newId();
    await send('customers/create', customerBody({ id: customerId }).json, REDACT_SHOP);
    await send('orders/create', personalOrder(customerId, true).json, REDACT_SHOP);
    await app.drain();
    const key = await app.api('POST', `/api/v1/tenants/${redactTenantId}/api-keys`, {
      name: 'reporting',
      scopes: ['analytics:read'],
    });
    assert.equal(key.statusCode, 201, key.body);
    const otherBefore = await app.db.system.query('SELECT count(*) AS n FROM orders WHERE tenant_id = $1', [
      tenantId,
    ]);

    await send('shop/redact', fixture('webhook_shop_redact.json'), REDACT_SHOP);
    await app.drain();

    const left: Record<string, string[]> = {};
    for (const table of await tenantTables()) {
      const rows = await app.db.system.query<{ what: string }>(
        table === 'webhook_events'
          ? `SELECT topic AS what FROM webhook_events WHERE tenant_id = $1`
          : table === 'privacy_requests'
            ? `SELECT topic AS what FROM privacy_requests WHERE tenant_id = $1`
            : table === 'audit_events'
              ? `SELECT action AS what FROM audit_events WHERE tenant_id = $1 AND action LIKE 'privacy.%'`
              : `SELECT '' AS what FROM ${table} WHERE tenant_id = $1`,
        [redactTenantId],
      );
      if (rows.length > 0) left[table] = rows.map((row) => row.what);
    }
    // Documented survivors: the audit trail, the shop/redact event and its request record.
    assert.deepEqual(left, {
      audit_events: ['privacy.shop_redacted'],
      privacy_requests: ['shop/redact'],
      webhook_events: ['shop/redact'],
    });
    const [tenant] = await app.db.system.query(
      `SELECT name, connection_status, webhook_secret_encrypted, access_token_encrypted FROM tenants WHERE id = $1`,
      [redactTenantId],
    );
    assert.deepEqual(tenant, {
      name: REDACT_SHOP,
      connection_status: 'disconnected',
      webhook_secret_encrypted: null,
      access_token_encrypted: null,
    });
    assert.deepEqual(
      await app.db.system.query('SELECT count(*) AS n FROM orders WHERE tenant_id = $1', [tenantId]),
      otherBefore,
    );
  });
});
