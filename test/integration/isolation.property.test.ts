/**
 * Property: whatever the interleaving of webhooks, ingestion calls and reads across several tenants, no
 * answer shows one tenant's data to another. Tenants deliberately reuse the same Shopify order ids; each
 * tenant's customers carry ids from a range of their own, so any leak is visible in a read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { orderBody } from '../helpers/factories.ts';

const SECRET = 'property-secret';
const TENANTS = 3;

type Command =
  | { kind: 'webhook'; tenant: number; order: number; customer: number; cents: number }
  | { kind: 'ingest'; tenant: number; order: number; customer: number; cents: number }
  | { kind: 'read'; tenant: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('webhook' as const),
    tenant: fc.nat(TENANTS - 1),
    order: fc.integer({ min: 1, max: 6 }),
    customer: fc.integer({ min: 1, max: 3 }),
    cents: fc.integer({ min: 100, max: 99_999 }),
  }),
  fc.record({
    kind: fc.constant('ingest' as const),
    tenant: fc.nat(TENANTS - 1),
    order: fc.integer({ min: 1, max: 6 }),
    customer: fc.integer({ min: 1, max: 3 }),
    cents: fc.integer({ min: 100, max: 99_999 }),
  }),
  fc.record({ kind: fc.constant('read' as const), tenant: fc.nat(TENANTS - 1) }),
);

/** A customer id that only tenant `tenant` ever uses. */
const customerId = (tenant: number, customer: number) => String(9_000_000_000 + tenant * 1000 + customer);

describe('tenant isolation under random interleavings', () => {
  let app: TestApp;
  let run = 0;
  before(async () => {
    app = await startTestApp({ SHOPSIGHT_RATE_LIMIT_PER_MINUTE: '1000000' });
  });
  after(() => app.close());

  it('never shows one tenant the data of another', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 25 }), async (commands) => {
        run += 1;
        const tenants: { id: string; shopDomain: string }[] = [];
        for (let t = 0; t < TENANTS; t += 1) {
          const shopDomain = `p${run}-t${t}.myshopify.com`;
          const tenant = await app.createTenant({ shopDomain, webhookSecret: SECRET, timezone: 'UTC' });
          tenants.push({ id: tenant.id, shopDomain });
        }
        // The model: each tenant's latest version of each order (same ids across tenants on purpose).
        const model = tenants.map(() => new Map<number, { customer: string; cents: number }>());
        let version = 0;
        for (const step of commands) {
          const tenant = tenants[step.tenant]!;
          if (step.kind === 'read') {
            await app.drain();
            const query = 'from=2025-01-01&to=2025-12-31';
            const summary = await app.api('GET', `/api/v1/tenants/${tenant.id}/analytics/summary?${query}`);
            assert.equal(summary.statusCode, 200);
            assert.equal(summary.json().orders, model[step.tenant]!.size);
            const top = await app.api(
              'GET',
              `/api/v1/tenants/${tenant.id}/analytics/top-customers?${query}&limit=100`,
            );
            const own = new Set([...model[step.tenant]!.values()].map((o) => o.customer));
            for (const customer of top.json().customers as { customerId: string }[]) {
              assert.ok(
                own.has(customer.customerId),
                `tenant ${step.tenant} sees customer ${customer.customerId}`,
              );
            }
            const gross = [...model[step.tenant]!.values()].reduce((sum, o) => sum + o.cents, 0);
            assert.equal(summary.json().grossSales, (gross / 100).toFixed(2));
            continue;
          }
          version += 1;
          const customer = customerId(step.tenant, step.customer);
          const price = (step.cents / 100).toFixed(2);
          const { json } = orderBody({
            id: String(step.order),
            customerId: customer,
            processedAt: '2025-06-01T12:00:00Z',
            updatedAt: new Date(Date.UTC(2025, 5, 1, 12, 0, version)).toISOString(),
            lines: [{ price, quantity: 1 }],
          });
          if (step.kind === 'webhook') {
            const response = await app.deliver({
              shopDomain: tenant.shopDomain,
              secret: SECRET,
              topic: 'orders/updated',
              body: json,
            });
            assert.equal(response.statusCode, 200);
          } else {
            const response = await app.server!.inject({
              method: 'POST',
              url: `/api/v1/tenants/${tenant.id}/ingest/orders`,
              headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
              payload: `{"items":[${json}]}`,
            });
            assert.equal(response.statusCode, 200, response.body);
            assert.equal(response.json<{ accepted: number }>().accepted, 1, response.body);
          }
          model[step.tenant]!.set(step.order, { customer, cents: step.cents });
        }
      }),
      { numRuns: 12 },
    );
  });
});
