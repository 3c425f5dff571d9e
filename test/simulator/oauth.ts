/**
 * The app's side of Shopify OAuth as the simulator plays it (shopify.dev/docs/apps/build/authentication-
 * authorization): the authorize redirect with a signed query, and the token endpoint's grants.
 *
 * - Authorize: the merchant "approves" at once; the redirect carries `code`, `hmac`, `host`, `shop`, `state`
 *   and `timestamp`, where `hmac` is the hex HMAC-SHA256, keyed with the client secret, of the other
 *   parameters sorted by name and URL-encoded (what @shopify/shopify-api's validateHmac checks).
 * - Authorization code: offline token `{ access_token, scope }`; with `expiring=1` an expiring offline token,
 *   also `expires_in` (3600 s), `refresh_token` and `refresh_token_expires_in` (90 days)
 *   (shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens). One
 *   expiring offline token per shop: a new one revokes the previous. `grant_options[]=per-user` gives an
 *   online token with its user.
 * - Refresh token: a new access token and a new refresh token; the old access token stops working and the old
 *   refresh token keeps working until the new access token is first used (Shopify's 2026-08 change, "More
 *   resilient refreshes for expiring offline access tokens").
 * - Client credentials: a token for 86399 s (shopify.dev/docs/apps/build/authentication-authorization/
 *   access-tokens/client-credentials-grant).
 * Errors answer 400 `{ error, error_description }`. The exact descriptions are the simulator's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type OAuthOptions = {
  /** Lifetime of expiring offline access tokens, seconds; default 3600. */
  accessTokenTtlSeconds?: number;
  /** Lifetime of refresh tokens, seconds; default 90 days. */
  refreshTokenTtlSeconds?: number;
  /** Lifetime of client-credentials and online tokens, seconds; default 86399. */
  shortTokenTtlSeconds?: number;
};

export type App = { apiKey: string; apiSecret: string };

type AccessToken = {
  shop: string;
  scope: string;
  /** Unix ms, or null for a token that does not expire. */
  expiresMs: number | null;
  used: boolean;
  revoked: boolean;
};

type RefreshToken = {
  shop: string;
  scope: string;
  expiresMs: number;
  /** The access token issued with it. */
  accessToken: string;
  /** Set once refreshed: the access token that replaced this pair. */
  replacedBy: string | null;
};

export type TokenResponse = { status: number; body: Record<string, unknown> };

const DEFAULT_REFRESH_TTL = 90 * 86_400;
const SHORT_TTL = 86_399;

/**
 * Shopify's signature of an OAuth redirect or admin link: hex HMAC-SHA256 of the query without `hmac` and
 * `signature`, parameters sorted by name and encoded as a URL query string.
 */
export function oauthHmac(params: Record<string, string>, secret: string): string {
  const sorted = Object.keys(params)
    .filter((key) => key !== 'hmac' && key !== 'signature')
    .sort()
    .map((key): [string, string] => [key, params[key] as string]);
  return createHmac('sha256', secret).update(new URLSearchParams(sorted).toString()).digest('hex');
}

const token = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;

const error = (code: string, description: string): TokenResponse => ({
  status: 400,
  body: { error: code, error_description: description },
});

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Authorization codes and tokens of one app across the simulator's shops. */
export class TokenAuthority {
  readonly #app: App;
  readonly #options: OAuthOptions;
  readonly #now: () => number;
  readonly #codes = new Map<string, { shop: string; scope: string; perUser: boolean }>();
  readonly #access = new Map<string, AccessToken>();
  readonly #refresh = new Map<string, RefreshToken>();

  constructor(app: App, options: OAuthOptions, now: () => number) {
    this.#app = app;
    this.#options = options;
    this.#now = now;
  }

  /**
   * Handles `GET /admin/oauth/authorize` for `shop`: the redirect location, or an error for a wrong client
   * id or redirect URI.
   */
  authorize(
    shop: string,
    query: Record<string, unknown>,
  ): { location: string } | { status: number; message: string } {
    if (query.client_id !== this.#app.apiKey)
      return { status: 400, message: 'Oauth error invalid_request: The client_id is invalid' };
    let redirect: URL;
    try {
      redirect = new URL(String(query.redirect_uri ?? ''));
    } catch {
      return { status: 400, message: 'Oauth error invalid_request: The redirect_uri is missing or invalid' };
    }
    if (redirect.protocol !== 'http:' && redirect.protocol !== 'https:') {
      return { status: 400, message: 'Oauth error invalid_request: The redirect_uri must be http or https' };
    }
    const grantOptions = query['grant_options[]'] ?? query.grant_options;
    const perUser = [grantOptions].flat().includes('per-user');
    const code = randomBytes(16).toString('hex');
    this.#codes.set(code, { shop, scope: String(query.scope ?? ''), perUser });
    const params: Record<string, string> = {
      code,
      host: Buffer.from(`admin.shopify.com/store/${shop.replace('.myshopify.com', '')}`)
        .toString('base64')
        .replace(/=+$/, ''),
      shop,
      timestamp: String(Math.floor(this.#now() / 1000)),
    };
    if (query.state !== undefined) params.state = String(query.state);
    params.hmac = oauthHmac(params, this.#app.apiSecret);
    for (const [key, value] of Object.entries(params)) redirect.searchParams.set(key, value);
    return { location: redirect.toString() };
  }

  /** Handles `POST /admin/oauth/access_token` for `shop` with the request's parameters (JSON, form or query). */
  exchange(shop: string, params: Record<string, unknown>): TokenResponse {
    const clientId = String(params.client_id ?? '');
    const secret = String(params.client_secret ?? '');
    if (clientId !== this.#app.apiKey || !sameSecret(secret, this.#app.apiSecret)) {
      return error(
        'invalid_client',
        'Client authentication failed: unknown client_id or wrong client_secret',
      );
    }
    const grant = String(params.grant_type ?? (params.code !== undefined ? 'authorization_code' : ''));
    switch (grant) {
      case 'authorization_code':
        return this.#authorizationCode(
          shop,
          String(params.code ?? ''),
          String(params.expiring ?? '0') === '1',
        );
      case 'refresh_token':
        return this.#refreshGrant(shop, String(params.refresh_token ?? ''));
      case 'client_credentials': {
        const accessToken = this.#issue(shop, '', SHORT_TTL, 'shpat');
        return { status: 200, body: { access_token: accessToken, scope: '', expires_in: this.#shortTtl() } };
      }
      default:
        return error('unsupported_grant_type', `grant_type ${grant || '(missing)'} is not supported`);
    }
  }

  #shortTtl() {
    return this.#options.shortTokenTtlSeconds ?? SHORT_TTL;
  }

  #issue(shop: string, scope: string, ttlSeconds: number | null, prefix: string): string {
    const accessToken = token(prefix);
    this.#access.set(accessToken, {
      shop,
      scope,
      expiresMs: ttlSeconds === null ? null : this.#now() + ttlSeconds * 1000,
      used: false,
      revoked: false,
    });
    return accessToken;
  }

  #authorizationCode(shop: string, code: string, expiring: boolean): TokenResponse {
    const grant = this.#codes.get(code);
    if (!grant || grant.shop !== shop)
      return error('invalid_request', 'The authorization code was not found or was already used');
    this.#codes.delete(code);
    if (grant.perUser) {
      const ttl = this.#shortTtl();
      return {
        status: 200,
        body: {
          access_token: this.#issue(shop, grant.scope, ttl, 'shpua'),
          scope: grant.scope,
          expires_in: ttl,
          associated_user_scope: grant.scope,
          associated_user: {
            id: 902541635,
            first_name: 'Simulated',
            last_name: 'Staff',
            email: `staff@${shop.replace('.myshopify.com', '')}.example.com`,
            email_verified: true,
            account_owner: true,
            locale: 'en',
            collaborator: false,
          },
        },
      };
    }
    if (!expiring)
      return {
        status: 200,
        body: { access_token: this.#issue(shop, grant.scope, null, 'shpat'), scope: grant.scope },
      };
    this.#revokeExpiring(shop);
    return this.#expiringPair(shop, grant.scope);
  }

  #expiringPair(shop: string, scope: string): TokenResponse {
    const ttl = this.#options.accessTokenTtlSeconds ?? 3600;
    const refreshTtl = this.#options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TTL;
    const accessToken = this.#issue(shop, scope, ttl, 'shpat');
    const refreshToken = token('shprt');
    this.#refresh.set(refreshToken, {
      shop,
      scope,
      expiresMs: this.#now() + refreshTtl * 1000,
      accessToken,
      replacedBy: null,
    });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: ttl,
        refresh_token: refreshToken,
        refresh_token_expires_in: refreshTtl,
        scope,
      },
    };
  }

  /** Only one expiring offline token is active per app and shop: a new grant revokes earlier ones. */
  #revokeExpiring(shop: string) {
    for (const [value, refresh] of this.#refresh) {
      if (refresh.shop !== shop) continue;
      const access = this.#access.get(refresh.accessToken);
      if (access) access.revoked = true;
      this.#refresh.delete(value);
    }
  }

  #refreshGrant(shop: string, value: string): TokenResponse {
    const refresh = this.#refresh.get(value);
    const replacement = refresh?.replacedBy ? this.#access.get(refresh.replacedBy) : undefined;
    const usable = refresh && refresh.shop === shop && refresh.expiresMs > this.#now() && !replacement?.used;
    if (!refresh || !usable)
      return error('invalid_grant', 'The refresh token is invalid, expired or revoked');
    const access = this.#access.get(refresh.accessToken);
    if (access) access.revoked = true;
    if (replacement) replacement.revoked = true;
    const pair = this.#expiringPair(shop, refresh.scope);
    refresh.replacedBy = String(pair.body.access_token);
    return pair;
  }

  /** Issues an offline token without OAuth (tests, the CLI's printed tokens). */
  issue(shop: string, scope = ''): string {
    return this.#issue(shop, scope, null, 'shpat');
  }

  /** Revokes every access and refresh token of `shop`, as uninstalling the app does. */
  revokeShop(shop: string): void {
    for (const access of this.#access.values()) if (access.shop === shop) access.revoked = true;
    for (const [value, refresh] of this.#refresh) if (refresh.shop === shop) this.#refresh.delete(value);
  }

  /** The token's scope when it is valid for `shop` (and marks it used), else null. */
  verify(shop: string, accessToken: string | undefined): { scope: string } | null {
    const found = accessToken ? this.#access.get(accessToken) : undefined;
    if (!found || found.shop !== shop || found.revoked) return null;
    if (found.expiresMs !== null && found.expiresMs <= this.#now()) return null;
    if (!found.used) {
      found.used = true;
      this.#retireReplaced(accessToken as string);
    }
    return { scope: found.scope };
  }

  /** Once a refreshed access token is used, the refresh token that produced it stops working. */
  #retireReplaced(accessToken: string) {
    for (const [value, refresh] of this.#refresh) {
      if (refresh.replacedBy === accessToken) this.#refresh.delete(value);
    }
  }
}
