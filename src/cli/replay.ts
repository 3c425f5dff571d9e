/**
 * The `replay` command: sends a folder of Shopify sample JSON to Shopsight's webhook endpoint, one delivery
 * at a time, signed and with the headers Shopify sends
 * (shopify.dev/docs/apps/build/webhooks/subscribe/https), so the whole ingest path can be exercised and a
 * fresh install filled with data without a real shop.
 *
 * Owns: turning sample files into deliveries (`planReplay`, `readReplayPlan`), sending them (`replayFolder`)
 * and the command line (`runReplayCommand`), which can also create the tenant through the admin API.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { isJsonObject, parseJsonLossless } from '../lib/json.ts';
import { signWebhookBody } from '../shopify/hmac.ts';
import { KNOWN_TOPICS, SHOP_DOMAIN_PATTERN } from '../shopify/topics.ts';

/** One webhook to send: the topic, the exact body text, and the ids and time Shopify would put in headers. */
export type ReplayDelivery = {
  /** Sample file name (no folder). A REST list file gives one delivery per object. */
  file: string;
  /** Shopify topic, e.g. `orders/updated`. */
  topic: string;
  /** The body, sent as UTF-8 and signed byte for byte. */
  body: string;
  /** `X-Shopify-Event-Id`: a UUID derived from file, position and topic, so a replay is deduplicated. */
  eventId: string;
  /** `X-Shopify-Triggered-At`: UTC ISO-8601. */
  triggeredAt: string;
};

/** A file (or part of one) that is not sent, and why. */
export type ReplaySkip = { file: string; reason: string };

export type ReplayPlan = { deliveries: ReplayDelivery[]; skipped: ReplaySkip[] };

/** What Shopsight answered to one delivery. `error` is set for a non-2xx answer. */
export type ReplayResult = {
  file: string;
  topic: string;
  eventId: string;
  webhookId: string;
  status: number;
  ok: boolean;
  error?: string;
};

export type ReplaySummary = {
  /** Deliveries sent. */
  sent: number;
  /** Deliveries answered with a non-2xx status. */
  failed: number;
  /** Count of deliveries per HTTP status, keyed by the status as text (`"202"`). */
  byStatus: Record<string, number>;
  /** One entry per delivery, in sending order. */
  results: ReplayResult[];
  skipped: ReplaySkip[];
};

export type ReplayOptions = {
  /** Folder of sample files. */
  folder: string;
  /** Shopsight's base URL, e.g. `http://127.0.0.1:4000`; deliveries go to `${url}/webhooks/shopify`. */
  url: string;
  /** Sent as `X-Shopify-Shop-Domain`; selects the tenant. */
  shopDomain: string;
  /** The tenant's webhook secret, used to sign each body. */
  secret: string;
  /** Sent as `X-Shopify-API-Version`; default `DEFAULT_API_VERSION`. */
  apiVersion?: string;
  /** Also send the topics that erase or disconnect (`DESTRUCTIVE_TOPICS`); skipped by default. */
  allTopics?: boolean;
  /** Replaces the global `fetch` (tests). */
  fetchImpl?: typeof fetch;
};

/**
 * Topics whose samples would erase or disconnect the very tenant a replay fills (shop/redact erases the
 * shop's data, customers/redact a customer's, app/uninstalled disconnects it). Sent only with --all-topics.
 */
export const DESTRUCTIVE_TOPICS: ReadonlySet<string> = new Set([
  'shop/redact',
  'customers/redact',
  'app/uninstalled',
]);

/** Where the command prints; `console` by default. */
export type ReplayOutput = { log(message: string): void; error(message: string): void };

/** The API version of the webhook samples (shopify.dev/docs/api/webhooks/2026-04). */
export const DEFAULT_API_VERSION = '2026-04';

/** `X-Shopify-Triggered-At` for a sample that carries neither `updated_at` nor `created_at`. */
const DEFAULT_TRIGGERED_AT = '2026-01-01T00:00:00.000Z';

const DEFAULT_SHOP_DOMAIN = 'replay-demo.myshopify.com';
const REQUEST_TIMEOUT_MS = 30_000;
const ERROR_TEXT_LIMIT = 200;

/**
 * Topic of each REST resource key. A REST response is the record as it stands, which is what an update
 * delivery carries (Shopify documents these webhook bodies as the full REST resource:
 * shopify.dev/docs/apps/build/webhooks/delivery-structure). Refunds and transactions are never updated, so
 * their topic is the create one. A Map, so that keys such as `constructor` match nothing.
 */
const REST_KEY_TOPICS = new Map<string, string>([
  ['order', 'orders/updated'],
  ['orders', 'orders/updated'],
  ['customer', 'customers/update'],
  ['customers', 'customers/update'],
  ['product', 'products/update'],
  ['products', 'products/update'],
  ['refund', 'refunds/create'],
  ['refunds', 'refunds/create'],
  ['checkout', 'checkouts/update'],
  ['checkouts', 'checkouts/update'],
  ['inventory_item', 'inventory_items/update'],
  ['inventory_items', 'inventory_items/update'],
  ['inventory_level', 'inventory_levels/update'],
  ['inventory_levels', 'inventory_levels/update'],
  ['location', 'locations/update'],
  ['locations', 'locations/update'],
  ['transaction', 'order_transactions/create'],
  ['transactions', 'order_transactions/create'],
  ['shop', 'shop/update'],
]);

/** `inventory_items_create` -> `inventory_items/create`: file names cannot hold `/`, so samples flatten. */
const FLATTENED_TOPICS = new Map<string, string>(
  KNOWN_TOPICS.map((topic) => [topic.replace('/', '_'), topic]),
);

/** A stored record has an id; an inventory level is keyed by its inventory item and location instead. */
function hasRecordKey(object: Record<string, unknown>): boolean {
  const present = (field: string) => object[field] !== undefined && object[field] !== null;
  return present('id') || (present('inventory_item_id') && present('location_id'));
}

/** `value[key]` when `value` is a JSON object, else undefined. */
function fieldOf(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports a refused connection as "fetch failed" with the useful part in `cause`.
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/** File names compared as UTF-8 bytes, so the order does not depend on the locale. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A UUID (RFC 9562 version 8, "custom") from SHA-256 of the delivery's place in the folder. */
function eventIdFor(file: string, index: number, topic: string): string {
  const bytes = createHash('sha256').update(`${file}\n${index}\n${topic}`).digest().subarray(0, 16);
  // Version and variant bits make it pass strict UUID validators (zod's z.uuid() among them).
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x80, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `updated_at`, else `created_at`, in UTC ISO-8601; a missing or unparseable date falls through. */
function triggeredAtOf(value: unknown): string {
  if (isJsonObject(value)) {
    for (const field of ['updated_at', 'created_at']) {
      const text = value[field];
      const time = typeof text === 'string' ? Date.parse(text) : Number.NaN;
      if (!Number.isNaN(time)) return new Date(time).toISOString();
    }
  }
  return DEFAULT_TRIGGERED_AT;
}

function delivery(file: string, index: number, topic: string, body: string, object: unknown): ReplayDelivery {
  return { file, topic, body, eventId: eventIdFor(file, index, topic), triggeredAt: triggeredAtOf(object) };
}

function planWebhookFile(file: string, text: string, value: unknown, plan: ReplayPlan): void {
  const flattened = file.slice('webhook_'.length, -'.json'.length);
  const topic = FLATTENED_TOPICS.get(flattened);
  if (!topic) {
    plan.skipped.push({ file, reason: `no known topic matches "${flattened}"` });
    return;
  }
  // The text as on disk, not a re-serialisation: the signature covers these exact bytes, and ids above
  // 2^53 keep the digits written in the file.
  plan.deliveries.push(delivery(file, 0, topic, text, value));
}

function planRestFile(file: string, value: unknown, plan: ReplayPlan): void {
  if (!isJsonObject(value)) {
    plan.skipped.push({ file, reason: 'top level is not an object' });
    return;
  }
  // Counts every object of a known key, skipped ones included, so an object's event id never depends on
  // whether an earlier one was sent.
  let index = 0;
  for (const [key, content] of Object.entries(value)) {
    const topic = REST_KEY_TOPICS.get(key);
    if (!topic) {
      plan.skipped.push({ file, reason: `"${key}" is not a resource Shopify sends as a webhook` });
      continue;
    }
    const objects = Array.isArray(content) ? content : [content];
    objects.forEach((object: unknown, position) => {
      const where = Array.isArray(content) ? `${key}[${position}]` : `"${key}"`;
      if (!isJsonObject(object) || !hasRecordKey(object)) {
        plan.skipped.push({
          file,
          reason: `${where} has no id, so it is not a stored record (e.g. a calculation)`,
        });
      } else {
        // parseJsonLossless keeps unsafe integers as JSON.rawJSON values; JSON.stringify writes them back.
        plan.deliveries.push(delivery(file, index, topic, JSON.stringify(object), object));
      }
      index += 1;
    });
  }
}

/**
 * Reads a folder of Shopify samples into the deliveries to send, in file-name order (UTF-8 byte order), and
 * the files or parts of files that are skipped, each with a reason.
 *
 * - `webhook_<topic, "/" as "_">.json` (e.g. `webhook_inventory_items_create.json`): one delivery of that
 *   topic whose body is the file's text unchanged (shopify.dev/docs/api/webhooks samples).
 * - `rest_*.json`: one delivery per object under a known top-level key (`orders` -> `orders/updated`, ...;
 *   see `REST_KEY_TOPICS`), body `JSON.stringify(object)` with integers above 2^53 kept exact. Objects
 *   without an `id` are skipped (a refund calculation is not a refund).
 * - Anything else (`graphql_*` responses, `.jsonc`, `.jsonl`, `.md`, other names) is skipped.
 *
 * @throws Error (ENOENT, ENOTDIR) when the folder cannot be read.
 */
export function readReplayPlan(folder: string): ReplayPlan {
  const plan: ReplayPlan = { deliveries: [], skipped: [] };
  const files = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort(byteOrder);
  for (const file of files) {
    const skip = (reason: string) => plan.skipped.push({ file, reason });
    if (!file.endsWith('.json')) {
      skip('not a .json file');
      continue;
    }
    if (file.startsWith('graphql_')) {
      skip('a GraphQL response, not a webhook body');
      continue;
    }
    const isWebhook = file.startsWith('webhook_');
    if (!isWebhook && !file.startsWith('rest_')) {
      skip('name starts with neither webhook_ nor rest_');
      continue;
    }
    const raw = readFileSync(join(folder, file));
    const text = raw.toString('utf8');
    // A body that does not survive the round trip through a string could not be sent byte for byte.
    if (!Buffer.from(text, 'utf8').equals(raw)) {
      skip('not valid UTF-8');
      continue;
    }
    let value: unknown;
    try {
      value = parseJsonLossless(text);
    } catch (error) {
      skip(`not valid JSON: ${describeError(error)}`);
      continue;
    }
    const before = plan.deliveries.length + plan.skipped.length;
    if (isWebhook) planWebhookFile(file, text, value, plan);
    else planRestFile(file, value, plan);
    if (plan.deliveries.length + plan.skipped.length === before) skip('holds no object to send');
  }
  return plan;
}

/**
 * The deliveries of a folder of Shopify samples; `readReplayPlan` also gives the skipped files and why.
 *
 * @throws Error (ENOENT, ENOTDIR) when the folder cannot be read.
 */
export function planReplay(folder: string): ReplayDelivery[] {
  return readReplayPlan(folder).deliveries;
}

/**
 * Headers of a delivery, named and cased as Shopify sends them
 * (shopify.dev/docs/apps/build/webhooks/subscribe/https#headers).
 */
function webhookHeaders(
  delivery: ReplayDelivery,
  options: ReplayOptions,
  apiVersion: string,
  webhookId: string,
): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Shopify-Topic': delivery.topic,
    'X-Shopify-Hmac-Sha256': signWebhookBody(Buffer.from(delivery.body, 'utf8'), options.secret),
    'X-Shopify-Shop-Domain': options.shopDomain,
    'X-Shopify-API-Version': apiVersion,
    'X-Shopify-Webhook-Id': webhookId,
    'X-Shopify-Event-Id': delivery.eventId,
    'X-Shopify-Triggered-At': delivery.triggeredAt,
  };
}

/** `code: message` from Shopsight's error shape `{ error: { code, message } }`, else the body's start. */
function errorTextOf(body: string): string {
  try {
    const error = fieldOf(parseJsonLossless(body), 'error');
    const code = fieldOf(error, 'code');
    const message = fieldOf(error, 'message');
    if (typeof code === 'string') return typeof message === 'string' ? `${code}: ${message}` : code;
  } catch {
    // Not JSON: fall back to the text itself.
  }
  return body.slice(0, ERROR_TEXT_LIMIT);
}

/**
 * Sends every delivery of `readReplayPlan(options.folder)` to `${url}/webhooks/shopify`, one at a time and in
 * order, each signed with `options.secret` and given a fresh `X-Shopify-Webhook-Id`. A non-2xx answer is
 * recorded in the summary, not thrown.
 *
 * @throws Error when the folder cannot be read, or when a request gets no answer at all (connection refused,
 *   30 s timeout); the message names the file.
 */
export async function replayFolder(options: ReplayOptions): Promise<ReplaySummary> {
  const plan = readReplayPlan(options.folder);
  const skipped = [...plan.skipped];
  const deliveries = plan.deliveries.filter((delivery) => {
    if (options.allTopics || !DESTRUCTIVE_TOPICS.has(delivery.topic)) return true;
    skipped.push({
      file: delivery.file,
      reason: `${delivery.topic} would erase or disconnect the tenant; --all-topics sends it`,
    });
    return false;
  });
  const fetchImpl = options.fetchImpl ?? fetch;
  const endpoint = `${options.url.replace(/\/+$/, '')}/webhooks/shopify`;
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const summary: ReplaySummary = { sent: 0, failed: 0, byStatus: {}, results: [], skipped };
  for (const delivery of deliveries) {
    const webhookId = randomUUID();
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: webhookHeaders(delivery, options, apiVersion, webhookId),
        body: delivery.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(`POST ${endpoint} (${delivery.file}) got no answer: ${describeError(error)}`, {
        cause: error,
      });
    }
    // Read the body even when unused, so the connection is released for the next delivery.
    const text = await response.text();
    const result: ReplayResult = {
      file: delivery.file,
      topic: delivery.topic,
      eventId: delivery.eventId,
      webhookId,
      status: response.status,
      ok: response.ok,
    };
    if (!response.ok) result.error = errorTextOf(text);
    summary.results.push(result);
    summary.sent += 1;
    if (!response.ok) summary.failed += 1;
    const status = String(response.status);
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
  }
  return summary;
}

const USAGE = `Usage: node src/main.ts replay [options]

Sends the Shopify samples of a folder to Shopsight's webhook endpoint, signed as Shopify signs them:
webhook_*.json as they are, and each object of rest_*.json as an update of its resource.

Options:
  --dir <folder>       samples (default: ../shared/fixtures/shopify if it exists, else test/fixtures/shopify)
  --url <url>          Shopsight's base URL (default: http://127.0.0.1:$PORT, PORT defaulting to 4000)
  --shop <domain>      shop domain to send as (default: myshopify_domain of the folder's rest_shop.json,
                       else ${DEFAULT_SHOP_DOMAIN})
  --secret <secret>    the tenant's webhook secret (default: $SHOPIFY_API_SECRET; random with --create-tenant)
  --api-version <v>    X-Shopify-API-Version (default: ${DEFAULT_API_VERSION})
  --create-tenant      create the tenant first through the admin API, or set its webhook secret if it exists
  --all-topics         also send shop/redact, customers/redact and app/uninstalled samples (they erase or
                       disconnect the tenant), skipped by default
  --token <token>      admin API token for --create-tenant (default: $SHOPSIGHT_ADMIN_TOKEN, else the file
                       $SHOPSIGHT_DATA_DIR/admin-token, SHOPSIGHT_DATA_DIR defaulting to ./data)
  -h, --help           show this help

Exit code: 0 when every delivery was answered 2xx, 1 otherwise, 2 on bad arguments.`;

/** Raised for arguments the command cannot run with; exit code 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** The tenant fields the folder's `rest_shop.json` provides, when it exists and holds them. */
type ShopSample = { myshopifyDomain?: string; name?: string; timezone?: string; currency?: string };

function readShopSample(folder: string): ShopSample {
  const path = join(folder, 'rest_shop.json');
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(readFileSync(path, 'utf8'));
  } catch {
    // No readable rest_shop.json: the defaults apply, and planning reports the file if it is broken.
    return {};
  }
  const shop = fieldOf(parsed, 'shop');
  const text = (key: string) => {
    const value = fieldOf(shop, key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return {
    myshopifyDomain: text('myshopify_domain'),
    name: text('name'),
    timezone: text('iana_timezone'),
    currency: text('currency'),
  };
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function readTokenFile(env: NodeJS.ProcessEnv): string | undefined {
  const path = join(env.SHOPSIGHT_DATA_DIR || './data', 'admin-token');
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').trim() || undefined;
}

type AdminAnswer = { status: number; body: unknown };

async function adminRequest(
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<AdminAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`${method} ${url} got no answer: ${describeError(error)}`, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = parseJsonLossless(text);
  } catch {
    // A non-JSON answer is reported through its status below.
  }
  if (!response.ok && response.status !== 409) {
    throw new Error(`${method} ${url} answered ${response.status}: ${errorTextOf(text)}`);
  }
  return { status: response.status, body: parsed };
}

function idOf(value: unknown): string | undefined {
  const id = fieldOf(value, 'id');
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/**
 * Creates the tenant, or, when it exists (409), finds it by shop domain and sets its webhook secret, so the
 * deliveries that follow are signed with a secret the server knows. Answers the tenant id and whether it
 * was created.
 */
async function ensureTenant(
  baseUrl: string,
  token: string,
  tenant: { shopDomain: string; name: string; timezone: string; currency: string; webhookSecret: string },
): Promise<{ id: string; created: boolean }> {
  const tenantsUrl = `${baseUrl}/api/v1/tenants`;
  const created = await adminRequest('POST', tenantsUrl, token, tenant);
  if (created.status !== 409) {
    // The answer is the tenant, bare or wrapped as `{ tenant }`.
    const id = idOf(fieldOf(created.body, 'tenant') ?? created.body);
    if (!id) throw new Error(`POST ${tenantsUrl} answered ${created.status} without a tenant id`);
    return { id, created: true };
  }
  const listed = await adminRequest('GET', tenantsUrl, token);
  const tenants = fieldOf(listed.body, 'tenants');
  const match: unknown = (Array.isArray(tenants) ? tenants : []).find((candidate: unknown) => {
    const shopDomain = fieldOf(candidate, 'shopDomain');
    return typeof shopDomain === 'string' && shopDomain.toLowerCase() === tenant.shopDomain.toLowerCase();
  });
  const id = idOf(match);
  if (!id) throw new Error(`${tenant.shopDomain} exists (409) but GET ${tenantsUrl} does not list it`);
  const patched = await adminRequest('PATCH', `${tenantsUrl}/${encodeURIComponent(id)}`, token, {
    webhookSecret: tenant.webhookSecret,
  });
  if (patched.status === 409) throw new Error(`PATCH ${tenantsUrl}/${id} answered 409`);
  return { id, created: false };
}

type ParsedArgs = {
  folder: string;
  url: string;
  shopDomain: string;
  secret: string;
  apiVersion: string;
  createTenant: boolean;
  allTopics: boolean;
  token: string | undefined;
  shop: ShopSample;
};

/** Arguments and environment -> what to run, or `'help'`. @throws UsageError */
function parseReplayArgs(argv: string[], env: NodeJS.ProcessEnv): ParsedArgs | 'help' {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        url: { type: 'string' },
        shop: { type: 'string' },
        secret: { type: 'string' },
        'api-version': { type: 'string' },
        'create-tenant': { type: 'boolean', default: false },
        'all-topics': { type: 'boolean', default: false },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError(describeError(error));
  }
  if (values.help) return 'help';

  const sharedFolder = resolve('../shared/fixtures/shopify');
  const folder = values.dir ?? (isDirectory(sharedFolder) ? sharedFolder : 'test/fixtures/shopify');
  if (!isDirectory(folder)) throw new UsageError(`--dir: no such folder: ${folder}`);

  const url = values.url ?? `http://127.0.0.1:${env.PORT || 4000}`;
  if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
    throw new UsageError(`--url: not an http(s) URL: ${url}`);
  }

  const shop = readShopSample(folder);
  const shopDomain = values.shop ?? shop.myshopifyDomain ?? DEFAULT_SHOP_DOMAIN;
  if (!SHOP_DOMAIN_PATTERN.test(shopDomain)) {
    throw new UsageError(`--shop: not a *.myshopify.com domain: ${shopDomain}`);
  }

  const apiVersion = values['api-version'] ?? DEFAULT_API_VERSION;
  if (!/^(\d{4}-\d{2}|unstable)$/.test(apiVersion)) {
    throw new UsageError(`--api-version: not YYYY-MM: ${apiVersion}`);
  }

  const createTenant = values['create-tenant'];
  // With --create-tenant the command sets the secret on the server itself, so any secret will do.
  const secret =
    values.secret || env.SHOPIFY_API_SECRET || (createTenant ? randomBytes(32).toString('hex') : undefined);
  if (!secret) {
    throw new UsageError('no webhook secret: pass --secret, set SHOPIFY_API_SECRET, or use --create-tenant');
  }

  const token = createTenant ? values.token || env.SHOPSIGHT_ADMIN_TOKEN || readTokenFile(env) : undefined;
  if (createTenant && !token) {
    throw new UsageError(
      '--create-tenant needs an admin token: --token, SHOPSIGHT_ADMIN_TOKEN or data/admin-token',
    );
  }
  return {
    folder,
    url: url.replace(/\/+$/, ''),
    shopDomain,
    secret,
    apiVersion,
    createTenant,
    allTopics: values['all-topics'],
    token,
    shop,
  };
}

function printSummary(
  summary: ReplaySummary,
  endpoint: string,
  shopDomain: string,
  output: ReplayOutput,
): void {
  const fileWidth = Math.max(
    0,
    ...summary.results.map((r) => r.file.length),
    ...summary.skipped.map((s) => s.file.length),
  );
  const topicWidth = Math.max(0, ...summary.results.map((r) => r.topic.length));
  for (const result of summary.results) {
    const line = `${result.file.padEnd(fileWidth)}  ${result.topic.padEnd(topicWidth)}  ${result.status}`;
    output.log(result.error ? `${line}  ${result.error}` : line);
  }
  for (const skip of summary.skipped) output.log(`${skip.file.padEnd(fileWidth)}  skipped: ${skip.reason}`);
  const statuses = Object.entries(summary.byStatus)
    .map(([status, count]) => `${count} x ${status}`)
    .join(', ');
  const counts = `(${statuses || 'none'}), ${summary.failed} failed`;
  output.log(`${summary.sent} deliveries to ${endpoint} as ${shopDomain} ${counts}`);
}

/**
 * The `replay` command (see `USAGE`): parses `argv` (the arguments after `replay`), optionally creates the
 * tenant (`POST /api/v1/tenants`; on 409 `GET /api/v1/tenants` and `PATCH /api/v1/tenants/:id` with the
 * webhook secret), then runs `replayFolder` and prints one line per delivery, the skipped files and the
 * tenant id. Never prints the secret or the token. Errors are printed, not thrown.
 *
 * @returns the exit code: 0 when every delivery was answered 2xx, 1 otherwise (or on a server or network
 *   error), 2 on bad arguments (including a folder with nothing to send).
 */
export async function runReplayCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  output: ReplayOutput = console,
): Promise<number> {
  let args: ParsedArgs | 'help';
  try {
    args = parseReplayArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      output.error(`replay: ${describeError(error)}`);
      return 1;
    }
    output.error(`replay: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    output.log(USAGE);
    return 0;
  }

  try {
    // Checked before touching the server, so a wrong --dir creates no tenant.
    if (planReplay(args.folder).length === 0) {
      output.error(`replay: nothing to send in ${args.folder} (no webhook_*.json or rest_*.json samples)`);
      return 2;
    }
    if (args.createTenant && args.token) {
      const tenant = await ensureTenant(args.url, args.token, {
        shopDomain: args.shopDomain,
        name: args.shop.name ?? args.shopDomain,
        timezone: args.shop.timezone ?? 'UTC',
        currency: args.shop.currency ?? 'USD',
        webhookSecret: args.secret,
      });
      const what = tenant.created ? 'created' : 'already existed, webhook secret updated';
      output.log(`tenant ${tenant.id} (${args.shopDomain}): ${what}`);
    }
    const summary = await replayFolder({
      folder: args.folder,
      url: args.url,
      shopDomain: args.shopDomain,
      secret: args.secret,
      apiVersion: args.apiVersion,
      allTopics: args.allTopics,
    });
    printSummary(summary, `${args.url}/webhooks/shopify`, args.shopDomain, output);
    return summary.failed === 0 ? 0 : 1;
  } catch (error) {
    output.error(`replay: ${describeError(error)}`);
    return 1;
  }
}
