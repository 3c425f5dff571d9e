/**
 * The ingestion API: `POST /api/v1/tenants/:tenantId/ingest/{customers,products,orders}` with a JSON body
 * `{ "items": [ ...1 to 1,000 Shopify REST/webhook objects... ] }` (an object rather than a bare array, so
 * that batch-level fields can be added later without breaking clients). The answer is 200 with one result
 * per item (`accepted`, or `rejected` with a reason) whenever the batch itself is well-formed, even if every
 * item is rejected; 400 `batch_too_large` above 1,000 items, 400 `invalid_request` for another shape, 413
 * above 20 MB. Needs `ingest:write` (tenant owners and admins, keys with the `ingest:write` scope).
 *
 * Bodies are `application/json` (else 415), parsed losslessly (src/lib/json.ts) in this scope only: Shopify
 * ids are 64-bit integers that `JSON.parse` would round.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../auth/access.ts';
import type { RouteDependencies } from '../http/server.ts';
import { HttpError } from '../http/errors.ts';
import { parseJsonLossless, type JsonValue } from '../lib/json.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import { INGEST_ENTITIES, IngestService, MAX_BATCH_ITEMS } from './ingest.service.ts';

/** Room for 1,000 large orders (Shopify order JSON with many lines runs to several kB each). */
export const INGEST_BODY_LIMIT = 20 * 1024 * 1024;

export const ingestBody = z.strictObject({
  items: z.array(z.custom<JsonValue>()).min(1, 'a batch needs at least one item'),
});

const itemResult = z.discriminatedUnion('status', [
  z.object({ index: z.number(), id: z.string().optional(), status: z.literal('accepted') }),
  z.object({
    index: z.number(),
    id: z.string().optional(),
    status: z.literal('rejected'),
    reason: z.string(),
  }),
]);

export const ingestResponse = z.object({
  accepted: z.number(),
  rejected: z.number(),
  results: z.array(itemResult),
});

export type IngestBody = z.infer<typeof ingestBody>;
export type IngestResponse = z.infer<typeof ingestResponse>;

export async function ingestRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const { db } = deps;
  const ingest = new IngestService(db, deps.metrics, (tenantIds) =>
    deps.analyticsCache.invalidate(tenantIds),
  );

  // JSON only: any other content type is a 415, not a confusing validation error on a string body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: INGEST_BODY_LIMIT },
    (_request, body, done) => {
      try {
        done(null, parseJsonLossless(body as string));
      } catch {
        done(new HttpError(400, 'invalid_json', 'request body is not valid JSON'), undefined);
      }
    },
  );

  const api = app.withTypeProvider<ZodTypeProvider>();
  for (const entity of INGEST_ENTITIES) {
    api.post(
      `/tenants/:tenantId/ingest/${entity}`,
      {
        bodyLimit: INGEST_BODY_LIMIT,
        schema: { params: tenantParams, body: ingestBody, response: { 200: ingestResponse } },
        // Authorized before the body is read, unlike other routes: only callers who may write pay for
        // reading and parsing up to 20 MB. Authentication has run already (the /api/v1 onRequest hook).
        onRequest: async (request) => {
          await authorize(db, request.principal, [request.params.tenantId], 'ingest:write');
        },
      },
      async (request) => {
        const { items } = request.body;
        if (items.length > MAX_BATCH_ITEMS) {
          throw new HttpError(
            400,
            'batch_too_large',
            `a batch holds at most ${MAX_BATCH_ITEMS} items; this one has ${items.length}`,
          );
        }
        return ingest.ingest(request.params.tenantId, entity, items);
      },
    );
  }
}
