/**
 * The Shopify simulator's HTTP server (Fastify, loopback only): one or more generated shops behind the
 * subset of Shopify that Shopsight uses, plus `/_simulator/...` endpoints to change the data and look at
 * deliveries. See docs/simulator.md.
 *
 * A shop is addressed by a path prefix, `http://127.0.0.1:{port}/shops/{shop}.myshopify.com/admin/...`
 * (`shopBaseUrl`), or by a `Host: {shop}.myshopify.com` header on `/admin/...`. Under it:
 * - `GET /admin/oauth/authorize`, `POST /admin/oauth/access_token` (oauth.ts)
 * - `POST /admin/api/{version}/graphql.json` with `X-Shopify-Access-Token` (admin-graphql.ts)
 * Bulk operation results are served at `/_simulator/bulk/{token}.jsonl`, as Shopify serves them from a
 * signed URL that needs no token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { SHOP_DOMAIN_PATTERN } from '../../src/shopify/topics.ts';
import { answerGraphql, adminSchema, executeAdmin } from './admin-graphql.ts';
import type { AdminContext, SubscriptionInput, UserError } from './admin-resolvers.ts';
import { BulkOperations, type BulkOperationState, type BulkOptions } from './bulk.ts';
import { generateStore, type StoreOptions } from './generator.ts';
import { gid } from './ids.ts';
import { TokenAuthority, type OAuthOptions } from './oauth.ts';
import type { RestRecord } from './rest-shapes.ts';
import { createShopStore, NotFoundError, type ShopStore } from './store.ts';
import { LeakyBucket, type ThrottleOptions } from './throttle.ts';
import { topicOfEnum, WebhookDispatcher, type DeliveryOptions, type Subscription } from './webhooks.ts';

export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

export type SimulatorOptions = {
  /** Loopback address to listen on; default 127.0.0.1. Anything else is refused. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** The app's client id and secret (OAuth, webhook signatures). */
  apiKey?: string;
  apiSecret?: string;
  /** One store per shop; default one shop with the generator's defaults. */
  shops?: StoreOptions[];
  throttle?: ThrottleOptions;
  delivery?: DeliveryOptions;
  bulk?: BulkOptions;
  oauth?: OAuthOptions;
  /** The clock of tokens, throttling and changes, Unix ms; default `Date.now`. */
  now?: () => number;
};

/** One shop of the simulator and its services. */
export type SimulatedShop = {
  domain: string;
  store: ShopStore;
  subscriptions: Subscription[];
  bucket: LeakyBucket;
  bulk: BulkOperations;
};

export type Simulator = {
  /** `http://127.0.0.1:{port}` */
  url: string;
  port: number;
  /** Shop domains, in the order of `options.shops`. */
  shops: string[];
  /** The first shop's store (most tests use one shop). */
  store: ShopStore;
  /** The base URL Shopsight's Shopify clients use for `shop`: `{url}/shops/{shop}`. */
  shopBaseUrl(shop: string): string;
  /** @throws Error for a domain the simulator does not serve */
  shop(domain: string): SimulatedShop;
  /** An offline access token for `shop` without going through OAuth. */
  issueAccessToken(shop: string, scope?: string): string;
  /** Subscribes `callbackUrl` to `topic` (`orders/create`), as webhookSubscriptionCreate does. */
  subscribe(shop: string, topic: string, callbackUrl: string, apiVersion?: string): Subscription;
  /**
   * Uninstalls the app from `shop`: sends `app/uninstalled` (the shop's REST body) to its subscriptions,
   * then removes them and revokes the shop's tokens, as Shopify does. Shopify delivers app/uninstalled
   * whether or not the app subscribed; here it goes to the subscriptions an app made for it.
   */
  uninstallApp(shop: string): void;
  dispatcher: WebhookDispatcher;
  /** Waits until no webhook is in flight or waiting for a retry. */
  deliveriesSettled(): Promise<void>;
  close(): Promise<void>;
};

const API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;
const DEFAULT_API_VERSION = '2026-04';
const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

/** `{simulatorUrl}/shops/{shop}`: where a Shopify client for `shop` sends its requests. */
export function shopBaseUrl(simulatorUrl: string, shop: string): string {
  return `${simulatorUrl}/shops/${shop}`;
}

/**
 * Starts the simulator.
 * @throws Error when `host` is not a loopback address, or two shops share a domain
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host))
    throw new Error(`the simulator listens on loopback only (${LOOPBACK_HOSTS.join(', ')}), not ${host}`);
  const now = options.now ?? Date.now;
  const app = {
    apiKey: options.apiKey ?? 'simulator-api-key',
    apiSecret: options.apiSecret ?? 'simulator-api-secret',
  };
  const tokens = new TokenAuthority(app, options.oauth ?? {}, now);
  const dispatcher = new WebhookDispatcher(app.apiSecret, options.delivery);
  const directory = await mkdtemp(join(tmpdir(), 'shopsight-simulator-'));
  let nextSubscriptionId = 1_000_000_001n;
  let nextBulkId = 4_000_000_001n;
  let baseUrl = '';

  const shops = new Map<string, SimulatedShop>();
  for (const storeOptions of options.shops ?? [{}]) {
    const generated = generateStore(storeOptions);
    const domain = generated.shop.myshopifyDomain;
    if (shops.has(domain)) throw new Error(`two shops with domain ${domain}; give each a seed or a domain`);
    const subscriptions: Subscription[] = [];
    const emit = (topic: string, body: unknown) => dispatcher.send(domain, subscriptions, topic, body);
    const store = createShopStore(generated, { now, emit });
    const shop: SimulatedShop = {
      domain,
      store,
      subscriptions,
      bucket: new LeakyBucket(options.throttle ?? {}, now),
      bulk: new BulkOperations({
        schema: adminSchema(),
        directory,
        nextId: () => nextBulkId++,
        urlFor: (token) => `${baseUrl}/_simulator/bulk/${token}.jsonl`,
        execute: (document, page) =>
          executeAdmin(document, { ...contextFor(shop, DEFAULT_API_VERSION), bulkPage: page }),
        onFinish: (operation) => emit('bulk_operations/finish', bulkFinishBody(store, operation)),
        now,
        options: options.bulk ?? {},
      }),
    };
    shops.set(domain, shop);
  }

  function contextFor(shop: SimulatedShop, apiVersion: string): AdminContext {
    return {
      store: shop.store,
      subscriptions: {
        list: () => shop.subscriptions,
        create: (topic, input) => createSubscription(shop, topic, input, apiVersion),
        delete(id) {
          const index = shop.subscriptions.findIndex((sub) => sub.id === id);
          if (index < 0)
            return {
              deletedId: null,
              userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
            };
          shop.subscriptions.splice(index, 1);
          return { deletedId: gid('WebhookSubscription', id), userErrors: [] };
        },
      },
      bulk: {
        run: (query) => shop.bulk.run(query),
        current: () => shop.bulk.current(),
        get: (id) => shop.bulk.get(id),
        cancel: (id) => shop.bulk.cancel(id),
      },
      bulkPage: null,
      cost: { actual: 0 },
      searchWarnings: [],
    };
  }

  function createSubscription(
    shop: SimulatedShop,
    topicEnum: string,
    input: SubscriptionInput,
    apiVersion: string,
  ): { subscription: Subscription | null; userErrors: UserError[] } {
    const fail = (field: string, message: string) => ({
      subscription: null,
      userErrors: [{ field: ['webhookSubscription', field], message }],
    });
    const topic = topicOfEnum(topicEnum);
    if (!topic)
      return {
        subscription: null,
        userErrors: [{ field: ['topic'], message: `Topic ${topicEnum} is not supported` }],
      };
    const address = input.callbackUrl ?? input.uri ?? '';
    if (!address) return fail('callbackUrl', "Address can't be blank");
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return fail('callbackUrl', 'Address is invalid');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return fail('callbackUrl', 'Address protocol is not supported');
    if ((input.format ?? 'JSON') !== 'JSON') return fail('format', 'The simulator delivers JSON only');
    if (shop.subscriptions.some((sub) => sub.topic === topic && sub.callbackUrl === address)) {
      return fail('callbackUrl', 'Address for this topic has already been taken');
    }
    const subscription: Subscription = {
      id: nextSubscriptionId++,
      topic,
      callbackUrl: address,
      format: 'JSON',
      includeFields: input.includeFields ?? [],
      filter: input.filter ?? null,
      apiVersion,
      createdMs: now(),
      updatedMs: now(),
    };
    shop.subscriptions.push(subscription);
    return { subscription, userErrors: [] };
  }

  const server = Fastify({
    // A request for `{shop}.myshopify.com` by Host header is routed as if it had the path prefix.
    rewriteUrl(request) {
      const hostName = (request.headers.host ?? '').replace(/:\d+$/, '');
      const url = request.url ?? '/';
      return SHOP_DOMAIN_PATTERN.test(hostName) && url.startsWith('/admin/')
        ? `/shops/${hostName}${url}`
        : url;
    },
  });
  server.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  server.addContentTypeParser('application/graphql', { parseAs: 'string' }, (_request, body, done) =>
    done(null, { query: String(body) }),
  );

  const sendJson = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));

  function shopOf(request: FastifyRequest, reply: FastifyReply): SimulatedShop | null {
    const shop = shops.get((request.params as { shop: string }).shop);
    if (!shop) void sendJson(reply, 404, { errors: 'Not Found' });
    return shop ?? null;
  }

  server.get('/shops/:shop/admin/oauth/authorize', async (request, reply) => {
    const shop = shopOf(request, reply);
    if (!shop) return reply;
    const result = tokens.authorize(shop.domain, request.query as Record<string, unknown>);
    if ('location' in result) return reply.redirect(result.location, 302);
    return reply.code(result.status).type('text/plain').send(result.message);
  });

  server.post('/shops/:shop/admin/oauth/access_token', async (request, reply) => {
    const shop = shopOf(request, reply);
    if (!shop) return reply;
    const params = {
      ...(request.query as Record<string, unknown>),
      ...((request.body as Record<string, unknown>) ?? {}),
    };
    const result = tokens.exchange(shop.domain, params);
    return sendJson(reply, result.status, result.body);
  });

  server.post('/shops/:shop/admin/api/:version/graphql.json', async (request, reply) => {
    const shop = shopOf(request, reply);
    if (!shop) return reply;
    const { version } = request.params as { version: string };
    if (!API_VERSION.test(version)) return sendJson(reply, 404, { errors: 'Not Found' });
    const header = request.headers['x-shopify-access-token'];
    if (!tokens.verify(shop.domain, Array.isArray(header) ? header[0] : header)) {
      return sendJson(reply, 401, { errors: INVALID_TOKEN });
    }
    const outcome = answerGraphql(request.body, contextFor(shop, version), {
      bucket: shop.bucket,
      options: options.throttle ?? {},
    });
    reply.header('x-shopify-api-version', version);
    if (outcome.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(outcome.retryAfterSeconds));
    return sendJson(reply, outcome.status, outcome.body);
  });

  server.get('/_simulator/bulk/:file', async (request, reply) => {
    const token = (request.params as { file: string }).file.replace(/\.jsonl$/, '');
    for (const shop of shops.values()) {
      const path = shop.bulk.file(token);
      if (path) return reply.type('application/jsonl').send(createReadStream(path));
    }
    return sendJson(reply, 404, { errors: 'Not Found' });
  });

  server.get('/_simulator', async (_request, reply) =>
    sendJson(reply, 200, {
      apiKey: app.apiKey,
      shops: [...shops.keys()].map((domain) => ({ domain, baseUrl: shopBaseUrl(baseUrl, domain) })),
    }),
  );

  server.get('/_simulator/deliveries', async (_request, reply) =>
    sendJson(reply, 200, { attempts: dispatcher.attempts }),
  );

  server.post('/_simulator/shops/:shop/access_tokens', async (request, reply) => {
    const shop = shopOf(request, reply);
    if (!shop) return reply;
    const scope = String(((request.body as Record<string, unknown>) ?? {}).scope ?? '');
    return sendJson(reply, 201, { access_token: tokens.issue(shop.domain, scope), scope });
  });

  registerChangeRoutes();

  /** `/_simulator/shops/{shop}/{orders|customers|products}[/{id}[/cancel|/refunds]]`: changes that emit webhooks. */
  function registerChangeRoutes() {
    const change =
      (run: (store: ShopStore, params: Record<string, string>, body: RestRecord) => unknown, status = 200) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const shop = shopOf(request, reply);
        if (!shop) return reply;
        try {
          const result = run(
            shop.store,
            request.params as Record<string, string>,
            (request.body as RestRecord) ?? {},
          );
          return result === undefined ? reply.code(204).send() : sendJson(reply, status, result);
        } catch (caught) {
          const notFound = caught instanceof NotFoundError;
          return sendJson(reply, notFound ? 404 : 422, { errors: (caught as Error).message });
        }
      };
    const base = '/_simulator/shops/:shop';
    server.post(
      `${base}/orders`,
      change((store) => ({ order: store.createOrder().order }), 201),
    );
    server.patch(
      `${base}/orders/:id`,
      change((store, p, body) => ({ order: store.updateOrder(p.id as string, body).order })),
    );
    server.post(
      `${base}/orders/:id/cancel`,
      change((store, p, body) => ({
        order: store.cancelOrder(p.id as string, body.reason ? String(body.reason) : undefined).order,
      })),
    );
    server.post(
      `${base}/orders/:id/refunds`,
      change((store, p, body) => {
        const input = body as {
          lines?: { line_item_id: string; quantity: number }[];
          shipping?: boolean;
          note?: string;
        };
        const lines = input.lines?.map((line) => ({
          lineItemId: String(line.line_item_id),
          quantity: Number(line.quantity),
        }));
        const result = store.refundOrder(p.id as string, {
          ...(lines ? { lines } : {}),
          ...(input.shipping !== undefined ? { shipping: input.shipping } : {}),
          note: input.note ?? null,
        });
        return { refund: result.refund };
      }, 201),
    );
    server.delete(
      `${base}/orders/:id`,
      change((store, p) => store.deleteOrder(p.id as string)),
    );
    server.post(
      `${base}/customers`,
      change((store) => ({ customer: store.createCustomer() }), 201),
    );
    server.patch(
      `${base}/customers/:id`,
      change((store, p, body) => ({ customer: store.updateCustomer(p.id as string, body) })),
    );
    server.delete(
      `${base}/customers/:id`,
      change((store, p) => store.deleteCustomer(p.id as string)),
    );
    server.post(
      `${base}/products`,
      change((store) => ({ product: store.createProduct() }), 201),
    );
    server.patch(
      `${base}/products/:id`,
      change((store, p, body) => ({ product: store.updateProduct(p.id as string, body) })),
    );
    server.delete(
      `${base}/products/:id`,
      change((store, p) => store.deleteProduct(p.id as string)),
    );
  }

  await server.listen({ host, port: options.port ?? 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const first = shops.values().next().value as SimulatedShop;
  const shopNamed = (domain: string) => {
    const shop = shops.get(domain);
    if (!shop) throw new Error(`the simulator has no shop ${domain}`);
    return shop;
  };
  return {
    url: baseUrl,
    port,
    shops: [...shops.keys()],
    store: first.store,
    shopBaseUrl: (shop) => shopBaseUrl(baseUrl, shop),
    shop: shopNamed,
    issueAccessToken: (shop, scope) => tokens.issue(shopNamed(shop).domain, scope),
    subscribe(shop, topic, callbackUrl, apiVersion = DEFAULT_API_VERSION) {
      const simulated = shopNamed(shop);
      const result = createSubscription(
        simulated,
        topic.replace('/', '_').toUpperCase(),
        { callbackUrl },
        apiVersion,
      );
      if (!result.subscription) throw new Error(result.userErrors.map((e) => e.message).join('; '));
      return result.subscription;
    },
    uninstallApp(shop) {
      const simulated = shopNamed(shop);
      dispatcher.send(
        simulated.domain,
        simulated.subscriptions,
        'app/uninstalled',
        simulated.store.generated.shopJson(),
      );
      // The dispatcher took its deliveries above; the app's subscriptions go with it.
      simulated.subscriptions.length = 0;
      tokens.revokeShop(simulated.domain);
    },
    dispatcher,
    deliveriesSettled: () => dispatcher.idle(),
    async close() {
      dispatcher.close();
      await Promise.all([...shops.values()].map((shop) => shop.bulk.close()));
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The `bulk_operations/finish` body (test/fixtures/shopify/webhook_bulk_operations_finish.json). */
function bulkFinishBody(store: ShopStore, operation: BulkOperationState): RestRecord {
  const time = (ms: number | null) => (ms === null ? null : store.generated.context.clock.local(ms));
  return {
    admin_graphql_api_id: gid('BulkOperation', operation.id),
    completed_at: time(operation.completedMs),
    created_at: time(operation.createdMs),
    error_code: operation.errorCode?.toLowerCase() ?? null,
    status: operation.status.toLowerCase(),
    type: 'query',
  };
}
