/**
 * `POST /webhooks/shopify`: Shopify's webhook delivery contract (shopify.dev/docs/apps/build/webhooks).
 *
 * Order of checks, cheapest trust first:
 * 1. The body arrives raw (any content type), up to the configured limit, else 413.
 * 2. The tenant comes from `X-Shopify-Shop-Domain`, looked up in the in-memory directory only; the HMAC
 *    of the raw body is checked timing-safe. Missing or bad signature, or an unknown shop: 401, the same
 *    answer, so shops cannot be probed. Nothing else keyed on an unverified header runs before this.
 * 3. No topic: 400. Not a JSON object (or not UTF-8): 400. Nested deeper than `MAX_JSON_DEPTH`: 400.
 * 4. The delivery is committed to the inbox (group commit) and only then answered 200. A duplicate
 *    (same `X-Shopify-Event-Id`, else `X-Shopify-Webhook-Id`) is answered 200 and stored once. If the inbox
 *    cannot be written: 503 with Retry-After, so Shopify retries.
 * Nothing heavier runs before the answer: normalization is the worker's job.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../lib/metrics.ts';
import { errorBody } from '../http/errors.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/json.ts';
import { verifyWebhookHmac } from '../shopify/hmac.ts';
import { WEBHOOK_HEADERS } from '../shopify/topics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import type { InboxWriter } from './inbox.repository.ts';

export type WebhookRouteOptions = {
  directory: TenantDirectory;
  inbox: InboxWriter;
  metrics: Metrics;
  bodyLimit: number;
  /** Deliveries waiting for the inbox beyond which intake answers 503 instead of queueing more. */
  maxPending?: number;
};

// Verifying against a throwaway secret for unknown shops keeps their answer as slow as a bad signature's.
const UNKNOWN_SHOP_SECRET = createHash('sha256').update(String(Math.random())).digest('hex');
const utf8 = new TextDecoder('utf-8', { fatal: true });

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions) {
  const { directory, inbox, metrics, bodyLimit } = options;
  const maxPending = options.maxPending ?? 20_000;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  const reject = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
  ) => {
    metrics.webhooksRejected.inc({ cause: code });
    return reply.code(status).send(errorBody(code, message, request.id));
  };

  app.post('/webhooks/shopify', { bodyLimit }, async (request, reply) => {
    metrics.webhooksReceived.inc();
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const shop = directory.lookup(header(request, WEBHOOK_HEADERS.shopDomain) ?? '');
    const verified = verifyWebhookHmac(
      body,
      header(request, WEBHOOK_HEADERS.hmac),
      shop?.secret ?? UNKNOWN_SHOP_SECRET,
    );
    if (!verified || !shop?.secret) {
      return reject(request, reply, 401, 'invalid_signature', 'webhook signature is missing or invalid');
    }

    const topic = header(request, WEBHOOK_HEADERS.topic)?.trim();
    if (!topic || topic.length > 128)
      return reject(request, reply, 400, 'missing_topic', 'X-Shopify-Topic is required');
    let text: string;
    let parsed: unknown;
    try {
      text = utf8.decode(body);
      parsed = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError();
    } catch {
      return reject(request, reply, 400, 'invalid_json', 'webhook body must be a JSON object');
    }
    if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
      return reject(
        request,
        reply,
        400,
        'payload_too_deep',
        `webhook body nests deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }

    if (inbox.pending > maxPending) {
      reply.header('retry-after', '5');
      return reject(request, reply, 503, 'overloaded', 'intake is saturated; retry later');
    }

    const eventId = short(header(request, WEBHOOK_HEADERS.eventId));
    const webhookId = short(header(request, WEBHOOK_HEADERS.webhookId));
    const dedupeKey = eventId
      ? `event:${eventId}`
      : webhookId
        ? `webhook:${webhookId}`
        : `sha256:${createHash('sha256').update(topic).update('\n').update(body).digest('hex')}`;
    try {
      const { duplicate } = await inbox.append({
        tenantId: shop.tenantId,
        dedupeKey,
        topic,
        eventId,
        webhookId,
        apiVersion: short(header(request, WEBHOOK_HEADERS.apiVersion)),
        triggeredAt: isoOrNull(header(request, WEBHOOK_HEADERS.triggeredAt)),
        payload: text,
      });
      metrics.webhooksAccepted.inc({ duplicate: String(duplicate) });
      return reply.code(200).send({ ok: true, duplicate });
    } catch (error) {
      request.log.error({ err: error }, 'inbox write failed');
      reply.header('retry-after', '5');
      return reject(request, reply, 503, 'inbox_unavailable', 'webhook could not be stored; retry later');
    }
  });
}

function short(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 255) : null;
}

function isoOrNull(value: string | undefined): string | null {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
