/**
 * A minimal GraphQL Admin API client for the simulator's tests and scripts: one POST per query to
 * `{shopBaseUrl}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`, answer parsed as JSON.
 */

export type GraphqlAnswer = {
  status: number;
  headers: Headers;
  // The tests read into responses freely; the shape is checked by their assertions.
  body: { data?: Record<string, unknown> | null; errors?: unknown; extensions?: Record<string, unknown> };
};

export type AdminClient = {
  graphql(query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer>;
};

/** A client for one shop. `baseUrl` is the simulator's `shopBaseUrl(shop)`. */
export function adminClient(baseUrl: string, accessToken: string, version = '2026-04'): AdminClient {
  return {
    async graphql(query, variables = {}) {
      const response = await fetch(`${baseUrl}/admin/api/${version}/graphql.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphqlAnswer['body'],
      };
    },
  };
}

/** `body.data` at a dotted path (`orders.pageInfo`), for terse assertions. @throws Error when missing */
export function dataAt<T>(answer: GraphqlAnswer, path: string): T {
  let value: unknown = answer.body.data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') {
      throw new Error(`no ${path} in ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value as T;
}
