/**
 * The dashboard: serves the built single-page app (`web/dist`, made by `npm run build:web`) at `/`.
 * Files under `/assets/` carry a content hash in their name and are cached for a year; any other GET that
 * is not an API or webhook path answers `index.html` (the app routes in the browser). Without a build, such
 * GETs answer a 503 page that says how to make one. Outside `/api/v1`, so no credentials are asked for: the
 * app itself holds no data, it calls the API with the session cookie.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Where `npm run build:web` writes the app. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shopsight: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>The Shopsight API is running, but the web app has not been built in <code>web/dist</code>.
Run <code>npm run build:web</code> (or <code>npm install</code>, which runs it) and reload.</p>
</body></html>
`;

/** API and webhook paths never fall back to the app: an unknown one stays a JSON 404. */
const isServerPath = (request: FastifyRequest) => /^\/(api|webhooks|shopify)(\/|$)/.test(request.url);

/** Registers the app's files and the SPA fallback on `app`, from `dir` (default `web/dist`). */
export async function webRoutes(app: FastifyInstance, options: { dir?: string | undefined }) {
  const dir = options.dir ?? WEB_DIST_DIR;
  const built = existsSync(`${dir}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  // Page loads are not worth an access-log line each (the API's requests are logged); failures still are.
  app.get('/*', { logLevel: 'warn' }, async (request, reply) => {
    if (isServerPath(request)) return reply.callNotFound();
    if (!built) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
