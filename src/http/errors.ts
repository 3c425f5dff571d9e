/**
 * The one error shape of the HTTP API: `{ error: { code, message, requestId } }`, with a machine-readable
 * `code`. A 5xx exposes nothing internal; the details go to the log under the same request id.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** An error with an HTTP status and a machine-readable code, answered as is. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

export const notFound = (code: string, message: string) => new HttpError(404, code, message);

/** The body of an error answer. */
export function errorBody(code: string, message: string, requestId: string) {
  return { error: { code, message, requestId } };
}

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', 'request body is larger than the limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'content type is not supported'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'request body is empty'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'invalid_content_length',
    'content length does not match the body',
  ],
};

/** Installs the error and not-found handlers on `app`. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send(errorBody(error.code, error.message, request.id));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const detail = error.validation
        .map((issue) => `${issue.instancePath || error.validationContext || 'request'}: ${issue.message}`)
        .join('; ');
      return reply.code(400).send(errorBody('invalid_request', detail, request.id));
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.code(known[0]).send(errorBody(known[1], known[2], request.id));
    if (
      error instanceof SyntaxError ||
      (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    ) {
      return reply.code(error.statusCode ?? 400).send(errorBody('bad_request', error.message, request.id));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal_error', 'internal error', request.id));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`, request.id),
      ),
  );
}
