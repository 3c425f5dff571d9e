/**
 * The OpenAPI 3 document of the HTTP API, generated from the routes' zod schemas (@fastify/swagger with
 * fastify-type-provider-zod's transform), served at `GET /api/openapi.json`, with a browsable UI at `/docs`
 * (@fastify/swagger-ui). Both are public: the document describes the API, it holds no data.
 *
 * Register before the routes: @fastify/swagger collects routes as they are added.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export async function registerOpenApi(app: FastifyInstance, version: string) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Shopsight API',
        version,
        description:
          'Self-hostable Shopify data platform. Money: decimal strings in the shop currency. Times: UTC ISO-8601. ' +
          'Shopify ids: decimal strings. Errors: `{ error: { code, message, requestId } }`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Operator token, session token or API key' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
