/**
 * Memberships and roles end to end: each user sees only their tenants; owners, admins and analysts get
 * exactly their permissions; owners add, re-role and remove members by email; a tenant keeps an owner;
 * and the audit trail (tenant events and members' sign-in events) is recorded and readable by owners only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { MemberRepository } from '../../src/tenants/member.repository.ts';
import { MemberService } from '../../src/tenants/member.service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import {
  createTenantAs,
  logIn,
  logInRequest,
  signUp,
  uniqueEmail,
  uniqueIp,
  withCookie,
  type TestUser,
} from '../helpers/users.ts';

const codeOf = (response: LightMyRequestResponse) => response.json<{ error: { code: string } }>().error.code;
const shop = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}.myshopify.com`;

type AuditEvent = {
  id: string;
  source: 'tenant' | 'auth';
  action: string;
  actor: string;
  actorUserId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
};

describe('members and roles', () => {
  let app: TestApp;
  let owner: TestUser;
  let admin: TestUser;
  let analyst: TestUser;
  let outsider: TestUser;
  let tenant: string;
  let other: string;

  const members = (tenantId: string) => `/api/v1/tenants/${tenantId}/members`;

  /** Adds `user` to `tenantId` with `role`, as `by`; asserts 201. */
  const add = async (by: TestUser, tenantId: string, user: TestUser, role: string) => {
    const response = await by.api('POST', members(tenantId), { email: user.email, role });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  };

  before(async () => {
    app = await startTestApp();
    [owner, admin, analyst, outsider] = [
      await signUp(app),
      await signUp(app),
      await signUp(app),
      await signUp(app),
    ];
    tenant = (await createTenantAs(owner, shop('members-a'))).id;
    other = (await createTenantAs(outsider, shop('members-b'))).id;
    await add(owner, tenant, admin, 'admin');
    await add(owner, tenant, analyst, 'analyst');
  });
  after(() => app.close());

  it('shows each user only their own tenants, with their role; a new user has none', async () => {
    const ids = async (user: TestUser) =>
      (await user.api('GET', '/api/v1/tenants')).json().tenants.map((t: { id: string }) => t.id);
    assert.deepEqual(await ids(owner), [tenant]);
    assert.deepEqual(await ids(analyst), [tenant]);
    assert.deepEqual(await ids(outsider), [other]);
    assert.deepEqual(await ids(await signUp(app)), []);
    const roles = async (user: TestUser) =>
      (await user.api('GET', '/api/v1/me'))
        .json()
        .memberships.map((m: { tenantId: string; role: string }) => [m.tenantId, m.role]);
    assert.deepEqual(await roles(owner), [[tenant, 'owner']]);
    assert.deepEqual(await roles(admin), [[tenant, 'admin']]);
    assert.deepEqual(await roles(analyst), [[tenant, 'analyst']]);
  });

  it('lets an analyst read the tenant and its analytics, and nothing more', async () => {
    assert.equal((await analyst.api('GET', `/api/v1/tenants/${tenant}`)).statusCode, 200);
    const summary = await analyst.api('GET', `/api/v1/tenants/${tenant}/analytics/summary`);
    assert.equal(summary.statusCode, 200, summary.body);
    for (const [method, url, body] of [
      ['PATCH', `/api/v1/tenants/${tenant}`, { name: 'Renamed by analyst' }],
      ['GET', members(tenant), undefined],
      ['POST', members(tenant), { email: outsider.email, role: 'analyst' }],
      ['PATCH', `${members(tenant)}/${analyst.id}`, { role: 'owner' }],
      ['DELETE', `${members(tenant)}/${admin.id}`, undefined],
      ['GET', `/api/v1/tenants/${tenant}/audit-events`, undefined],
      ['DELETE', `/api/v1/tenants/${tenant}`, undefined],
    ] as const) {
      const response = await analyst.api(method, url, body);
      assert.equal(response.statusCode, 403, `${method} ${url}: ${response.body}`);
      assert.equal(codeOf(response), 'forbidden');
    }
  });

  it('lets an admin change settings, but not manage members, read the audit log or delete', async () => {
    const patched = await admin.api('PATCH', `/api/v1/tenants/${tenant}`, { name: 'Renamed by admin' });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().name, 'Renamed by admin');
    for (const [method, url, body] of [
      ['GET', members(tenant), undefined],
      ['POST', members(tenant), { email: outsider.email, role: 'analyst' }],
      ['PATCH', `${members(tenant)}/${analyst.id}`, { role: 'admin' }],
      ['DELETE', `${members(tenant)}/${analyst.id}`, undefined],
      ['GET', `/api/v1/tenants/${tenant}/audit-events`, undefined],
      ['DELETE', `/api/v1/tenants/${tenant}`, undefined],
    ] as const) {
      const response = await admin.api(method, url, body);
      assert.equal(response.statusCode, 403, `${method} ${url}: ${response.body}`);
    }
    assert.equal((await owner.api('GET', `/api/v1/tenants/${tenant}`)).statusCode, 200, 'still there');
  });

  it("answers 404 for another tenant's id, whatever the caller's role elsewhere", async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const user of [owner, admin, analyst]) {
      for (const tenantId of [other, unknown]) {
        for (const [method, url] of [
          ['GET', `/api/v1/tenants/${tenantId}`],
          ['GET', `/api/v1/tenants/${tenantId}/analytics/summary`],
          ['GET', members(tenantId)],
          ['DELETE', `${members(tenantId)}/${outsider.id}`],
          ['GET', `/api/v1/tenants/${tenantId}/audit-events`],
        ] as const) {
          const response = await user.api(method, url);
          assert.equal(response.statusCode, 404, `${user.email} ${method} ${url}`);
          assert.equal(codeOf(response), 'tenant_not_found');
        }
      }
    }
    const added = await owner.api('POST', members(other), { email: owner.email, role: 'owner' });
    assert.equal(added.statusCode, 404);
    assert.deepEqual(
      (await outsider.api('GET', members(other))).json().members.map((m: { userId: string }) => m.userId),
      [outsider.id],
      'nobody got into the other tenant',
    );
  });

  it('lets the owner list members with their roles, by email', async () => {
    const response = await owner.api('GET', members(tenant));
    assert.equal(response.statusCode, 200);
    const listed = response.json().members as { userId: string; email: string; role: string }[];
    const expected = [
      [owner.id, owner.email, 'owner'],
      [admin.id, admin.email, 'admin'],
      [analyst.id, analyst.email, 'analyst'],
    ].sort((x, y) => x[1]!.localeCompare(y[1]!));
    assert.deepEqual(
      listed.map((m) => [m.userId, m.email, m.role]),
      expected,
    );
  });

  it('adds members by email (any case): 404 user_not_found, 409 already_member, 400 for a bad role', async () => {
    const newcomer = await signUp(app);
    const missing = await owner.api('POST', members(tenant), { email: uniqueEmail(), role: 'analyst' });
    assert.equal(missing.statusCode, 404);
    assert.equal(codeOf(missing), 'user_not_found');
    const badRole = await owner.api('POST', members(tenant), { email: newcomer.email, role: 'root' });
    assert.equal(badRole.statusCode, 400);
    assert.equal(codeOf(badRole), 'invalid_request');

    const added = await owner.api('POST', members(tenant), {
      email: newcomer.email.toUpperCase(),
      role: 'analyst',
    });
    assert.equal(added.statusCode, 201, added.body);
    const { createdAt, ...member } = added.json<{ createdAt: string }>();
    assert.deepEqual(member, { userId: newcomer.id, email: newcomer.email, role: 'analyst' });
    assert.ok(Math.abs(Date.parse(createdAt) - Date.now()) < 60_000);
    const again = await owner.api('POST', members(tenant), { email: newcomer.email, role: 'admin' });
    assert.equal(again.statusCode, 409);
    assert.equal(codeOf(again), 'already_member');
    assert.equal((await newcomer.api('GET', `/api/v1/tenants/${tenant}`)).statusCode, 200);
  });

  it('changes roles and removes members; a removed member loses the tenant (404)', async () => {
    const member = await signUp(app);
    await add(owner, tenant, member, 'analyst');
    const promoted = await owner.api('PATCH', `${members(tenant)}/${member.id}`, { role: 'admin' });
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.equal(promoted.json().role, 'admin');
    const patched = await member.api('PATCH', `/api/v1/tenants/${tenant}`, { name: 'Renamed by promoted' });
    assert.equal(patched.statusCode, 200, 'the new role is in force at once');

    const removed = await owner.api('DELETE', `${members(tenant)}/${member.id}`);
    assert.equal(removed.statusCode, 204);
    const gone = await member.api('GET', `/api/v1/tenants/${tenant}`);
    assert.equal(gone.statusCode, 404);
    assert.deepEqual((await member.api('GET', '/api/v1/tenants')).json().tenants, []);

    for (const [method, userId] of [
      ['DELETE', member.id],
      ['PATCH', member.id],
      ['DELETE', 'not-a-uuid'],
      ['PATCH', outsider.id],
    ] as const) {
      const response = await owner.api(
        method,
        `${members(tenant)}/${userId}`,
        method === 'PATCH' ? { role: 'admin' } : undefined,
      );
      assert.equal(response.statusCode, 404, `${method} ${userId}`);
      assert.equal(codeOf(response), 'member_not_found');
    }
  });

  it('never leaves a tenant without an owner: 409 last_owner; with two owners either can go', async () => {
    const first = await signUp(app);
    const tenantId = (await createTenantAs(first, shop('owners'))).id;
    for (const [method, body] of [
      ['PATCH', { role: 'admin' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await first.api(method, `${members(tenantId)}/${first.id}`, body);
      assert.equal(response.statusCode, 409, `${method}: ${response.body}`);
      assert.equal(codeOf(response), 'last_owner');
    }
    const same = await first.api('PATCH', `${members(tenantId)}/${first.id}`, { role: 'owner' });
    assert.equal(same.statusCode, 200, 'keeping the owner role is no change');

    const second = await signUp(app);
    await add(first, tenantId, second, 'owner');
    const demoted = await second.api('PATCH', `${members(tenantId)}/${first.id}`, { role: 'analyst' });
    assert.equal(demoted.statusCode, 200);
    const last = await second.api('DELETE', `${members(tenantId)}/${second.id}`);
    assert.equal(last.statusCode, 409);
    assert.equal(codeOf(last), 'last_owner');

    await second.api('PATCH', `${members(tenantId)}/${first.id}`, { role: 'owner' });
    const left = await second.api('DELETE', `${members(tenantId)}/${second.id}`);
    assert.equal(left.statusCode, 204, 'an owner may leave while another owner remains');
    const roles = (await first.api('GET', members(tenantId))).json().members;
    assert.deepEqual(
      roles.map((m: { userId: string; role: string }) => [m.userId, m.role]),
      [[first.id, 'owner']],
    );
  });

  it('keeps one owner when every owner is demoted at the same time', async () => {
    const first = await signUp(app);
    const tenantId = (await createTenantAs(first, shop('race'))).id;
    const owners = [first];
    for (let i = 0; i < 5; i += 1) {
      const user = await signUp(app);
      await add(first, tenantId, user, 'owner');
      owners.push(user);
    }
    // Straight to the service, so that the changes meet in the database rather than queue in HTTP.
    const service = new MemberService(new MemberRepository(app.db));
    const actor = { principal: { kind: 'admin' as const, id: 'admin' as const }, ip: null };
    const outcomes = await Promise.allSettled(
      owners.map((user) => service.changeRole(tenantId, user.id, 'analyst', actor)),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    assert.equal(refused.length, 1, 'all but the last demotion go through');
    assert.equal((refused[0] as PromiseRejectedResult).reason.code, 'last_owner');
    const [row] = await app.db.forTenant(tenantId, (tx) =>
      tx.query<{ owners: string }>(
        "SELECT count(*)::text AS owners FROM memberships WHERE tenant_id = $1 AND role = 'owner'",
        [tenantId],
      ),
    );
    assert.equal(row!.owners, '1');
  });

  it('lets the owner, and only the owner, delete the tenant', async () => {
    const tenantId = (await createTenantAs(owner, shop('doomed'))).id;
    await add(owner, tenantId, admin, 'admin');
    assert.equal((await admin.api('DELETE', `/api/v1/tenants/${tenantId}`)).statusCode, 403);
    assert.equal((await owner.api('DELETE', `/api/v1/tenants/${tenantId}`)).statusCode, 204);
    assert.equal((await owner.api('GET', `/api/v1/tenants/${tenantId}`)).statusCode, 404);
  });

  it('needs the CSRF token to change members with the session cookie', async () => {
    const member = await signUp(app);
    const request = {
      method: 'POST' as const,
      url: members(tenant),
      body: { email: member.email, role: 'analyst' },
    };
    const refused = await withCookie(app, owner, request);
    assert.equal(refused.statusCode, 403);
    assert.equal(codeOf(refused), 'csrf_token_invalid');
    const accepted = await withCookie(app, owner, { ...request, csrf: owner.csrfToken });
    assert.equal(accepted.statusCode, 201, accepted.body);
  });

  it('lets the operator token manage members, recorded as the operator', async () => {
    const member = await signUp(app);
    const added = await app.api('POST', members(other), { email: member.email, role: 'analyst' });
    assert.equal(added.statusCode, 201, added.body);
    const audit = await app.api('GET', `/api/v1/tenants/${other}/audit-events`);
    const event = (audit.json().events as AuditEvent[]).find((e) => e.action === 'member.added');
    assert.equal(event?.actor, 'operator');
    assert.equal(event?.actorUserId, null);
    assert.equal((await app.api('DELETE', `${members(other)}/${member.id}`)).statusCode, 204);
  });
});

describe('audit trail', () => {
  let app: TestApp;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let tenant: string;

  const trail = async (user: TestUser, query = '') => {
    const response = await user.api('GET', `/api/v1/tenants/${tenant}/audit-events${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ events: AuditEvent[]; nextBefore: string | null }>();
  };

  before(async () => {
    app = await startTestApp();
    [owner, member, outsider] = [await signUp(app), await signUp(app), await signUp(app)];
    tenant = (await createTenantAs(owner, shop('audit'))).id;
    const ip = uniqueIp();
    await owner.api('POST', `/api/v1/tenants/${tenant}/members`, { email: member.email, role: 'analyst' });
    await owner.api('PATCH', `/api/v1/tenants/${tenant}/members/${member.id}`, { role: 'admin' });
    await logInRequest(app, { email: member.email, password: 'not the password!' }, { ip });
    await logIn(app, member.email);
    await logInRequest(app, { email: outsider.email, password: 'not the password!' }, { ip });
    await logIn(app, outsider.email);
  });
  after(() => app.close());

  it("records member changes with their actor and detail, and members' sign-in events, newest first", async () => {
    const { events } = await trail(owner);
    const own = events.filter((e) => e.source === 'tenant');
    assert.deepEqual(
      own.map((e) => [e.action, e.actor, e.actorUserId, e.detail]),
      [
        [
          'member.role_changed',
          owner.email,
          owner.id,
          { userId: member.id, email: member.email, from: 'analyst', to: 'admin' },
        ],
        ['member.added', owner.email, owner.id, { userId: member.id, email: member.email, role: 'analyst' }],
      ],
    );
    const signIns = events.filter((e) => e.source === 'auth');
    assert.deepEqual(
      signIns.map((e) => [e.action, e.actor]),
      [
        ['login', member.email],
        ['login.failed', member.email],
        ['signup', member.email],
        ['signup', owner.email],
      ],
    );
    assert.ok(
      events.every((e) => e.actor !== outsider.email),
      "a non-member's sign-ins are not the tenant's business",
    );
    const times = events.map((e) => Date.parse(e.createdAt));
    assert.deepEqual(
      times,
      [...times].sort((x, y) => y - x),
      'newest first',
    );
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  });

  it('records a removal, and then shows the removed user no more sign-ins', async () => {
    const leaving = await signUp(app);
    await owner.api('POST', `/api/v1/tenants/${tenant}/members`, { email: leaving.email, role: 'analyst' });
    await owner.api('DELETE', `/api/v1/tenants/${tenant}/members/${leaving.id}`);
    const { events } = await trail(owner);
    const removal = events.find((e) => e.action === 'member.removed');
    assert.deepEqual(removal?.detail, { userId: leaving.id, email: leaving.email, role: 'analyst' });
    assert.ok(!events.some((e) => e.source === 'auth' && e.actorUserId === leaving.id));
  });

  it('pages through every event exactly once with the cursor', async () => {
    const everything = (await trail(owner, '?limit=200')).events;
    assert.ok(everything.length >= 8, `${everything.length} events`);
    const seen: AuditEvent[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=3${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      const page = await trail(owner, query);
      assert.ok(page.events.length <= 3);
      seen.push(...page.events);
      before = page.nextBefore;
      pages += 1;
    } while (before && pages < 100);
    assert.deepEqual(
      seen.map((e) => e.id),
      everything.map((e) => e.id),
    );
    assert.equal(pages, Math.ceil(everything.length / 3));
  });

  it('refuses a malformed cursor or limit with 400', async () => {
    for (const query of ['?before=garbage', '?before=MjAyNXx4fDE', '?limit=0', '?limit=201', '?limit=x']) {
      const response = await owner.api('GET', `/api/v1/tenants/${tenant}/audit-events${query}`);
      assert.equal(response.statusCode, 400, query);
    }
    const cursor = await owner.api('GET', `/api/v1/tenants/${tenant}/audit-events?before=garbage`);
    assert.equal(codeOf(cursor), 'invalid_cursor');
  });

  it('is readable by owners only', async () => {
    const response = await member.api('GET', `/api/v1/tenants/${tenant}/audit-events`);
    assert.equal(response.statusCode, 403, 'an admin cannot read it');
    const stranger = await outsider.api('GET', `/api/v1/tenants/${tenant}/audit-events`);
    assert.equal(stranger.statusCode, 404);
  });
});
