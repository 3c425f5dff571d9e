/**
 * Checkout statuses (completed, abandoned, recovered, open) and the checkouts report, against the
 * definitions in src/analytics/checkouts.ts, on a real database. Checkouts are inserted as rows (their
 * normalizer lives elsewhere); orders arrive by webhook. Expected figures are worked out in the comments.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { insertCheckout } from '../helpers/checkouts.ts';
import { newId, orderBody } from '../helpers/factories.ts';
import { todayIn } from '../../src/analytics/range.ts';

const SECRET = 'checkouts-secret';

describe('checkouts report', () => {
  let app: TestApp;
  let tenantId: string;
  const shopDomain = `k${newId()}.myshopify.com`;
  const ids: Record<string, string> = {};

  const send = async (body: string) => {
    const response = await app.deliver({ shopDomain, secret: SECRET, topic: 'orders/create', body });
    assert.equal(response.statusCode, 200, response.body);
  };
  const get = async (path: string) => {
    const response = await app.api('GET', `/api/v1/tenants/${tenantId}/${path}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };
  // Through the tenant PATCH, as a merchant would: it also invalidates the tenant's cached reports.
  const setThreshold = async (minutes: number) => {
    const response = await app.api('PATCH', `/api/v1/tenants/${tenantId}`, {
      abandonmentThresholdMinutes: minutes,
    });
    assert.equal(response.statusCode, 200, response.body);
  };
  const statuses = async () => {
    const page = await get('checkouts?limit=250&sort=created_at:asc');
    return Object.fromEntries(
      Object.entries(ids).map(([label, id]) => [
        label,
        page.rows.find((row: { id: string }) => row.id === id)?.status ?? 'absent',
      ]),
    );
  };

  before(async () => {
    app = await startTestApp();
    tenantId = (await app.createTenant({ shopDomain, timezone: 'America/New_York', webhookSecret: SECRET }))
      .id;
    const owner = app.owner;
    // New York is UTC-4 from 2025-03-09 (DST).
    ids.a = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-10T14:00:00Z', totalPrice: '100.00' })
    ).id;
    ids.b = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-10T15:00:00Z', totalPrice: '50.00' })
    ).id;
    ids.c = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-10T16:00:00Z', totalPrice: '80.00' })
    ).id;
    // 03:30Z on the 11th is 23:30 on the 10th in New York.
    ids.d = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-11T03:30:00Z', totalPrice: '20.00' })
    ).id;
    ids.e = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-11T05:00:00Z', totalPrice: '30.00' })
    ).id;
    const deleted = await insertCheckout(owner, tenantId, {
      createdAt: '2025-03-10T12:00:00Z',
      deletedAt: '2025-03-10T13:00:00Z',
    });
    const g = await insertCheckout(owner, tenantId, {
      createdAt: '2025-03-11T12:00:00Z',
      totalPrice: '40.00',
    });
    ids.g = g.id;
    ids.h = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-12T12:00:00Z', totalPrice: '70.00' })
    ).id;
    ids.i = (
      await insertCheckout(owner, tenantId, { createdAt: '2025-03-09T12:00:00Z', totalPrice: '10.00' })
    ).id;

    // a: order 30 minutes after its activity; c: order 18 hours after (past the 60-minute threshold).
    await send(
      orderBody({ checkoutId: ids.a, processedAt: '2025-03-10T14:30:00Z', totalPrice: '100.00' }).json,
    );
    await send(
      orderBody({ checkoutId: ids.c, processedAt: '2025-03-11T10:00:00Z', totalPrice: '90.00' }).json,
    );
    // e: only a test order references it, which never counts.
    await send(orderBody({ checkoutId: ids.e, processedAt: '2025-03-11T05:10:00Z', test: true }).json);
    // The deleted checkout's order does not bring it back.
    await send(orderBody({ checkoutId: deleted.id, processedAt: '2025-03-10T12:10:00Z' }).json);
    // g: referenced by checkout token only, 20 minutes after.
    const gOrder = orderBody({ processedAt: '2025-03-11T12:20:00Z', totalPrice: '40.00' });
    await send(gOrder.json);
    await app.drain();
    await app.owner.query('UPDATE orders SET checkout_token = $3 WHERE tenant_id = $1 AND id = $2::bigint', [
      tenantId,
      gOrder.id,
      g.token,
    ]);
  });
  after(() => app.close());

  it('derives each checkout status from its order and the default 60-minute threshold', async () => {
    assert.deepEqual(await statuses(), {
      a: 'completed',
      b: 'abandoned',
      c: 'recovered',
      d: 'abandoned',
      e: 'abandoned',
      g: 'completed',
      h: 'abandoned',
      i: 'abandoned',
    });
    const c = await get(`checkouts/${ids.c}`);
    assert.equal(c.status, 'recovered');
    assert.equal(c.abandonedAfter, '2025-03-10T17:00:00.000Z');
    assert.equal(c.orderProcessedAt, '2025-03-11T10:00:00.000Z');
  });

  it('reports totals, rates and values of the checkouts started in the range, per store-local day', async () => {
    const report = await get('analytics/checkouts?from=2025-03-10&to=2025-03-11&interval=day');
    assert.equal(report.thresholdMinutes, 60);
    // Started: a, b, c, d (10th, New York), e, g (11th). Completed a, g; abandoned b, c, d, e, of which c
    // recovered. Abandoned value 50 + 80 + 20 + 30; recovered value: c's order, 90.
    assert.deepEqual(report.totals, {
      started: 6,
      open: 0,
      completed: 2,
      abandoned: 4,
      recovered: 1,
      conversionRate: '0.3333',
      abandonmentRate: '0.6667',
      abandonedValue: '180.00',
      recoveredValue: '90.00',
    });
    assert.deepEqual(report.rows, [
      {
        date: '2025-03-10',
        started: 4,
        open: 0,
        completed: 1,
        abandoned: 3,
        recovered: 1,
        conversionRate: '0.2500',
        abandonmentRate: '0.7500',
        abandonedValue: '150.00',
        recoveredValue: '90.00',
      },
      {
        date: '2025-03-11',
        started: 2,
        open: 0,
        completed: 1,
        abandoned: 1,
        recovered: 0,
        conversionRate: '0.5000',
        abandonmentRate: '0.5000',
        abandonedValue: '30.00',
        recoveredValue: '0.00',
      },
    ]);
  });

  it('compares with the previous period and answers null rates for an empty range', async () => {
    const report = await get('analytics/checkouts?from=2025-03-10&to=2025-03-11&compare=previous_period');
    // Previous period: 8th and 9th; only i (abandoned, 10.00).
    assert.equal(report.compare.range.from, '2025-03-08');
    assert.deepEqual(report.compare.totals, {
      started: 1,
      open: 0,
      completed: 0,
      abandoned: 1,
      recovered: 0,
      conversionRate: '0.0000',
      abandonmentRate: '1.0000',
      abandonedValue: '10.00',
      recoveredValue: '0.00',
    });
    const empty = await get('analytics/checkouts?from=2024-01-01&to=2024-01-02');
    assert.equal(empty.totals.started, 0);
    assert.equal(empty.totals.conversionRate, null);
    assert.equal(empty.rows.length, 2);
  });

  it('re-derives statuses when the tenant threshold changes', async () => {
    try {
      // One day: c's order (18 hours after) completes it instead of recovering it.
      await setThreshold(1440);
      const day = await get('analytics/checkouts?from=2025-03-10&to=2025-03-11');
      assert.equal(day.thresholdMinutes, 1440);
      assert.deepEqual(
        [day.totals.completed, day.totals.abandoned, day.totals.recovered, day.totals.recoveredValue],
        [3, 3, 0, '0.00'],
      );
      assert.equal((await statuses()).c, 'completed');
      // Ten minutes: a's (30 minutes) and g's (20 minutes) orders now recover abandonments.
      await setThreshold(10);
      const short = await get('analytics/checkouts?from=2025-03-10&to=2025-03-11');
      assert.deepEqual(
        [short.totals.completed, short.totals.abandoned, short.totals.recovered, short.totals.recoveredValue],
        [0, 6, 3, '230.00'],
      );
      const now = await statuses();
      assert.deepEqual([now.a, now.c, now.g], ['recovered', 'recovered', 'recovered']);
    } finally {
      await setThreshold(60);
    }
  });

  it('keeps a checkout open until its threshold has passed', async () => {
    const recent = await insertCheckout(app.owner, tenantId, { createdAt: new Date().toISOString() });
    const detail = await get(`checkouts/${recent.id}`);
    assert.equal(detail.status, 'open');
    const today = todayIn('America/New_York');
    const report = await get(`analytics/checkouts?from=${today}&to=${today}`);
    assert.equal(report.totals.open, 1);
    assert.equal(report.totals.abandoned, 0);
    const open = await get('checkouts?status=open');
    assert.deepEqual(
      open.rows.map((row: { id: string }) => row.id),
      [recent.id],
    );
  });

  it('exports the series as CSV', async () => {
    const json = await get('analytics/checkouts?from=2025-03-10&to=2025-03-11');
    const response = await app.api(
      'GET',
      `/api/v1/tenants/${tenantId}/analytics/checkouts?from=2025-03-10&to=2025-03-11&format=csv`,
    );
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    const [header, ...lines] = response.body.trim().split('\n');
    assert.equal(
      header,
      'date,started,open,completed,abandoned,recovered,conversionRate,abandonmentRate,abandonedValue,recoveredValue',
    );
    assert.deepEqual(
      lines,
      json.rows.map((row: Record<string, unknown>) =>
        [
          row.date,
          row.started,
          row.open,
          row.completed,
          row.abandoned,
          row.recovered,
          row.conversionRate,
          row.abandonmentRate,
          row.abandonedValue,
          row.recoveredValue,
        ].join(','),
      ),
    );
  });
});
