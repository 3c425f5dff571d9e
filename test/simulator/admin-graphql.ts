/**
 * The GraphQL Admin API request cycle (shopify.dev/docs/api/admin-graphql): parse and validate against
 * admin-schema.graphql, compute the requested cost, take it from the shop's bucket (or answer THROTTLED),
 * run the resolvers while counting the actual cost, give back the difference, and answer
 * `{ data, errors?, extensions: { cost: { requestedQueryCost, actualQueryCost, throttleStatus } } }` (as in
 * test/fixtures/shopify/graphql_product_with_cost_extensions.json).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildSchema,
  defaultFieldResolver,
  executeSync,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { RESOLVERS, type AdminContext } from './admin-resolvers.ts';
import { requestedCost, resolvedCost } from './query-cost.ts';
import type { LeakyBucket, ThrottleOptions } from './throttle.ts';

let schema: GraphQLSchema | null = null;

/** admin-schema.graphql, built once. */
export function adminSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(resolve(import.meta.dirname, 'admin-schema.graphql'), 'utf8'));
  return schema;
}

type Resolve = (source: unknown, args: unknown, context: AdminContext, info: unknown) => unknown;

/** Calls the type's resolver (or reads the property) and adds the field to the actual cost of a query. */
const fieldResolver: GraphQLFieldResolver<unknown, AdminContext> = (source, args, context, info) => {
  const own = RESOLVERS[info.parentType.name]?.[info.fieldName] as Resolve | undefined;
  const value = own ? own(source, args, context, info) : defaultFieldResolver(source, args, context, info);
  if (info.operation.operation === 'query') context.cost.actual += resolvedCost(info.returnType, value);
  return value;
};

/** Runs an already checked document (bulk operations use this for each chunk). */
export function executeAdmin(
  document: DocumentNode,
  context: AdminContext,
  variables?: Record<string, unknown>,
): ExecutionResult {
  return executeSync({
    schema: adminSchema(),
    document,
    contextValue: context,
    variableValues: variables ?? null,
    fieldResolver,
  });
}

export type GraphqlOutcome = {
  status: number;
  body: Record<string, unknown>;
  /** For HTTP 429 in `429` throttle mode. */
  retryAfterSeconds?: number;
};

type ErrorLike = { message: string; locations?: unknown; path?: unknown; extensions?: unknown };

function errorBody(errors: readonly ErrorLike[]) {
  return {
    errors: errors.map((error) => ({
      message: error.message,
      ...(error.locations ? { locations: error.locations } : {}),
      ...(error.path ? { path: error.path } : {}),
      ...(error.extensions && Object.keys(error.extensions).length > 0
        ? { extensions: error.extensions }
        : {}),
    })),
  };
}

/**
 * Answers one GraphQL request body for a shop.
 * @param throttle the shop's bucket and the throttling options (single query limit, 429 mode)
 */
export function answerGraphql(
  body: unknown,
  context: AdminContext,
  throttle: { bucket: LeakyBucket; options: ThrottleOptions },
): GraphqlOutcome {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof request.query !== 'string' || request.query.trim() === '') {
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return { status: 200, body: errorBody([error as GraphQLError]) };
  }
  const validation = validate(adminSchema(), document);
  if (validation.length > 0) return { status: 200, body: errorBody(validation) };
  const operationName = typeof request.operationName === 'string' ? request.operationName : null;
  const operation = getOperationAST(document, operationName);
  if (!operation)
    return { status: 200, body: errorBody([{ message: 'Unknown or ambiguous operation name' }]) };
  const coerced = getVariableValues(
    adminSchema(),
    operation.variableDefinitions ?? [],
    (request.variables ?? {}) as Record<string, unknown>,
  );
  if (coerced.errors) return { status: 200, body: errorBody(coerced.errors) };
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }

  const requested = requestedCost(adminSchema(), operation, fragments, coerced.coerced);
  const { bucket, options } = throttle;
  const cost = (actual: number | null) => ({
    cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() },
  });
  const maxCost = options.maxSingleQueryCost ?? 1000;
  if (requested > maxCost) {
    const message = `Query cost is ${requested}, which exceeds the single query max cost limit (${maxCost}).`;
    return {
      status: 200,
      body: {
        ...errorBody([{ message, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost } }]),
        extensions: cost(null),
      },
    };
  }
  if (!bucket.take(requested)) {
    const throttled = {
      ...errorBody([
        {
          message: 'Throttled',
          extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
        },
      ]),
      extensions: cost(null),
    };
    if (options.mode === '429')
      return { status: 429, body: throttled, retryAfterSeconds: bucket.secondsUntil(requested) };
    return { status: 200, body: throttled };
  }

  const result = executeAdmin(document, context, request.variables as Record<string, unknown> | undefined);
  const actual = operation.operation === 'mutation' ? requested : context.cost.actual;
  bucket.refund(requested - actual);
  return {
    status: 200,
    body: {
      ...(result.errors ? errorBody(result.errors) : {}),
      data: result.data ?? null,
      extensions: {
        ...cost(actual),
        ...(context.searchWarnings.length > 0 ? { search: context.searchWarnings } : {}),
      },
    },
  };
}
