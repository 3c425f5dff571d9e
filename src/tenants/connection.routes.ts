/**
 * Store connection routes.
 *
 * Public (outside `/api/v1`), Shopify's authorization code grant
 * (shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant):
 * - `GET /shopify/install?shop=` -> 302 to the store's authorize URL, with a random `state` bound to the
 *   browser by a signed httpOnly cookie;
 * - `GET /shopify/callback` -> checks the shop, the query HMAC, the timestamp and the state before anything
 *   else, then exchanges the code and connects the store; 302 to `/`, or `{ tenantId }` for
 *   `Accept: application/json`.
 * Under `/api/v1`: `GET /tenants/:tenantId/connection` (never a token) and `POST` (custom-app mode).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { Database } from '../db/client.ts';
import { HttpError } from '../http/errors.ts';
import { isFreshTimestamp, isShopDomain, verifyQueryHmac } from '../shopify/oauth.ts';
import type { ConnectionService } from './connection.service.ts';
import { tenantParams, tenantSchema } from './tenant.routes.ts';
import type { TenantService } from './tenant.service.ts';

/** The cookie binding an install's `state` (and shop) to the browser that started it. */
export const OAUTH_STATE_COOKIE = 'shopsight_oauth_state';
const STATE_COOKIE_PATH = '/shopify';
const STATE_TTL_SECONDS = 600;

export const connectionSchema = z.object({
  status: z.enum(['manual', 'connected', 'disconnected']),
  method: z.string().nullable(),
  scopes: z.array(z.string()).nullable(),
  installedAt: z.string().nullable(),
  uninstalledAt: z.string().nullable(),
  accessTokenExpiresAt: z.string().nullable(),
});

export const connectBody = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('custom_app'),
    accessToken: z.string().min(1).max(512),
    webhookSecret: z.string().min(1).max(512).optional(),
  }),
  z.strictObject({
    method: z.literal('client_credentials'),
    clientId: z.string().min(1).max(255),
    clientSecret: z.string().min(1).max(512),
  }),
]);

export type ConnectionDto = z.infer<typeof connectionSchema>;
export type ConnectBody = z.infer<typeof connectBody>;

// Loose on purpose: each parameter is checked below with its own error code, in a fixed order.
const callbackQuery = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

type ShopifyRouteOptions = { connections: ConnectionService; secureCookies: boolean };

/** `GET /shopify/install` and `GET /shopify/callback`: public, registered at the root. */
export async function shopifyInstallRoutes(app: FastifyInstance, options: ShopifyRouteOptions) {
  const { connections, secureCookies } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/shopify/install', { schema: { querystring: callbackQuery } }, async (request, reply) => {
    const shop = request.query.shop;
    if (!isShopDomain(shop)) throw invalidShop();
    const state = randomBytes(24).toString('base64url');
    const location = connections.installUrl(shop.toLowerCase(), state);
    reply.setCookie(OAUTH_STATE_COOKIE, `${state}:${shop.toLowerCase()}`, {
      signed: true,
      httpOnly: true,
      // Lax: the redirect back from Shopify is a top-level GET navigation, which carries Lax cookies.
      sameSite: 'lax',
      secure: secureCookies,
      path: STATE_COOKIE_PATH,
      maxAge: STATE_TTL_SECONDS,
    });
    return reply.redirect(location, 302);
  });

  api.get('/shopify/callback', { schema: { querystring: callbackQuery } }, async (request, reply) => {
    const query = request.query;
    const shop = query.shop;
    if (!isShopDomain(shop)) throw invalidShop();
    if (!verifyQueryHmac(query, connections.callbackSecret())) {
      throw new HttpError(401, 'invalid_hmac', 'the request is not signed by Shopify');
    }
    if (!isFreshTimestamp(query.timestamp, Date.now())) {
      throw new HttpError(400, 'stale_request', 'the request is too old; start the install again');
    }
    const cookie = request.cookies[OAUTH_STATE_COOKIE];
    const unsigned = cookie ? request.unsignCookie(cookie) : undefined;
    const expected = unsigned?.valid ? unsigned.value : null;
    if (typeof query.state !== 'string' || expected !== `${query.state}:${shop.toLowerCase()}`) {
      throw new HttpError(401, 'invalid_state', 'the install was not started from this browser');
    }
    if (typeof query.code !== 'string' || query.code === '') {
      throw new HttpError(400, 'invalid_request', 'code is missing');
    }
    reply.clearCookie(OAUTH_STATE_COOKIE, { path: STATE_COOKIE_PATH });
    const tenant = await connections.completeOAuth(shop.toLowerCase(), query.code);
    return respondInstalled(reply, request.headers.accept, tenant.id);
  });
}

function respondInstalled(reply: FastifyReply, accept: string | undefined, tenantId: string) {
  if (accept?.includes('application/json')) return reply.send({ tenantId });
  return reply.redirect('/', 302);
}

const invalidShop = () =>
  new HttpError(400, 'invalid_shop', 'shop must be a domain like example.myshopify.com');

type ConnectionRouteOptions = { db: Database; connections: ConnectionService; tenants: TenantService };

/** `GET/POST /api/v1/tenants/:tenantId/connection`, registered under `/api/v1`. */
export async function connectionRoutes(app: FastifyInstance, options: ConnectionRouteOptions) {
  const { db, connections, tenants } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/tenants/:tenantId/connection',
    { schema: { params: tenantParams, response: { 200: connectionSchema } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'tenant:read');
      return connections.connection(request.params.tenantId);
    },
  );

  api.post(
    '/tenants/:tenantId/connection',
    { schema: { params: tenantParams, body: connectBody, response: { 200: tenantSchema } } },
    async (request) => {
      await authorize(db, request.principal, [request.params.tenantId], 'settings:write');
      await connections.connectCustomApp(request.params.tenantId, request.body);
      return tenants.get(request.params.tenantId);
    },
  );
}
