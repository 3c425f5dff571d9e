/**
 * Store connections: how a tenant gets (and keeps) Admin API access and its webhook subscriptions.
 *
 * - OAuth install (public app): the authorize URL, then `completeOAuth` exchanges the code for an expiring
 *   offline token, creates or reconnects the shop's tenant, subscribes the webhooks.
 * - Custom-app mode: an existing tenant connected with a custom app's Admin API token, or through the
 *   client credentials grant with a client id and secret.
 * - `accessTokenFor`: the tenant's token, refreshed first when it is about to expire.
 * Tokens are sealed (AES-256-GCM, `SecretBox`) before they reach the database and are never logged or
 * returned by the API.
 */
import type { Logger } from 'pino';
import { HttpError, notFound } from '../http/errors.ts';
import type { SecretBox } from '../lib/crypto.ts';
import { AdminApiError, ShopifyAdminClient, type ShopInfo } from '../shopify/admin-client.ts';
import {
  ShopifyOAuthError,
  authorizeUrl,
  clientCredentialsToken,
  exchangeCode,
  refreshAccessToken,
  shopBaseUrl,
  type AppCredentials,
  type TokenGrant,
} from '../shopify/oauth.ts';
import { INGESTED_TOPICS } from '../shopify/topics.ts';
import type { ConnectionRepository } from './connection.repository.ts';
import type { TenantRecord } from './tenant.repository.ts';
import type { TenantDirectory } from './tenant-directory.ts';

/** Every topic Shopsight subscribes a connected store to: what it ingests, and the uninstall notice. */
export const SUBSCRIBED_TOPICS: readonly string[] = [...INGESTED_TOPICS, 'app/uninstalled'];

/** A token that expires within this many ms is refreshed before use. */
const REFRESH_MARGIN_MS = 5 * 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Shopify settings of the configuration (`SHOPIFY_*`, and the public URL webhooks are sent to). */
export type ShopifySettings = {
  apiKey: string | undefined;
  apiSecret: string | undefined;
  /** Comma-separated access scopes asked for at install. */
  scopes: string;
  /** `SHOPIFY_APP_URL`: the OAuth redirect is `${appUrl}/shopify/callback`. */
  appUrl: string | undefined;
  apiVersion: string;
  /** `https://{shop}` or the simulator's `http://127.0.0.1:4010/shops/{shop}`. */
  adminBaseUrl: string;
  /** `${SHOPSIGHT_PUBLIC_URL or SHOPIFY_APP_URL}/webhooks/shopify`; undefined when neither is set. */
  webhookUrl: string | undefined;
};

/** What the API shows of a connection: never a token. Times are UTC ISO-8601. */
export type ConnectionView = {
  status: 'manual' | 'connected' | 'disconnected';
  method: string | null;
  /** Granted scopes, e.g. `['read_orders']`; null when unknown (custom-app tokens). */
  scopes: string[] | null;
  installedAt: string | null;
  uninstalledAt: string | null;
  accessTokenExpiresAt: string | null;
};

export type CustomAppInput =
  | { method: 'custom_app'; accessToken: string; webhookSecret?: string | undefined }
  | { method: 'client_credentials'; clientId: string; clientSecret: string };

export type ConnectionServiceOptions = {
  repository: ConnectionRepository;
  secrets: SecretBox;
  directory: TenantDirectory;
  settings: ShopifySettings;
  log: Logger;
  /** Clock, Unix ms; default `Date.now` (tests move it to reach expiry). */
  now?: () => number;
};

export class ConnectionService {
  private readonly repository: ConnectionRepository;
  private readonly secrets: SecretBox;
  private readonly directory: TenantDirectory;
  private readonly settings: ShopifySettings;
  private readonly log: Logger;
  private readonly now: () => number;
  /** One refresh at a time per tenant in this process: a refresh token must not be spent twice. */
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(options: ConnectionServiceOptions) {
    this.repository = options.repository;
    this.secrets = options.secrets;
    this.directory = options.directory;
    this.settings = options.settings;
    this.log = options.log;
    this.now = options.now ?? Date.now;
  }

  /**
   * Where to send the merchant's browser to install the app on `shop` (already checked against
   * `SHOP_DOMAIN_PATTERN`), with the `state` nonce the callback must bring back.
   *
   * @throws HttpError 503 `oauth_not_configured` without `SHOPIFY_API_KEY`, `SHOPIFY_API_SECRET` and
   *   `SHOPIFY_APP_URL`.
   */
  installUrl(shop: string, state: string): string {
    const { clientId, appUrl } = this.oauthApp();
    return authorizeUrl(this.base(shop), {
      clientId,
      scopes: this.settings.scopes,
      redirectUri: `${appUrl}/shopify/callback`,
      state,
    });
  }

  /** The app secret the OAuth redirect's query is signed with. @throws HttpError 503 as `installUrl`. */
  callbackSecret(): string {
    return this.oauthApp().clientSecret;
  }

  /**
   * Finishes an OAuth install from a verified callback: exchanges `code` for an expiring offline token,
   * then `completeInstall`.
   *
   * @throws HttpError 400 `shopify_grant_refused` (used or unknown code), 502 `shopify_unavailable`.
   */
  async completeOAuth(shop: string, code: string): Promise<TenantRecord> {
    const app = this.oauthApp();
    const grant = await shopifyCall(() => exchangeCode(this.base(shop), app, code, this.now()));
    return this.completeInstall(shop, grant);
  }

  /**
   * Connects `shop` with an OAuth token grant: seals the tokens, creates the tenant (name, currency and
   * time zone from the store) or reconnects the existing one (history kept, status `connected`,
   * `uninstalled_at` cleared), refreshes the webhook intake's directory, then subscribes the webhooks.
   * Webhooks of an OAuth app are signed with the app secret, so the tenant's own webhook secret is cleared.
   *
   * @throws HttpError 400/502 when Shopify refuses the token or cannot be reached.
   */
  async completeInstall(shop: string, grant: TokenGrant): Promise<TenantRecord> {
    const client = this.client(shop, grant.accessToken);
    const info = await shopifyCall(() => client.fetchShop());
    const row = await this.repository.upsertConnected(shop.toLowerCase(), info.name, {
      ...this.connectionValues('oauth', grant, grant.refreshToken),
      ...shopValues(info),
      webhookSecretEncrypted: null,
    });
    await this.directory.refresh();
    await this.subscribe(client);
    this.log.info({ tenantId: row.id, shop: row.shopDomain, method: 'oauth' }, 'store connected');
    return row;
  }

  /**
   * Connects an existing tenant in custom-app mode: with a custom app's Admin API token (and the app's
   * webhook signing secret, else `SHOPIFY_API_SECRET` is used), or through the client credentials grant
   * (the client secret then signs the webhooks, and is kept sealed to renew the day-long token). The
   * token must belong to the tenant's own store.
   *
   * @throws HttpError 404 `tenant_not_found`; 400 `invalid_access_token`, `shopify_grant_refused` or
   *   `shop_mismatch`; 502 `shopify_unavailable`; 503 `public_url_not_configured`.
   */
  async connectCustomApp(tenantId: string, input: CustomAppInput): Promise<TenantRecord> {
    const tenant = await this.record(tenantId);
    if (!this.settings.webhookUrl) throw publicUrlMissing();
    const shop = tenant.shopDomain;
    let grant: TokenGrant;
    let renewal: string | null = null;
    let webhookSecret: string | null | undefined;
    if (input.method === 'custom_app') {
      grant = {
        accessToken: input.accessToken,
        scopes: '',
        expiresAt: null,
        refreshToken: null,
        refreshTokenExpiresAt: null,
      };
      webhookSecret = input.webhookSecret;
    } else {
      const app = { clientId: input.clientId, clientSecret: input.clientSecret };
      grant = await shopifyCall(() => clientCredentialsToken(this.base(shop), app, this.now()));
      renewal = JSON.stringify(app);
      webhookSecret = input.clientSecret;
    }
    const client = this.client(shop, grant.accessToken);
    const info = await shopifyCall(() => client.fetchShop());
    if (info.myshopifyDomain.toLowerCase() !== shop) {
      throw new HttpError(400, 'shop_mismatch', `the token belongs to ${info.myshopifyDomain}, not ${shop}`);
    }
    const row = await this.repository.update(tenantId, {
      ...this.connectionValues(input.method, grant, renewal),
      ...shopValues(info),
      ...(webhookSecret !== undefined && { webhookSecretEncrypted: this.secrets.seal(webhookSecret) }),
    });
    if (!row) throw notFound('tenant_not_found', 'tenant not found');
    await this.directory.refresh();
    await this.subscribe(client);
    this.log.info({ tenantId, shop, method: input.method }, 'store connected');
    return row;
  }

  /**
   * The tenant's Admin API access token, opened. A token expiring within 5 minutes is renewed first (a
   * refresh for an OAuth expiring token, a new client credentials grant) and the new tokens are stored.
   *
   * @throws HttpError 404 `tenant_not_found`, 409 `not_connected`, 400/502 when Shopify refuses the renewal.
   */
  async accessTokenFor(tenantId: string): Promise<string> {
    const tenant = await this.record(tenantId);
    if (tenant.connectionStatus !== 'connected' || !tenant.accessTokenEncrypted) {
      throw new HttpError(409, 'not_connected', 'the store is not connected');
    }
    const expiresAt = tenant.accessTokenExpiresAt ? Date.parse(tenant.accessTokenExpiresAt) : null;
    if (expiresAt === null || expiresAt - this.now() > REFRESH_MARGIN_MS || !tenant.refreshTokenEncrypted) {
      return this.secrets.open(tenant.accessTokenEncrypted);
    }
    const pending = this.refreshing.get(tenantId);
    if (pending) return pending;
    const refresh = this.renew(tenant).finally(() => this.refreshing.delete(tenantId));
    this.refreshing.set(tenantId, refresh);
    return refresh;
  }

  /** The tenant's connection, without tokens. @throws HttpError 404 `tenant_not_found`. */
  async connection(tenantId: string): Promise<ConnectionView> {
    const row = await this.record(tenantId);
    const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
    return {
      status: row.connectionStatus,
      method: row.connectionMethod,
      scopes: row.scopes ? row.scopes.split(',').filter(Boolean) : null,
      installedAt: iso(row.installedAt),
      uninstalledAt: iso(row.uninstalledAt),
      accessTokenExpiresAt: iso(row.accessTokenExpiresAt),
    };
  }

  private async renew(tenant: TenantRecord): Promise<string> {
    const base = this.base(tenant.shopDomain);
    const sealed = tenant.refreshTokenEncrypted!;
    let grant: TokenGrant;
    let renewal: string | null;
    if (tenant.connectionMethod === 'client_credentials') {
      renewal = this.secrets.open(sealed);
      const app = JSON.parse(renewal) as AppCredentials;
      grant = await shopifyCall(() => clientCredentialsToken(base, app, this.now()));
    } else {
      const app = this.oauthApp();
      grant = await shopifyCall(() => refreshAccessToken(base, app, this.secrets.open(sealed), this.now()));
      renewal = grant.refreshToken;
    }
    await this.repository.update(tenant.id, {
      accessTokenEncrypted: this.secrets.seal(grant.accessToken),
      accessTokenExpiresAt: grant.expiresAt,
      refreshTokenEncrypted: renewal === null ? null : this.secrets.seal(renewal),
      refreshTokenExpiresAt: grant.refreshTokenExpiresAt,
      ...(grant.scopes && { scopes: grant.scopes }),
    });
    this.log.info({ tenantId: tenant.id, method: tenant.connectionMethod }, 'access token renewed');
    return grant.accessToken;
  }

  /**
   * The connection columns for a grant. `renewal` is what renews the token, sealed into the refresh-token
   * column: the refresh token of an OAuth expiring token, or for the client credentials grant (which has
   * none) the client id and secret that ask for a new token.
   */
  private connectionValues(method: string, grant: TokenGrant, renewal: string | null) {
    return {
      connectionStatus: 'connected' as const,
      connectionMethod: method,
      accessTokenEncrypted: this.secrets.seal(grant.accessToken),
      accessTokenExpiresAt: grant.expiresAt,
      refreshTokenEncrypted: renewal === null ? null : this.secrets.seal(renewal),
      refreshTokenExpiresAt: grant.refreshTokenExpiresAt,
      scopes: grant.scopes || null,
      installedAt: new Date(this.now()).toISOString(),
      uninstalledAt: null,
    };
  }

  private async subscribe(client: ShopifyAdminClient): Promise<void> {
    if (!this.settings.webhookUrl) throw publicUrlMissing();
    const url = this.settings.webhookUrl;
    await shopifyCall(() => client.ensureWebhookSubscriptions(SUBSCRIBED_TOPICS, url));
  }

  private client(shop: string, accessToken: string): ShopifyAdminClient {
    return new ShopifyAdminClient({
      baseUrl: this.base(shop),
      apiVersion: this.settings.apiVersion,
      accessToken,
    });
  }

  private base(shop: string): string {
    return shopBaseUrl(this.settings.adminBaseUrl, shop);
  }

  private oauthApp(): AppCredentials & { appUrl: string } {
    const { apiKey, apiSecret, appUrl } = this.settings;
    if (!apiKey || !apiSecret || !appUrl) {
      throw new HttpError(
        503,
        'oauth_not_configured',
        'installing needs SHOPIFY_API_KEY, SHOPIFY_API_SECRET and SHOPIFY_APP_URL',
      );
    }
    return { clientId: apiKey, clientSecret: apiSecret, appUrl };
  }

  private async record(id: string): Promise<TenantRecord> {
    const row = UUID.test(id) ? await this.repository.get(id) : undefined;
    if (!row) throw notFound('tenant_not_found', 'tenant not found');
    return row;
  }
}

function shopValues(info: ShopInfo) {
  return {
    timezone: info.ianaTimezone,
    currency: info.currencyCode,
    shopifyShopId: /\/(\d+)$/.exec(info.id)?.[1] ?? null,
  };
}

const publicUrlMissing = () =>
  new HttpError(
    503,
    'public_url_not_configured',
    'subscribing webhooks needs SHOPSIGHT_PUBLIC_URL or SHOPIFY_APP_URL',
  );

/**
 * Runs a call to Shopify and turns its failures into API answers: a refused grant is 400
 * `shopify_grant_refused`, a rejected token 400 `invalid_access_token`, anything else 502
 * `shopify_unavailable` (the caller may retry).
 */
async function shopifyCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ShopifyOAuthError && error.status >= 400 && error.status < 500) {
      throw new HttpError(400, 'shopify_grant_refused', `Shopify refused the grant (${error.code})`);
    }
    if (error instanceof AdminApiError && (error.status === 401 || error.status === 403)) {
      throw new HttpError(400, 'invalid_access_token', 'Shopify refused the access token');
    }
    if (error instanceof ShopifyOAuthError || error instanceof AdminApiError) {
      throw new HttpError(502, 'shopify_unavailable', error.message);
    }
    throw error;
  }
}
