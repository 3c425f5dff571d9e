/**
 * Fuzzing (fast-check) of everything a caller controls:
 *
 * - Webhook bodies of every handled topic (the erasing and disconnecting ones aside, which a valid body would
 *   act on): valid samples mutated with missing fields, wrong types, huge numbers, unicode, deep nesting and
 *   truncation. Intake answers 200 (stored) or a 4xx with an error code, never a 5xx; the worker ends every
 *   event as processed, skipped or dead without throwing; and a dead event writes no row at all.
 * - Every API route discovered from the router, called with random path parameters, query strings and JSON
 *   bodies: never a 5xx, and every 4xx carries `{ error: { code, message } }`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DESTRUCTIVE_TOPICS } from '../../src/cli/replay.ts';
import { tenantTables } from '../../src/db/tenant-tables.ts';
import { HANDLED_TOPICS } from '../../src/shopify/topics.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { customerBody, orderBody, productBody, refundBody } from '../helpers/factories.ts';

const SECRET = 'fuzz-secret';
const SHOP = 'fuzz.myshopify.com';
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A valid body of `topic`, to mutate. */
function validBody(topic: string): Record<string, Json> {
  const parse = (text: string) => JSON.parse(text) as Record<string, Json>;
  if (topic.startsWith('orders/')) return parse(orderBody().json);
  if (topic.startsWith('refunds/'))
    return parse(refundBody({ orderId: '42', processedAt: '2025-01-02T00:00:00Z', lines: [] }).json);
  if (topic.startsWith('customers/')) return parse(customerBody().json);
  if (topic.startsWith('products/')) return parse(productBody().json);
  return { id: 42, updated_at: '2025-01-01T00:00:00Z' };
}

const weirdValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    '',
    '0',
    '-1',
    'NaN',
    '1e309',
    '9'.repeat(40),
    '2025-13-45T99:99:99Z',
    'null',
    '💥🛒',
    '\u0000',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant([] as Json[]),
  fc.constant({} as Json),
  fc.array(fc.integer(), { maxLength: 3 }),
);

type Mutation =
  | { kind: 'set'; path: number; value: Json }
  | { kind: 'delete'; path: number }
  | { kind: 'hugeNumber'; path: number }
  | { kind: 'deepNest'; depth: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.nat(), value: weirdValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat() }),
  fc.record({ kind: fc.constant('hugeNumber' as const), path: fc.nat() }),
  fc.record({ kind: fc.constant('deepNest' as const), depth: fc.integer({ min: 100, max: 20_000 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Every (object, key) pair in a JSON tree, in a stable order. */
function slots(value: Json, out: [Record<string, Json> | Json[], string | number][] = []) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      out.push([value, index]);
      slots(item, out);
    });
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      slots(value[key]!, out);
    }
  }
  return out;
}

/** Applies the mutations; returns the body text (which may no longer be JSON). */
function mutate(body: Record<string, Json>, mutations: Mutation[]): string {
  let text: string;
  for (const m of mutations) {
    const all = slots(body);
    const slot = all.length ? all[('path' in m ? m.path : 0) % all.length]! : undefined;
    if (m.kind === 'set' && slot) (slot[0] as Record<string, Json>)[slot[1] as string] = m.value;
    if (m.kind === 'delete' && slot) {
      if (Array.isArray(slot[0])) slot[0].splice(slot[1] as number, 1);
      else delete slot[0][slot[1] as string];
    }
    if (m.kind === 'hugeNumber' && slot) (slot[0] as Record<string, Json>)[slot[1] as string] = '__HUGE__';
    if (m.kind === 'deepNest') body.note_attributes = '__DEEP__' + m.depth;
  }
  text = JSON.stringify(body)
    .replaceAll('"__HUGE__"', '123456789012345678901234567890.123456789e400')
    .replace(
      /"__DEEP__(\d+)"/,
      (_all, depth: string) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth)),
    );
  const truncate = mutations.find((m): m is Extract<Mutation, { kind: 'truncate' }> => m.kind === 'truncate');
  if (truncate) text = text.slice(0, truncate.at % Math.max(1, text.length));
  return text;
}

describe('fuzzing', () => {
  let app: TestApp;
  let tenantId: string;
  let tables: string[];

  const digest = async () => {
    const parts: string[] = [];
    for (const table of tables) {
      if (table === 'webhook_events') continue;
      const [row] = await app.db.system.query<{ d: string }>(
        `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS d
         FROM ${table} x WHERE tenant_id = $1`,
        [tenantId],
      );
      parts.push(`${table}=${row!.d}`);
    }
    return parts.join(' ');
  };

  before(async () => {
    app = await startTestApp({ SHOPSIGHT_RATE_LIMIT_PER_MINUTE: '1000000' });
    tenantId = (await app.createTenant({ shopDomain: SHOP, webhookSecret: SECRET })).id;
    tables = await tenantTables(app.db.system);
  });
  after(() => app.close());

  it('webhook bodies of every topic: 200 or 4xx, never 5xx; dead events write nothing', async () => {
    const topics = HANDLED_TOPICS.filter((topic) => !DESTRUCTIVE_TOPICS.has(topic));
    const outcomes = new Map<string, number>();
    const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...topics),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (topic, mutations) => {
          const body = mutate(validBody(topic), mutations);
          const before = await digest();
          const response = await app.deliver({ shopDomain: SHOP, secret: SECRET, topic, body });
          assert.ok(
            response.statusCode === 200 || (response.statusCode >= 400 && response.statusCode < 500),
            `${response.statusCode} ${response.body}`,
          );
          if (response.statusCode !== 200) {
            assert.equal(typeof response.json().error?.code, 'string', response.body);
            count(`http ${response.statusCode}`);
            return;
          }
          await app.drain();
          const [event] = await app.db.system.query<{ status: string; last_error: string | null }>(
            `SELECT status, last_error FROM webhook_events WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1`,
            [tenantId],
          );
          assert.ok(['processed', 'skipped', 'dead'].includes(event!.status), JSON.stringify(event));
          count(event!.status);
          if (event!.status === 'dead')
            assert.equal(await digest(), before, `a dead ${topic} event wrote rows`);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261121) },
    );
    // The fuzzer must reach the worker with both kinds of payload and be refused at intake, or it says little.
    assert.ok(
      ['processed', 'dead', 'http 400'].every((outcome) => (outcomes.get(outcome) ?? 0) > 0),
      JSON.stringify([...outcomes]),
    );
  });

  it('every API route: random path parameters, query strings and bodies never get a 5xx', async () => {
    const routes = app.server!.routeList.filter((route) => route.url.startsWith('/api/'));
    const pathValue = fc.oneof(
      fc.constant(tenantId),
      fc.uuid(),
      fc.constantFrom('0', '-1', '9'.repeat(30), '1e5', '%00', 'null', 'ünïcødé', "'; DROP TABLE orders; --"),
      fc.string({ maxLength: 12 }),
    );
    const queryValue = fc.oneof(
      fc.constantFrom(
        '',
        'day',
        'csv',
        'json',
        '2025-01-01',
        '2025-02-30',
        '0',
        '-5',
        '1e309',
        '9'.repeat(25),
        '[]',
        'true',
      ),
      fc.string({ maxLength: 16 }),
    );
    const queryKey = fc.constantFrom(
      'from',
      'to',
      'interval',
      'compare',
      'limit',
      'cursor',
      'sort',
      'q',
      'format',
      'days',
      'status',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(pathValue, { minLength: 4, maxLength: 4 }),
        fc.dictionary(queryKey, queryValue, { maxKeys: 4 }),
        fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
        async (route, params, query, body) => {
          let index = 0;
          const path = route.url.replace(/:(\w+)/g, (_all, name: string) => {
            const value = params[index++ % params.length]!;
            // Deleting the tenant under test would blind the runs that follow.
            if (name === 'tenantId' && route.method === 'DELETE' && value === tenantId) return 'not-this-one';
            return encodeURIComponent(value);
          });
          const search = new URLSearchParams(query).toString();
          const response = await app.api(
            route.method as 'GET',
            `${path}${search ? `?${search}` : ''}`,
            route.method === 'GET' || route.method === 'DELETE' ? undefined : (body ?? {}),
          );
          assert.ok(
            response.statusCode < 500,
            `${route.method} ${path}?${search} -> ${response.statusCode} ${response.body.slice(0, 300)}`,
          );
          if (response.statusCode >= 400) {
            assert.equal(
              typeof response.json().error?.code,
              'string',
              `${route.method} ${route.url}: ${response.body}`,
            );
          }
        },
      ),
      { numRuns: RUNS * 5, seed: Number(process.env.FUZZ_SEED ?? 20261121) },
    );
  });
});
