/**
 * A minimal client of Shopify's GraphQL Admin API for one shop: queries with throttling handled, the shop's
 * settings, and the app's webhook subscriptions.
 *
 * Sources (shopify.dev): docs/api/admin-graphql (endpoint `{base}/admin/api/{version}/graphql.json`,
 * `X-Shopify-Access-Token`); docs/api/usage/limits (calculated query cost, `extensions.cost.throttleStatus`,
 * the `THROTTLED` error); docs/api/admin-graphql/latest/mutations/webhookSubscriptionCreate.
 */

/** Thrown when a query fails for good: HTTP error, GraphQL errors, or throttled beyond the retries. */
export class AdminApiError extends Error {
  override name = 'AdminApiError';
  /** HTTP status of the last answer; 0 when Shopify did not answer. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type AdminClientOptions = {
  /** The shop's base URL (`https://{shop}` on Shopify). */
  baseUrl: string;
  /** Admin API version, e.g. `2026-04`. */
  apiVersion: string;
  accessToken: string;
  /** Retries of a throttled query before giving up; default 5 (`Infinity`: never give up on throttling). */
  maxRetries?: number;
  /**
   * Waits before each query until the leaky bucket (as the last answer's `throttleStatus` left it, refilled
   * at `restoreRate` since) holds the previous query's requested cost, so that a long run of queries rarely
   * gets throttled at all. Default false.
   */
  pace?: boolean;
  /** Longest single wait between retries, ms; default 10 000. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** The store's settings Shopsight keeps on its tenant. */
export type ShopInfo = {
  /** Global id, `gid://shopify/Shop/1`. */
  id: string;
  name: string;
  /** ISO 4217. */
  currencyCode: string;
  /** IANA time zone, e.g. `America/New_York`. */
  ianaTimezone: string;
  myshopifyDomain: string;
};

type ThrottleStatus = { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };

type GraphqlBody<T> = {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string } }[] | string;
  extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
};

/** `orders/create` -> `ORDERS_CREATE`, the `WebhookSubscriptionTopic` enum value. */
export function topicEnum(topic: string): string {
  return topic.replaceAll('/', '_').toUpperCase();
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ShopifyAdminClient {
  private readonly options: Required<Omit<AdminClientOptions, 'sleep'>> & {
    sleep: (ms: number) => Promise<void>;
  };
  /** The bucket as the last answer reported it, when (ms), and the cost that query asked for. */
  private bucket: { status: ThrottleStatus; at: number; requested: number } | null = null;

  constructor(options: AdminClientOptions) {
    this.options = { maxRetries: 5, maxWaitMs: 10_000, sleep: sleepFor, pace: false, ...options };
  }

  /** How long to wait for the bucket to hold the last requested cost again, ms (0 when it does). */
  private paceMs(): number {
    if (!this.options.pace || !this.bucket || this.bucket.status.restoreRate <= 0) return 0;
    const { status, at, requested } = this.bucket;
    const refilled = status.currentlyAvailable + ((Date.now() - at) / 1000) * status.restoreRate;
    const missing = Math.min(requested, status.maximumAvailable) - refilled;
    return missing > 0 ? Math.ceil((missing / status.restoreRate) * 1000) : 0;
  }

  /**
   * Runs one query or mutation and returns its `data`. A `THROTTLED` answer (or HTTP 429) is retried after
   * the time the bucket needs to refill the query's cost (`(requested - available) / restoreRate` seconds,
   * else `Retry-After`, else exponential), at most `maxRetries` times.
   *
   * @throws AdminApiError on an HTTP error (401 for a bad token), GraphQL errors, or too many throttles.
   */
  async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const { baseUrl, apiVersion, accessToken, maxRetries, maxWaitMs, sleep } = this.options;
    for (let attempt = 0; ; attempt++) {
      const pause = this.paceMs();
      if (pause > 0) await sleep(Math.min(maxWaitMs, pause));
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/admin/api/${apiVersion}/graphql.json`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'x-shopify-access-token': accessToken,
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        throw new AdminApiError(0, `Shopify Admin API did not answer: ${String(error)}`);
      }
      const body = (await response.json().catch(() => ({}))) as GraphqlBody<T>;
      const cost = body.extensions?.cost;
      if (cost?.throttleStatus) {
        this.bucket = {
          status: cost.throttleStatus,
          at: Date.now(),
          requested: cost.requestedQueryCost ?? 0,
        };
      }
      const throttled =
        response.status === 429 ||
        (Array.isArray(body.errors) && body.errors.some((e) => e.extensions?.code === 'THROTTLED'));
      if (throttled) {
        if (attempt >= maxRetries) throw new AdminApiError(response.status, 'throttled beyond the retries');
        await sleep(Math.min(maxWaitMs, waitMs(response, body, attempt)));
        continue;
      }
      if (!response.ok) {
        throw new AdminApiError(response.status, `Admin API answered HTTP ${response.status}`);
      }
      if (body.errors) {
        const messages = Array.isArray(body.errors)
          ? body.errors.map((e) => e.message ?? 'error').join('; ')
          : body.errors;
        throw new AdminApiError(response.status, `Admin API errors: ${messages}`);
      }
      if (!body.data) throw new AdminApiError(response.status, 'Admin API answered no data');
      return body.data;
    }
  }

  /** The shop's name, currency, time zone, domain and id. @throws AdminApiError */
  async fetchShop(): Promise<ShopInfo> {
    const data = await this.graphql<{ shop: ShopInfo }>(
      'query ShopsightShop { shop { id name currencyCode ianaTimezone myshopifyDomain } }',
    );
    return data.shop;
  }

  /**
   * Makes sure `callbackUrl` is subscribed to every topic in `topics` (`orders/create`...): lists the app's
   * subscriptions, creates the missing ones with `webhookSubscriptionCreate` (JSON format). Idempotent.
   *
   * @returns the topics created now and those already subscribed.
   * @throws AdminApiError, also when a creation answers `userErrors`.
   */
  async ensureWebhookSubscriptions(
    topics: readonly string[],
    callbackUrl: string,
  ): Promise<{ created: string[]; existing: string[] }> {
    const subscribed = new Set<string>();
    let after: string | null = null;
    do {
      const page: {
        webhookSubscriptions: {
          nodes: { topic: string; uri: string }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } = await this.graphql(
        `query ShopsightSubscriptions($after: String) {
          webhookSubscriptions(first: 250, after: $after) {
            nodes { topic uri }
            pageInfo { hasNextPage endCursor }
          }
        }`,
        { after },
      );
      for (const node of page.webhookSubscriptions.nodes) {
        if (node.uri === callbackUrl) subscribed.add(node.topic);
      }
      after = page.webhookSubscriptions.pageInfo.hasNextPage
        ? page.webhookSubscriptions.pageInfo.endCursor
        : null;
    } while (after);

    const created: string[] = [];
    const existing: string[] = [];
    for (const topic of topics) {
      if (subscribed.has(topicEnum(topic))) {
        existing.push(topic);
        continue;
      }
      const result = await this.graphql<{
        webhookSubscriptionCreate: { userErrors: { field: string[] | null; message: string }[] } | null;
      }>(
        `mutation ShopsightSubscribe($topic: WebhookSubscriptionTopic!, $uri: String!) {
          webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
            userErrors { field message }
          }
        }`,
        { topic: topicEnum(topic), uri: callbackUrl },
      );
      const errors = result.webhookSubscriptionCreate?.userErrors ?? [];
      if (errors.length > 0) {
        throw new AdminApiError(
          200,
          `webhook subscription ${topic}: ${errors.map((e) => e.message).join('; ')}`,
        );
      }
      created.push(topic);
    }
    return { created, existing };
  }
}

/** How long to wait before retrying a throttled query, ms. */
function waitMs(response: Response, body: GraphqlBody<unknown>, attempt: number): number {
  const cost = body.extensions?.cost;
  const status = cost?.throttleStatus;
  if (status && status.restoreRate > 0 && cost.requestedQueryCost !== undefined) {
    const missing = Math.max(0, cost.requestedQueryCost - status.currentlyAvailable);
    return Math.ceil((missing / status.restoreRate) * 1000) + 50;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  return 500 * 2 ** attempt;
}
