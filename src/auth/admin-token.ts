/**
 * The operator's bearer token (`SHOPSIGHT_ADMIN_TOKEN`). Until user accounts exist it guards every
 * `/api/v1` route. Compared timing-safe; never logged.
 */
import type { FastifyInstance } from 'fastify';
import { secretsEqual } from '../lib/crypto.ts';
import { HttpError } from '../http/errors.ts';

/** Adds a hook to `scope` that answers 401 `unauthorized` unless `Authorization: Bearer <token>` matches. */
export function requireAdminToken(scope: FastifyInstance, token: string) {
  scope.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !secretsEqual(match[1]!, token)) {
      throw new HttpError(401, 'unauthorized', 'a valid bearer token is required', {
        'www-authenticate': 'Bearer realm="shopsight"',
      });
    }
  });
}
