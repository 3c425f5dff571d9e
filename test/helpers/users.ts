/**
 * Users in tests: sign-up and login through the API, and requests made as a user with a bearer token or
 * with the session cookie and its CSRF token, the way the dashboard sends them.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';

/** A password that meets the policy. */
export const PASSWORD = 'correct horse battery staple';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A signed-in test user and the means to call the API as them. */
export type TestUser = {
  id: string;
  email: string;
  password: string;
  token: string;
  csrfToken: string;
  /** The `shopsight_session` cookie value. */
  cookie: string;
  /** Sends a request with `Authorization: Bearer <session token>`. */
  api(method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse>;
};

/** An email address no other test uses. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

/** A client IP no other test uses (198.18.0.0/15, the benchmarking range), so throttles do not mix. */
export function uniqueIp(): string {
  const [a, b, c] = randomBytes(3);
  return `198.${18 + (a! % 2)}.${b}.${c}`;
}

/** The value a response sets for cookie `name`, with its attributes (undefined when not set). */
export function setCookie(response: LightMyRequestResponse, name = 'shopsight_session') {
  return response.cookies.find((cookie) => cookie.name === name);
}

/** POST /api/v1/auth/signup. */
export function signUpRequest(
  app: TestApp,
  body: unknown,
  options: { ip?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.server!.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: body as object,
    ...(options.ip && { remoteAddress: options.ip }),
  });
}

/** POST /api/v1/auth/login. */
export function logInRequest(
  app: TestApp,
  body: unknown,
  options: { ip?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.server!.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: body as object,
    ...(options.ip && { remoteAddress: options.ip }),
  });
}

function asUser(app: TestApp, response: LightMyRequestResponse, password: string): TestUser {
  const body = response.json<{ user: { id: string; email: string }; token: string; csrfToken: string }>();
  return {
    id: body.user.id,
    email: body.user.email,
    password,
    token: body.token,
    csrfToken: body.csrfToken,
    cookie: setCookie(response)!.value,
    api: (method, url, payload) =>
      app.server!.inject({
        method,
        url,
        headers: { authorization: `Bearer ${body.token}` },
        ...(payload !== undefined && { payload: payload as object }),
      }),
  };
}

/** Signs up a new user (a unique email unless given); throws unless 201. */
export async function signUp(
  app: TestApp,
  input: { email?: string; password?: string } = {},
): Promise<TestUser> {
  const password = input.password ?? PASSWORD;
  const response = await signUpRequest(app, { email: input.email ?? uniqueEmail(), password });
  if (response.statusCode !== 201) throw new Error(`sign-up: ${response.statusCode} ${response.body}`);
  return asUser(app, response, password);
}

/** Logs an existing user in again (a new session); throws unless 200. */
export async function logIn(app: TestApp, email: string, password = PASSWORD): Promise<TestUser> {
  const response = await logInRequest(app, { email, password }, { ip: uniqueIp() });
  if (response.statusCode !== 200) throw new Error(`login: ${response.statusCode} ${response.body}`);
  return asUser(app, response, password);
}

/** Sends a request with the session cookie, and `X-CSRF-Token` when `csrf` is given. */
export function withCookie(
  app: TestApp,
  user: Pick<TestUser, 'cookie'>,
  request: { method: Method; url: string; body?: unknown; csrf?: string },
): Promise<LightMyRequestResponse> {
  return app.server!.inject({
    method: request.method,
    url: request.url,
    cookies: { shopsight_session: user.cookie },
    ...(request.csrf !== undefined && { headers: { 'x-csrf-token': request.csrf } }),
    ...(request.body !== undefined && { payload: request.body as object }),
  });
}

/** Creates a tenant as `user` (who becomes its owner); throws unless 201. */
export async function createTenantAs(user: TestUser, shopDomain: string): Promise<{ id: string }> {
  const response = await user.api('POST', '/api/v1/tenants', { shopDomain });
  if (response.statusCode !== 201) throw new Error(`create tenant: ${response.statusCode} ${response.body}`);
  return response.json<{ id: string }>();
}
