/**
 * What the sync asks of one shop's Admin GraphQL API: bulk operations (run, status) and pages of recently
 * updated records or of ids. Throttling is paced and retried by the client (`pace`, unlimited throttle
 * retries); answers that say nothing about the store's health (network errors, 5xx) are retried here with a
 * capped backoff, a bounded number of times, after which the job fails and the queue retries it later.
 * Authentication errors and other 4xx are not retried: they fail the job at once.
 *
 * Sources (shopify.dev): docs/api/usage/bulk-operations/queries (bulkOperationRunQuery, one operation per
 * shop at a time, `currentBulkOperation`, `node(id)` polling, the result `url`); docs/api/usage/limits.
 */
import { AdminApiError, ShopifyAdminClient } from '../shopify/admin-client.ts';
import type { JsonObject } from '../lib/json.ts';
import { idsQuery, LOCATIONS_QUERY, pageQuery, ROOT_FIELD, type SyncedResource } from './graphql-shapes.ts';

export type BulkStatus =
  'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';

/** A bulk operation as Shopify reports it; counts are numbers, `url` null until COMPLETED (or if empty). */
export type BulkOperation = {
  id: string;
  status: BulkStatus;
  errorCode: string | null;
  query: string;
  objectCount: number;
  rootObjectCount: number;
  url: string | null;
};

const OPERATION_FIELDS = 'id status errorCode query objectCount rootObjectCount url';

type RawOperation = Omit<BulkOperation, 'objectCount' | 'rootObjectCount'> & {
  objectCount: string;
  rootObjectCount: string;
};

const operation = (raw: RawOperation | null): BulkOperation | null =>
  raw && { ...raw, objectCount: Number(raw.objectCount), rootObjectCount: Number(raw.rootObjectCount) };

/** Network errors and 5xx: worth another try. */
export const isTransient = (error: unknown) =>
  error instanceof AdminApiError && (error.status === 0 || error.status >= 500);

export type ShopifySourceOptions = {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  /** Tries of a query failing transiently; default 8. */
  transientTries?: number;
  /** Longest wait between tries, ms; default 30 000. */
  maxBackoffMs?: number;
  /** Told of every wait for Shopify's rate limit (pacing or a throttled answer), in ms: for metrics. */
  onThrottleWait?: (ms: number) => void;
};

export class ShopifySource {
  private readonly client: ShopifyAdminClient;
  private readonly tries: number;
  private readonly maxBackoffMs: number;

  constructor(options: ShopifySourceOptions) {
    this.client = new ShopifyAdminClient({
      baseUrl: options.baseUrl,
      apiVersion: options.apiVersion,
      accessToken: options.accessToken,
      // Throttling means the store is healthy and busy: wait for the bucket as long as it takes.
      maxRetries: Infinity,
      maxWaitMs: 60_000,
      pace: true,
      sleep: (ms) => {
        options.onThrottleWait?.(ms);
        return new Promise<void>((resolve) => setTimeout(resolve, ms));
      },
    });
    this.tries = options.transientTries ?? 8;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  private async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.graphql<T>(query, variables);
      } catch (error) {
        if (!isTransient(error) || attempt >= this.tries) throw error;
        await sleep(Math.min(this.maxBackoffMs, 250 * 2 ** attempt));
      }
    }
  }

  /**
   * Starts a bulk query. Returns the operation, or `inProgress` when the shop already runs one (Shopify
   * allows one bulk query per shop and app): that one is returned so the caller can wait for it or adopt it.
   *
   * @throws AdminApiError on refusal for another reason (an invalid query).
   */
  async runBulk(query: string): Promise<{ operation: BulkOperation } | { inProgress: BulkOperation | null }> {
    const data = await this.query<{
      bulkOperationRunQuery: {
        bulkOperation: RawOperation | null;
        userErrors: { message: string; code: string | null }[];
      };
    }>(
      `mutation ShopsightBulk($query: String!) {
        bulkOperationRunQuery(query: $query) { bulkOperation { ${OPERATION_FIELDS} } userErrors { message code } }
      }`,
      { query },
    );
    const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
    if (userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS')) {
      return { inProgress: await this.currentBulk() };
    }
    if (userErrors.length > 0 || !bulkOperation) {
      throw new AdminApiError(200, `bulk query refused: ${userErrors.map((e) => e.message).join('; ')}`);
    }
    return { operation: operation(bulkOperation)! };
  }

  /** The shop's latest bulk query operation, or null. */
  async currentBulk(): Promise<BulkOperation | null> {
    const data = await this.query<{ currentBulkOperation: RawOperation | null }>(
      `{ currentBulkOperation { ${OPERATION_FIELDS} } }`,
    );
    return operation(data.currentBulkOperation);
  }

  /** The operation of `id`, or null when Shopify no longer knows it. */
  async bulk(id: string): Promise<BulkOperation | null> {
    const data = await this.query<{ node: RawOperation | null }>(
      `query ShopsightBulkStatus($id: ID!) { node(id: $id) { ... on BulkOperation { ${OPERATION_FIELDS} } } }`,
      { id },
    );
    return data.node && 'status' in data.node ? operation(data.node) : null;
  }

  /**
   * One page of `resource` updated at or after `since` (UTC ISO-8601), oldest update first. Shopify's
   * `updated_at:>=` bound is inclusive; the caller's overlap window covers clock skew and late commits.
   */
  async updatedSince(
    resource: SyncedResource,
    since: string | null,
    after: string | null,
  ): Promise<{ nodes: JsonObject[]; endCursor: string | null; hasNextPage: boolean }> {
    const data = await this.query<Record<string, Page>>(pageQuery(resource), {
      after,
      query: since ? `updated_at:>='${since}'` : null,
    });
    const page = data[ROOT_FIELD[resource]] as Page;
    return { nodes: page.nodes, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
  }

  /** One page of the global ids of `resource`, in id order. */
  async ids(
    resource: SyncedResource,
    after: string | null,
  ): Promise<{ ids: string[]; endCursor: string | null; hasNextPage: boolean }> {
    const data = await this.query<Record<string, Page>>(idsQuery(resource), { after });
    const page = data[ROOT_FIELD[resource]] as Page;
    return {
      ids: page.nodes.map((node) => String(node.id)),
      endCursor: page.pageInfo.endCursor,
      hasNextPage: page.pageInfo.hasNextPage,
    };
  }

  /** One page of the shop's locations (inactive ones included), in id order. */
  async locations(
    after: string | null,
  ): Promise<{ nodes: JsonObject[]; endCursor: string | null; hasNextPage: boolean }> {
    const data = await this.query<{ locations: Page }>(LOCATIONS_QUERY, { after });
    const page = data.locations;
    return { nodes: page.nodes, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
  }

  /** Which of `gids` (at most 250) Shopify still has. */
  async existing(gids: string[]): Promise<Set<string>> {
    const data = await this.query<{ nodes: ({ id: string } | null)[] }>(
      'query ShopsightSyncExisting($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      { ids: gids },
    );
    return new Set(data.nodes.flatMap((node) => (node ? [node.id] : [])));
  }
}

type Page = { nodes: JsonObject[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
