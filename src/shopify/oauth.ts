/**
 * Shopify's OAuth, the app's side: the authorize URL, the signed query of the redirect back to the app, and
 * the token endpoint's grants (authorization code, refresh token, client credentials).
 *
 * Sources (shopify.dev):
 * - apps/build/authentication-authorization/access-tokens/authorization-code-grant (authorize URL, query
 *   HMAC, shop check, code exchange);
 * - apps/build/authentication-authorization/access-tokens/offline-access-tokens (`expiring=1`, refresh);
 * - apps/build/authentication-authorization/access-tokens/client-credentials-grant.
 *
 * Every Shopify URL is built from the shop's base URL (`shopBaseUrl`), `https://{shop}` on Shopify, so that
 * tests and demos can point it at the simulator.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SHOP_DOMAIN_PATTERN } from './topics.ts';

/** How far an OAuth redirect's `timestamp` may be from now, in seconds, before it counts as a replay. */
export const MAX_CALLBACK_AGE_SECONDS = 300;

/** Thrown when Shopify's token endpoint refuses a grant or cannot be reached. */
export class ShopifyOAuthError extends Error {
  override name = 'ShopifyOAuthError';
  /** Shopify's `error` (`invalid_client`, `invalid_request`, `invalid_grant`...), or `unreachable`. */
  readonly code: string;
  /** The HTTP status of the token endpoint's answer; 0 when it did not answer. */
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * An access token as granted. Times are UTC ISO-8601; null expiry means a token that does not expire (a
 * classic offline token or a custom app's token).
 */
export type TokenGrant = {
  accessToken: string;
  /** Comma-separated scopes as Shopify returns them. */
  scopes: string;
  expiresAt: string | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: string | null;
};

/** The app's client credentials. */
export type AppCredentials = { clientId: string; clientSecret: string };

/** True when `shop` is a `*.myshopify.com` domain (the `shop` parameter must be checked before any use). */
export function isShopDomain(shop: unknown): shop is string {
  return typeof shop === 'string' && shop.length <= 255 && SHOP_DOMAIN_PATTERN.test(shop);
}

/**
 * The base URL of `shop`: `template` with `{shop}` replaced, e.g. `https://{shop}` ->
 * `https://example.myshopify.com`. The shop must already have been checked with `isShopDomain`.
 */
export function shopBaseUrl(template: string, shop: string): string {
  return template.replaceAll('{shop}', shop.toLowerCase());
}

/**
 * The URL the merchant's browser is sent to for an offline-token install:
 * `{base}/admin/oauth/authorize?client_id&scope&redirect_uri&state&grant_options[]=` (an empty
 * `grant_options[]` asks for an offline token).
 */
export function authorizeUrl(
  base: string,
  params: { clientId: string; scopes: string; redirectUri: string; state: string },
): string {
  const url = new URL(`${base}/admin/oauth/authorize`);
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('scope', params.scopes);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('state', params.state);
  url.searchParams.set('grant_options[]', '');
  return url.toString();
}

/**
 * Checks the `hmac` of a query Shopify signed (the OAuth redirect, admin links): the hex HMAC-SHA256, keyed
 * with the app secret, of the other parameters (`hmac` and `signature` removed) sorted by name and joined as
 * `key=value` with `&`, compared timing-safe.
 *
 * `query` holds the values URL-decoded (as a server parses them). Shopify's documentation joins them as
 * they are; `@shopify/shopify-api` (and the simulator) re-encode them as a URL query string. The two agree
 * for every value Shopify sends on install (`code`, `host`, `shop`, `state`, `timestamp`); a value where they
 * differ is accepted in either form, both being keyed with the secret. A repeated parameter (an array) is
 * refused.
 *
 * @returns false for a missing, malformed or wrong `hmac`.
 */
export function verifyQueryHmac(query: Record<string, unknown>, secret: string): boolean {
  const given = query.hmac;
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/i.test(given)) return false;
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(query)) {
    if (key === 'hmac' || key === 'signature') continue;
    if (typeof value !== 'string') return false;
    entries.push([key, value]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const plain = entries.map(([key, value]) => `${key}=${value}`).join('&');
  const encoded = new URLSearchParams(entries).toString();
  const givenBytes = Buffer.from(given.toLowerCase(), 'utf8');
  const matches = (message: string) =>
    timingSafeEqual(givenBytes, Buffer.from(createHmac('sha256', secret).update(message).digest('hex')));
  return matches(plain) || (encoded !== plain && matches(encoded));
}

/** True when `timestamp` (Unix seconds, as a string) is within `MAX_CALLBACK_AGE_SECONDS` of `nowMs`. */
export function isFreshTimestamp(timestamp: unknown, nowMs: number): boolean {
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= MAX_CALLBACK_AGE_SECONDS;
}

/**
 * Exchanges an authorization code for an offline token: `POST {base}/admin/oauth/access_token` with
 * `{ client_id, client_secret, code, expiring: 1 }`. `expiring: 1` asks for an expiring offline token (one
 * hour, with a 90-day refresh token), Shopify's default for new public apps since 2025.
 *
 * @throws ShopifyOAuthError when Shopify refuses (a used code: `invalid_request`) or cannot be reached.
 */
export function exchangeCode(
  base: string,
  app: AppCredentials,
  code: string,
  now = Date.now(),
): Promise<TokenGrant> {
  return tokenRequest(
    base,
    { client_id: app.clientId, client_secret: app.clientSecret, code, expiring: 1 },
    now,
  );
}

/**
 * Refreshes an expiring offline token: `grant_type=refresh_token`. Shopify answers a new access token and a
 * new refresh token; the old access token stops working at once, so the caller must store both.
 *
 * @throws ShopifyOAuthError (`invalid_grant` for an expired or revoked refresh token).
 */
export function refreshAccessToken(
  base: string,
  app: AppCredentials,
  refreshToken: string,
  now = Date.now(),
): Promise<TokenGrant> {
  return tokenRequest(
    base,
    {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    },
    now,
  );
}

/**
 * A token through the client credentials grant (apps of the Dev Dashboard installed on a store of their own
 * organization): `grant_type=client_credentials`, valid about 24 hours, no refresh token.
 *
 * @throws ShopifyOAuthError (`invalid_client` for a wrong id or secret).
 */
export function clientCredentialsToken(
  base: string,
  app: AppCredentials,
  now = Date.now(),
): Promise<TokenGrant> {
  return tokenRequest(
    base,
    { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'client_credentials' },
    now,
  );
}

type TokenAnswer = {
  access_token?: unknown;
  scope?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_token_expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
};

async function tokenRequest(base: string, body: Record<string, unknown>, now: number): Promise<TokenGrant> {
  let response: Response;
  try {
    response = await fetch(`${base}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new ShopifyOAuthError(
      'unreachable',
      0,
      `Shopify's token endpoint did not answer: ${String(error)}`,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as TokenAnswer;
  if (!response.ok || typeof answer.access_token !== 'string') {
    // Only Shopify's error code and description: the body of a success would hold the token.
    const code = typeof answer.error === 'string' ? answer.error : 'invalid_response';
    const description = typeof answer.error_description === 'string' ? answer.error_description : '';
    throw new ShopifyOAuthError(
      code,
      response.status,
      `token request refused: ${code} ${description}`.trim(),
    );
  }
  const at = (seconds: unknown) =>
    typeof seconds === 'number' && seconds > 0 ? new Date(now + seconds * 1000).toISOString() : null;
  return {
    accessToken: answer.access_token,
    scopes: typeof answer.scope === 'string' ? answer.scope : '',
    expiresAt: at(answer.expires_in),
    refreshToken: typeof answer.refresh_token === 'string' ? answer.refresh_token : null,
    refreshTokenExpiresAt: at(answer.refresh_token_expires_in),
  };
}
