/**
 * Accounts and sessions end to end: sign-up and its password policy, login with one answer for unknown
 * emails and wrong passwords, the login throttle (per account, per IP, in process and in Redis), the
 * session cookie and its CSRF token, expiry and revocation, `GET /me`, the sign-in events, and the
 * `user` commands of the command line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.ts';
import { AuthService, SESSION_TTL_MS } from '../../src/auth/auth.service.ts';
import { LoginThrottle } from '../../src/auth/login-throttle.ts';
import { checkPasswordPolicy } from '../../src/auth/passwords.ts';
import { UserRepository } from '../../src/auth/user.repository.ts';
import { connectPostgres, openPglite, type Database } from '../../src/db/client.ts';
import { loadConfig } from '../../src/config.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { backend, openTestDatabase } from '../helpers/database.ts';
import {
  PASSWORD,
  createTenantAs,
  logIn,
  logInRequest,
  setCookie,
  signUp,
  signUpRequest,
  uniqueEmail,
  uniqueIp,
  withCookie,
} from '../helpers/users.ts';

/** The error of a response, without its request id (which differs on every request). */
const errorOf = (response: LightMyRequestResponse) => {
  const { error } = response.json<{ error: { code: string; message: string; requestId: string } }>();
  return { code: error.code, message: error.message };
};

const authEvents = (app: TestApp, email: string) =>
  app.db.system.query<{ action: string; user_id: string | null; email: string | null; ip: string | null }>(
    'SELECT action, user_id::text, email, ip FROM auth_events WHERE email = $1 ORDER BY id',
    [email],
  );

describe('accounts and sessions', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('signs up with a strong password: 201, the user in lower case, a token, a CSRF token, 14 days', async () => {
    const email = uniqueEmail('Mixed.Case');
    const started = Date.now();
    const response = await signUpRequest(app, { email, password: PASSWORD });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['csrfToken', 'expiresAt', 'token', 'user']);
    assert.deepEqual(Object.keys(body.user).sort(), ['createdAt', 'email', 'id']);
    assert.equal(body.user.email, email.toLowerCase());
    assert.match(body.token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(body.csrfToken, /^[A-Za-z0-9_-]{32}$/);
    const lifetime = Date.parse(body.expiresAt) - started;
    assert.ok(Math.abs(lifetime - 14 * 24 * 3600_000) < 60_000, `session lives ${lifetime} ms`);

    const [stored] = await app.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [body.user.id],
    );
    assert.match(stored!.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [session] = await app.db.query<{ token_hash: string; csrf_token: string }>(
      'SELECT token_hash, csrf_token FROM sessions WHERE user_id = $1',
      [body.user.id],
    );
    assert.notEqual(session!.token_hash, body.token, 'the token is stored hashed');
    assert.match(session!.token_hash, /^[0-9a-f]{64}$/);
    assert.equal(session!.csrf_token, body.csrfToken);
  });

  it('sets the session cookie httpOnly, SameSite=Lax, Path=/, for the session lifetime, not Secure on http', async () => {
    const response = await signUpRequest(app, { email: uniqueEmail(), password: PASSWORD });
    const raw = String(response.headers['set-cookie']);
    const cookie = setCookie(response)!;
    assert.equal(cookie.value, response.json().token);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.maxAge, SESSION_TTL_MS / 1000);
    assert.equal(cookie.secure, undefined);
    assert.doesNotMatch(raw, /Secure/i);
  });

  it('refuses weak passwords with 400 weak_password and creates no user', async () => {
    const email = uniqueEmail();
    const cases: [string, RegExp][] = [
      ['short-pass1', /at least 12 characters/],
      ['Password1234', /commonly used/],
      ['1qaz2wsx3edc', /commonly used/],
      [email.toUpperCase(), /email address/],
      ['x'.repeat(257), /at most 256 characters/],
    ];
    for (const [password, reason] of cases) {
      const response = await signUpRequest(app, { email, password });
      assert.equal(response.statusCode, 400, password);
      assert.equal(errorOf(response).code, 'weak_password');
      assert.match(errorOf(response).message, reason);
    }
    const users = await app.db.query('SELECT 1 FROM users WHERE email = $1', [email]);
    assert.equal(users.length, 0);
  });

  it('counts characters, not UTF-16 units, and accepts 12 of them', () => {
    assert.deepEqual(checkPasswordPolicy('🔒'.repeat(11), 'a@example.com'), [
      'must be at least 12 characters',
    ]);
    assert.deepEqual(checkPasswordPolicy('🔒'.repeat(12), 'a@example.com'), []);
    assert.deepEqual(checkPasswordPolicy('a'.repeat(256), 'a@example.com'), []);
  });

  it('refuses a taken email with 409 email_taken, whatever its case', async () => {
    const user = await signUp(app);
    const response = await signUpRequest(app, { email: user.email.toUpperCase(), password: PASSWORD });
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).code, 'email_taken');
  });

  it('refuses malformed sign-up and login bodies with 400 invalid_request', async () => {
    for (const body of [
      { email: 'not-an-email', password: PASSWORD },
      { email: uniqueEmail() },
      { email: uniqueEmail(), password: PASSWORD, role: 'owner' },
    ]) {
      for (const send of [signUpRequest, logInRequest]) {
        const response = await send(app, body);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        assert.equal(errorOf(response).code, 'invalid_request');
      }
    }
  });

  it('logs in with the right password, in any case of the email, with a new session and cookie', async () => {
    const user = await signUp(app);
    const response = await logInRequest(app, { email: user.email.toUpperCase(), password: PASSWORD });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.user.id, user.id);
    assert.notEqual(body.token, user.token);
    assert.equal(setCookie(response)!.value, body.token);
    const me = await app.server!.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.id, user.id);
  });

  it('answers an unknown email exactly like a wrong password: 401 invalid_credentials', async () => {
    const user = await signUp(app);
    const ip = uniqueIp();
    const wrong = await logInRequest(app, { email: user.email, password: 'not the password!' }, { ip });
    const unknown = await logInRequest(app, { email: uniqueEmail(), password: 'not the password!' }, { ip });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.deepEqual(errorOf(wrong), { code: 'invalid_credentials', message: errorOf(unknown).message });
    assert.deepEqual(errorOf(wrong), errorOf(unknown));
    const headers = (response: LightMyRequestResponse) =>
      Object.keys(response.headers)
        .filter((name) => !['date', 'x-request-id', 'content-length'].includes(name))
        .sort()
        .map((name) => [name, name.startsWith('x-ratelimit') ? '' : response.headers[name]]);
    assert.deepEqual(headers(wrong), headers(unknown));
    assert.equal(setCookie(wrong), undefined);
    assert.equal(setCookie(unknown), undefined);
  });

  it('spends a password verification on an unknown email, so it takes as long as a wrong password', async () => {
    const user = await signUp(app);
    const ip = uniqueIp();
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      const response = await logInRequest(app, { email, password: 'not the password!' }, { ip });
      assert.equal(response.statusCode, 401);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    await time(uniqueEmail()); // warm-up
    for (let i = 0; i < 7; i += 1) {
      wrong.push(await time(user.email));
      unknown.push(await time(uniqueEmail()));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const [w, u] = [median(wrong), median(unknown)];
    // Without the dummy verification an unknown email answers several times faster (no argon2 at all).
    assert.ok(u > w / 2.5 && u < w * 2.5, `median wrong password ${w} ms, unknown email ${u} ms`);
  });

  it('GET /me: the user, their tenants and roles, and the session with how it was sent', async () => {
    const user = await signUp(app);
    const tenant = await createTenantAs(user, `me-${randomBytes(4).toString('hex')}.myshopify.com`);
    const bearer = await user.api('GET', '/api/v1/me');
    assert.equal(bearer.statusCode, 200);
    const body = bearer.json();
    assert.deepEqual(body.user, { id: user.id, email: user.email, createdAt: body.user.createdAt });
    assert.deepEqual(body.memberships, [
      {
        tenantId: tenant.id,
        shopDomain: body.memberships[0].shopDomain,
        name: body.memberships[0].name,
        role: 'owner',
      },
    ]);
    assert.equal(body.session.via, 'bearer');
    assert.ok(Date.parse(body.session.expiresAt) > Date.now() + SESSION_TTL_MS - 60_000);
    const cookie = await withCookie(app, user, { method: 'GET', url: '/api/v1/me' });
    assert.equal(cookie.statusCode, 200);
    assert.equal(cookie.json().session.via, 'cookie');
    assert.equal(cookie.json().session.id, body.session.id);
  });

  it('GET /me: 401 without credentials, { operator: true } for the operator token', async () => {
    const anonymous = await app.server!.inject({ method: 'GET', url: '/api/v1/me' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(errorOf(anonymous).code, 'unauthorized');
    const operator = await app.api('GET', '/api/v1/me');
    assert.equal(operator.statusCode, 200);
    assert.deepEqual(operator.json(), { operator: true });
    const sessions = await app.api('GET', '/api/v1/me/sessions');
    assert.equal(sessions.statusCode, 403);
  });

  it('logs out: the session is revoked and the cookie cleared; logging out again is a 401', async () => {
    const user = await signUp(app);
    const response = await withCookie(app, user, {
      method: 'POST',
      url: '/api/v1/auth/logout',
      csrf: user.csrfToken,
    });
    assert.equal(response.statusCode, 204);
    const cleared = setCookie(response)!;
    assert.equal(cleared.value, '');
    assert.ok(cleared.expires! <= new Date(), 'the cookie is expired');
    assert.equal((await user.api('GET', '/api/v1/me')).statusCode, 401);
    assert.equal((await withCookie(app, user, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    const again = await withCookie(app, user, { method: 'POST', url: '/api/v1/auth/logout' });
    assert.equal(again.statusCode, 401);
  });

  it('resets a password: 404 user_not_found for an unknown email, 400 weak_password, every session revoked', async () => {
    const auth = new AuthService(new UserRepository(app.db), new LoginThrottle());
    await assert.rejects(auth.resetPassword(uniqueEmail(), 'a brand new passphrase'), {
      statusCode: 404,
      code: 'user_not_found',
    });
    const user = await signUp(app);
    const second = await logIn(app, user.email);
    await assert.rejects(auth.resetPassword(user.email, 'qwertyuiop123'), { code: 'weak_password' });
    assert.equal((await user.api('GET', '/api/v1/me')).statusCode, 200, 'a refused reset changes nothing');
    await auth.resetPassword(user.email.toUpperCase(), 'a brand new passphrase');
    assert.equal((await user.api('GET', '/api/v1/me')).statusCode, 401);
    assert.equal((await second.api('GET', '/api/v1/me')).statusCode, 401);
    await logIn(app, user.email, 'a brand new passphrase');
  });

  it('logs out a bearer session; the operator has none to log out (403)', async () => {
    const user = await signUp(app);
    assert.equal((await user.api('POST', '/api/v1/auth/logout')).statusCode, 204);
    const after = await user.api('GET', '/api/v1/me');
    assert.equal(after.statusCode, 401);
    assert.equal(errorOf(after).code, 'unauthorized');
    assert.equal((await app.api('POST', '/api/v1/auth/logout')).statusCode, 403);
  });

  it("lists the user's live sessions and revokes one; another user's session is 404 and stays live", async () => {
    const user = await signUp(app);
    const second = await logIn(app, user.email);
    const other = await signUp(app);
    const listed = await user.api('GET', '/api/v1/me/sessions');
    assert.equal(listed.statusCode, 200);
    const sessions = listed.json().sessions as { id: string; current: boolean; userAgent: string | null }[];
    assert.equal(sessions.length, 2);
    assert.deepEqual(
      sessions.map((session) => session.current),
      [false, true],
      'newest first, the current one marked',
    );
    const secondId = sessions[0]!.id;
    const otherId = (await other.api('GET', '/api/v1/me')).json().session.id;

    const foreign = await user.api('DELETE', `/api/v1/me/sessions/${otherId}`);
    assert.equal(foreign.statusCode, 404);
    assert.equal(errorOf(foreign).code, 'session_not_found');
    assert.equal((await other.api('GET', '/api/v1/me')).statusCode, 200);
    assert.equal((await user.api('DELETE', '/api/v1/me/sessions/not-a-uuid')).statusCode, 404);

    assert.equal((await user.api('DELETE', `/api/v1/me/sessions/${secondId}`)).statusCode, 204);
    assert.equal((await second.api('GET', '/api/v1/me')).statusCode, 401);
    assert.equal((await user.api('GET', '/api/v1/me')).statusCode, 200);
    assert.equal((await user.api('DELETE', `/api/v1/me/sessions/${secondId}`)).statusCode, 404);
    assert.equal((await user.api('GET', '/api/v1/me/sessions')).json().sessions.length, 1);
  });

  it('refuses an expired session, by bearer and by cookie', async () => {
    const user = await signUp(app);
    assert.equal((await user.api('GET', '/api/v1/me')).statusCode, 200);
    await app.db.system.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [user.id],
    );
    assert.equal((await user.api('GET', '/api/v1/me')).statusCode, 401);
    assert.equal((await withCookie(app, user, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await user.api('GET', '/api/v1/tenants')).statusCode, 401);
  });

  it('needs the CSRF token on state-changing cookie requests, and only there', async () => {
    const user = await signUp(app);
    const shop = () => ({ shopDomain: `csrf-${randomBytes(4).toString('hex')}.myshopify.com` });
    const post = (csrf?: string) =>
      withCookie(app, user, {
        method: 'POST',
        url: '/api/v1/tenants',
        body: shop(),
        ...(csrf !== undefined && { csrf }),
      });
    for (const response of [await post(), await post('wrong-token'), await post('')]) {
      assert.equal(response.statusCode, 403);
      assert.equal(errorOf(response).code, 'csrf_token_invalid');
    }
    const other = await signUp(app);
    const foreign = await post(other.csrfToken);
    assert.equal(foreign.statusCode, 403, "another session's CSRF token is refused");
    assert.equal((await user.api('GET', '/api/v1/tenants')).json().tenants.length, 0);

    const created = await post(user.csrfToken);
    assert.equal(created.statusCode, 201, created.body);
    const read = await withCookie(app, user, { method: 'GET', url: '/api/v1/tenants' });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().tenants.length, 1);
    const bearer = await user.api('POST', '/api/v1/tenants', shop());
    assert.equal(bearer.statusCode, 201, 'a bearer token needs no CSRF token');
  });

  it('records sign-up, login, failed login (with the email, never the password), logout and revocation', async () => {
    const user = await signUp(app);
    const ip = uniqueIp();
    await logInRequest(app, { email: user.email, password: 'wrong password here' }, { ip });
    const second = await logIn(app, user.email);
    const secondId = (await second.api('GET', '/api/v1/me')).json().session.id;
    await user.api('DELETE', `/api/v1/me/sessions/${secondId}`);
    await user.api('POST', '/api/v1/auth/logout');
    const unknown = uniqueEmail();
    await logInRequest(app, { email: unknown, password: 'wrong password here' }, { ip });

    const events = await authEvents(app, user.email);
    assert.deepEqual(
      events.map((event) => [event.action, event.user_id]),
      [
        ['signup', user.id],
        ['login.failed', user.id],
        ['login', user.id],
        ['session.revoked', user.id],
        ['logout', user.id],
      ],
    );
    assert.equal(events[1]!.ip, ip);
    assert.deepEqual(await authEvents(app, unknown), [
      { action: 'login.failed', user_id: null, email: unknown, ip },
    ]);
    const leaked = await app.db.system.query(
      "SELECT 1 FROM auth_events WHERE row_to_json(auth_events)::text LIKE '%wrong password here%'",
    );
    assert.equal(leaked.length, 0);
  });
});

describe('login throttle', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const fail = (email: string, ip: string) =>
    logInRequest(app, { email, password: 'not the password!' }, { ip });

  it('blocks an account after 10 failures from any IPs: 429 with Retry-After, even with the right password', async () => {
    const user = await signUp(app);
    for (let i = 0; i < 10; i += 1) assert.equal((await fail(user.email, uniqueIp())).statusCode, 401);
    const blocked = await logInRequest(app, { email: user.email, password: PASSWORD }, { ip: uniqueIp() });
    assert.equal(blocked.statusCode, 429);
    assert.equal(errorOf(blocked).code, 'too_many_attempts');
    const retryAfter = Number(blocked.headers['retry-after']);
    assert.ok(retryAfter > 880 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
    assert.equal(setCookie(blocked), undefined);
    const other = await signUp(app);
    const unaffected = await logInRequest(
      app,
      { email: other.email, password: PASSWORD },
      { ip: uniqueIp() },
    );
    assert.equal(unaffected.statusCode, 200, 'other accounts are unaffected');
  });

  it('blocks an unknown email the same way', async () => {
    const user = await signUp(app);
    const unknown = uniqueEmail();
    for (let i = 0; i < 10; i += 1) {
      await fail(user.email, uniqueIp());
      await fail(unknown, uniqueIp());
    }
    const [known, stranger] = [await fail(user.email, uniqueIp()), await fail(unknown, uniqueIp())];
    assert.equal(known.statusCode, 429);
    assert.equal(stranger.statusCode, 429);
    assert.deepEqual(errorOf(known), errorOf(stranger));
    assert.ok(Math.abs(Number(known.headers['retry-after']) - Number(stranger.headers['retry-after'])) <= 2);
  });

  it('blocks an IP after 50 failures across accounts, for every account, while other IPs go on', async () => {
    const user = await signUp(app);
    const ip = uniqueIp();
    for (let i = 0; i < 50; i += 1) assert.equal((await fail(uniqueEmail(), ip)).statusCode, 401, `try ${i}`);
    const blocked = await logInRequest(app, { email: user.email, password: PASSWORD }, { ip });
    assert.equal(blocked.statusCode, 429);
    assert.equal(errorOf(blocked).code, 'too_many_attempts');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    const elsewhere = await logInRequest(app, { email: user.email, password: PASSWORD }, { ip: uniqueIp() });
    assert.equal(elsewhere.statusCode, 200);
  });

  it("forgives an account's failures after a successful login", async () => {
    const user = await signUp(app);
    for (let i = 0; i < 9; i += 1) await fail(user.email, uniqueIp());
    await logIn(app, user.email);
    for (let i = 0; i < 10; i += 1)
      assert.equal((await fail(user.email, uniqueIp())).statusCode, 401, `try ${i}`);
    assert.equal((await fail(user.email, uniqueIp())).statusCode, 429);
  });

  it('counts concurrent guesses before checking them, so a burst cannot exceed the limit', async () => {
    const user = await signUp(app);
    const ip = uniqueIp();
    const statuses = await Promise.all(Array.from({ length: 16 }, () => fail(user.email, ip)));
    assert.equal(statuses.filter((response) => response.statusCode === 401).length, 10);
    assert.equal(statuses.filter((response) => response.statusCode === 429).length, 6);
  });

  it('opens again when the window has passed (in-process counters, moved clock)', async () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({ maxPerAccount: 2, maxPerIp: 3, windowMs: 60_000, now: () => now });
    assert.equal(await throttle.attempt('a@example.com', '1.1.1.1'), null);
    now += 10_000;
    assert.equal(await throttle.attempt('A@example.com ', '1.1.1.2'), null);
    assert.deepEqual(await throttle.attempt('a@example.com', '1.1.1.3'), { retryAfterSeconds: 50 });
    assert.equal(await throttle.attempt('b@example.com', '1.1.1.1'), null);
    assert.equal(await throttle.attempt('c@example.com', '1.1.1.1'), null);
    assert.deepEqual(await throttle.attempt('d@example.com', '1.1.1.1'), { retryAfterSeconds: 50 });
    now += 50_000;
    assert.equal(await throttle.attempt('a@example.com', '1.1.1.1'), null);
  });

  const redisUrl = process.env.TEST_REDIS_URL;
  describe('in Redis (TEST_REDIS_URL)', { skip: !redisUrl && 'TEST_REDIS_URL is not set' }, () => {
    let redis: Redis;
    before(() => {
      redis = new Redis(redisUrl!);
    });
    after(() => redis.quit());

    it('shares the counters between processes and lets them expire with the window', async () => {
      const email = uniqueEmail();
      const ip = uniqueIp();
      const options = { redis, maxPerAccount: 3, maxPerIp: 100, windowMs: 1500 };
      const [first, second] = [new LoginThrottle(options), new LoginThrottle(options)];
      assert.equal(await first.attempt(email, ip), null);
      assert.equal(await second.attempt(email, uniqueIp()), null);
      assert.equal(await first.attempt(email, uniqueIp()), null);
      assert.deepEqual(await second.attempt(email, uniqueIp()), { retryAfterSeconds: 2 });
      const keys = await redis.keys('shopsight:login:account:*');
      assert.ok(
        keys.every((key) => !key.includes('@')),
        'no email address in Redis',
      );
      await new Promise((resolve) => setTimeout(resolve, 1600));
      assert.equal(await second.attempt(email, ip), null);
    });

    it('counts per IP and gives back the attempt of a successful login', async () => {
      const ip = uniqueIp();
      const throttle = new LoginThrottle({ redis, maxPerAccount: 10, maxPerIp: 2, windowMs: 60_000 });
      const email = uniqueEmail();
      assert.equal(await throttle.attempt(email, ip), null);
      await throttle.succeeded(email, ip);
      assert.equal(await throttle.attempt(uniqueEmail(), ip), null);
      assert.equal(await throttle.attempt(uniqueEmail(), ip), null);
      const blocked = await throttle.attempt(uniqueEmail(), ip);
      assert.ok(blocked && blocked.retryAfterSeconds > 55 && blocked.retryAfterSeconds <= 60);
      assert.ok((await redis.pttl(`shopsight:login:ip:${ip}`)) > 0, 'the counter expires');
    });
  });
});

describe('session cookie over HTTPS', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ SHOPSIGHT_PUBLIC_URL: 'https://shopsight.example' });
  });
  after(() => app.close());

  it('is Secure when Shopsight is served over HTTPS', async () => {
    const response = await signUpRequest(app, { email: uniqueEmail(), password: PASSWORD });
    assert.equal(response.statusCode, 201);
    assert.equal(setCookie(response)!.secure, true);
    assert.match(String(response.headers['set-cookie']), /; Secure/);
  });
});

describe('user commands', () => {
  const main = join(import.meta.dirname, '../../src/main.ts');
  let dir: string;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shopsight-cli-'));
    if (backend === 'postgres') {
      const test = await openTestDatabase();
      await test.db.close();
      url = test.url;
      drop = test.drop;
    }
  });
  after(async () => {
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `node src/main.ts user ...` on the test database. */
  const cli = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [main, 'user', ...args], {
        env: {
          ...process.env,
          DATABASE_URL: url ?? '',
          SHOPSIGHT_DATA_DIR: dir,
          SHOPSIGHT_USER_PASSWORD: '',
          LOG_LEVEL: 'silent',
          ...options.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.stdin ?? '');
    });

  /** A Shopsight on the same database as the commands, used between them (PGlite allows one process). */
  const withApp = async (fn: (app: TestApp) => Promise<void>) => {
    const db: Database = url ? connectPostgres(url, 2) : await openPglite(join(dir, 'pglite'));
    const token = randomBytes(18).toString('base64url');
    const config = loadConfig({
      SHOPSIGHT_ADMIN_TOKEN: token,
      SHOPSIGHT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: 'postgres://unused.invalid/test',
      LOG_LEVEL: 'silent',
    });
    const app = await createApp(config, 'api', { db });
    try {
      await fn({
        ...app,
        token,
        api: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
          app.server!.inject({
            method,
            url: path,
            headers: { authorization: `Bearer ${token}` },
            ...(body !== undefined && { payload: body as object }),
          }),
      } as unknown as TestApp);
    } finally {
      await app.close();
    }
  };

  it('creates a user, resets the password (revoking every session) and grants a role', async () => {
    const email = uniqueEmail('cli');
    const weak = await cli(['create', '--email', email], {
      env: { SHOPSIGHT_USER_PASSWORD: 'password1234' },
    });
    assert.equal(weak.code, 1, weak.stderr);
    assert.match(weak.stderr, /weak_password: the password is a commonly used password/);

    const created = await cli(['create', '--email', email.toUpperCase()], {
      env: { SHOPSIGHT_USER_PASSWORD: PASSWORD },
    });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`created user ${email.replace(/\./g, '\\.')} \\(`));

    let oldToken = '';
    let tenantId = '';
    await withApp(async (app) => {
      const user = await logIn(app, email);
      oldToken = user.token;
      tenantId = (
        await app.api('POST', '/api/v1/tenants', {
          shopDomain: `cli-${randomBytes(4).toString('hex')}.myshopify.com`,
        })
      ).json().id;
    });

    const newPassword = 'a brand new passphrase';
    const reset = await cli(['reset-password', '--email', email], { stdin: `${newPassword}\n` });
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /password reset; every session of .* is revoked/);
    const granted = await cli(['grant', '--email', email, '--tenant', tenantId, '--role', 'analyst']);
    assert.equal(granted.code, 0, granted.stderr);
    const badRole = await cli(['grant', '--email', email, '--tenant', tenantId, '--role', 'root']);
    assert.equal(badRole.code, 2);

    await withApp(async (app) => {
      const old = await app.server!.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${oldToken}` },
      });
      assert.equal(old.statusCode, 401, 'the reset revoked the session');
      const refused = await logInRequest(app, { email, password: PASSWORD }, { ip: uniqueIp() });
      assert.equal(refused.statusCode, 401);
      const user = await logIn(app, email, newPassword);
      const me = (await user.api('GET', '/api/v1/me')).json();
      assert.deepEqual(
        me.memberships.map((m: { tenantId: string; role: string }) => [m.tenantId, m.role]),
        [[tenantId, 'analyst']],
      );
      const events = await authEvents(app, email);
      assert.deepEqual(
        events.map((event) => event.action),
        ['signup', 'login', 'password.reset', 'login.failed', 'login'],
      );
      const audit = await app.api('GET', `/api/v1/tenants/${tenantId}/audit-events`);
      const added = audit.json().events.find((event: { action: string }) => event.action === 'member.added');
      assert.equal(added.actor, 'operator');
      assert.deepEqual(added.detail, { userId: user.id, email, role: 'analyst' });
    });
  });
});
