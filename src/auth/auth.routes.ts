/**
 * Account API: `POST /api/v1/auth/signup`, `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`,
 * `GET /api/v1/me`, `GET /api/v1/me/sessions`, `DELETE /api/v1/me/sessions/:sessionId`.
 *
 * Sign-up and login answer the session token in the body (API clients send it as a bearer token) and set
 * it as the `shopsight_session` cookie (the dashboard): httpOnly, SameSite=Lax, path `/`, Secure when
 * served over HTTPS, living as long as the session. The body's `csrfToken` goes back in `X-CSRF-Token` on
 * every state-changing cookie request (enforced in authenticate.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDependencies } from '../http/server.ts';
import { HttpError } from '../http/errors.ts';
import { requirePrincipal, type Principal } from './access.ts';
import {
  AuthService,
  SESSION_TTL_MS,
  emailAddress,
  type ClientInfo,
  type UserPrincipal,
} from './auth.service.ts';
import { LoginThrottle } from './login-throttle.ts';
import { ROLES } from '../db/schema.ts';
import { SESSION_COOKIE } from './tokens.ts';
import { UserRepository } from './user.repository.ts';

// Bounds the work argon2 is given; the policy's own limit (256 characters) is checked at sign-up.
const password = z.string().min(1).max(1024);

export const credentialsBody = z.strictObject({ email: emailAddress, password });

export const userSchema = z.object({ id: z.string(), email: z.string(), createdAt: z.string() });

export const signedInSchema = z.object({
  user: userSchema,
  token: z.string(),
  csrfToken: z.string(),
  expiresAt: z.string(),
});

export const meSchema = z.object({
  user: userSchema,
  memberships: z.array(
    z.object({ tenantId: z.string(), shopDomain: z.string(), name: z.string(), role: z.enum(ROLES) }),
  ),
  session: z.object({ id: z.string(), expiresAt: z.string(), via: z.enum(['cookie', 'bearer']) }),
});

/** What the operator's token gets from `GET /me`: it is no user and has no session. */
export const operatorMeSchema = z.object({ operator: z.literal(true) });

export const sessionsSchema = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      lastSeenAt: z.string(),
      expiresAt: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      current: z.boolean(),
    }),
  ),
});

export const sessionParams = z.object({ sessionId: z.string().max(64) });

export type SignedInDto = z.infer<typeof signedInSchema>;
export type MeDto = z.infer<typeof meSchema>;

/** Answers 403 unless the caller signed in as a user (the operator and API keys have no session). */
function requireUser(principal: Principal | null): UserPrincipal {
  const caller = requirePrincipal(principal);
  if (caller.kind !== 'user') throw new HttpError(403, 'forbidden', 'this route needs a user session');
  return caller;
}

const clientOf = (request: FastifyRequest): ClientInfo => ({
  ip: request.ip,
  userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
});

export async function authRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const auth = new AuthService(new UserRepository(deps.db), new LoginThrottle({ redis: deps.redis }));
  const api = app.withTypeProvider<ZodTypeProvider>();
  const cookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.secureCookies } as const;

  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });

  api.post(
    '/auth/signup',
    { schema: { body: credentialsBody, response: { 201: signedInSchema } } },
    async (request, reply) => {
      const signedIn = await auth.signUp(request.body, clientOf(request));
      setSessionCookie(reply, signedIn.token);
      return reply.code(201).send(signedIn);
    },
  );

  api.post(
    '/auth/login',
    { schema: { body: credentialsBody, response: { 200: signedInSchema } } },
    async (request, reply) => {
      const signedIn = await auth.logIn(request.body, clientOf(request));
      setSessionCookie(reply, signedIn.token);
      return signedIn;
    },
  );

  api.post('/auth/logout', async (request, reply) => {
    await auth.logOut(requireUser(request.principal), request.ip);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.code(204).send();
  });

  // The operator's token is answered `{ operator: true }`, so automation can check the token it holds.
  api.get(
    '/me',
    { schema: { response: { 200: z.union([meSchema, operatorMeSchema]) } } },
    async (request) => {
      const caller = requirePrincipal(request.principal);
      if (caller.kind === 'admin') return { operator: true as const };
      return auth.me(requireUser(caller));
    },
  );

  api.get('/me/sessions', { schema: { response: { 200: sessionsSchema } } }, async (request) => ({
    sessions: await auth.sessions(requireUser(request.principal)),
  }));

  api.delete('/me/sessions/:sessionId', { schema: { params: sessionParams } }, async (request, reply) => {
    const caller = requireUser(request.principal);
    await auth.revokeSession(caller, request.params.sessionId, request.ip);
    if (request.params.sessionId.toLowerCase() === caller.sessionId && caller.via === 'cookie') {
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
    }
    return reply.code(204).send();
  });
}
