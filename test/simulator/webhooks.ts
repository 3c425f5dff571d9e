/**
 * Webhook subscriptions and their delivery, as Shopify delivers over HTTPS
 * (shopify.dev/docs/apps/build/webhooks/subscribe/https, .../delivery-structure): a POST of the JSON body
 * with the `X-Shopify-*` headers, signed with the app's client secret. A response other than 2xx, or none
 * within the timeout, is retried on a schedule; Shopify retries 8 times over 4 hours
 * (shopify.dev/docs/apps/build/webhooks/troubleshooting-webhooks), and the default schedule here spreads 8
 * retries over about 4 hours too. Tests pass a schedule in milliseconds.
 *
 * To exercise a consumer's idempotency and ordering, each event can be delivered several times
 * (`duplicates`, same `X-Shopify-Event-Id`, new `X-Shopify-Webhook-Id`) and events can be held for a window
 * and sent in shuffled order (`shuffleWindowMs`), which Shopify's docs say may happen.
 */
import { randomUUID } from 'node:crypto';
import { KNOWN_TOPICS } from '../../src/shopify/topics.ts';
import { signWebhookBody } from '../../src/shopify/hmac.ts';
import { createRandom } from './random.ts';

export type Subscription = {
  id: bigint;
  /** As in `X-Shopify-Topic`: `orders/create`. */
  topic: string;
  callbackUrl: string;
  format: 'JSON';
  includeFields: string[];
  filter: string | null;
  apiVersion: string;
  createdMs: number;
  updatedMs: number;
};

export type DeliveryOptions = {
  /** Delay before each retry, in ms; its length is the number of retries. Default: 8 over ~4 hours. */
  retryScheduleMs?: readonly number[];
  /** How long to wait for a response, in ms; default 5000. */
  timeoutMs?: number;
  /** Deliveries of each event; default 1. */
  duplicates?: number;
  /** Hold events this long and send them shuffled; default 0 (send at once, in order). */
  shuffleWindowMs?: number;
  /** Seed of the shuffle. */
  seed?: number;
};

/** One HTTP attempt, kept in `WebhookDispatcher.attempts` for tests and the `/_simulator` log. */
export type DeliveryAttempt = {
  shop: string;
  topic: string;
  url: string;
  eventId: string;
  webhookId: string;
  /** Which copy of a duplicated event (1 when not duplicated). */
  copy: number;
  /** 1 for the first try. */
  attempt: number;
  status: number | null;
  error: string | null;
  /** UTC ISO-8601. */
  at: string;
};

export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 112].map(
  (m) => m * 60_000,
);
const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_LOGGED_ATTEMPTS = 10_000;

/** `orders/create` <-> `ORDERS_CREATE` (GraphQL's WebhookSubscriptionTopic). */
const TOPIC_BY_ENUM = new Map(KNOWN_TOPICS.map((topic) => [topic.replace('/', '_').toUpperCase(), topic]));

export function topicOfEnum(value: string): string | undefined {
  return TOPIC_BY_ENUM.get(value);
}

export function enumOfTopic(topic: string): string {
  return topic.replace('/', '_').toUpperCase();
}

type Job = {
  shop: string;
  subscription: Subscription;
  topic: string;
  body: string;
  eventId: string;
  triggeredAt: string;
  copy: number;
  attempt: number;
};

/** Sends webhooks and retries them; one per simulator, shared by its shops. */
export class WebhookDispatcher {
  readonly attempts: DeliveryAttempt[] = [];
  readonly #secret: string;
  readonly #retries: readonly number[];
  readonly #timeoutMs: number;
  readonly #duplicates: number;
  readonly #windowMs: number;
  readonly #random;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #controllers = new Set<AbortController>();
  #held: Job[] = [];
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  /** @param secret the app's client secret, which signs every body */
  constructor(secret: string, options: DeliveryOptions = {}) {
    this.#secret = secret;
    this.#retries = options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#duplicates = Math.max(1, options.duplicates ?? 1);
    this.#windowMs = options.shuffleWindowMs ?? 0;
    this.#random = createRandom(options.seed ?? 1);
  }

  /** Sends `body` for `topic` to every subscription of `shop` to that topic. */
  send(shop: string, subscriptions: readonly Subscription[], topic: string, body: unknown): void {
    if (this.#closed) return;
    const text = JSON.stringify(body);
    const triggeredAt = new Date().toISOString();
    for (const subscription of subscriptions) {
      if (subscription.topic !== topic) continue;
      const eventId = randomUUID();
      for (let copy = 1; copy <= this.#duplicates; copy += 1) {
        const job = { shop, subscription, topic, body: text, eventId, triggeredAt, copy, attempt: 1 };
        if (this.#windowMs > 0) this.#hold(job);
        else void this.#deliver(job);
      }
    }
  }

  #hold(job: Job) {
    if (this.#held.length === 0) {
      this.#later(this.#windowMs, () => {
        const held = this.#held;
        this.#held = [];
        // Fisher-Yates with the seeded stream, so a failing order can be replayed.
        for (let i = held.length - 1; i > 0; i -= 1) {
          const j = this.#random.int(0, i);
          [held[i], held[j]] = [held[j] as Job, held[i] as Job];
        }
        for (const job of held) void this.#deliver(job);
      });
    }
    this.#held.push(job);
  }

  #later(ms: number, run: () => void) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
      this.#settle();
    }, ms);
    this.#timers.add(timer);
  }

  async #deliver(job: Job): Promise<void> {
    this.#inFlight += 1;
    const webhookId = randomUUID();
    const controller = new AbortController();
    this.#controllers.add(controller);
    const timeout = setTimeout(
      () => controller.abort(new Error(`no response within ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(job.subscription.callbackUrl, {
        method: 'POST',
        body: job.body,
        signal: controller.signal,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Shopify-Captain-Hook',
          'X-Shopify-Topic': job.topic,
          'X-Shopify-Hmac-Sha256': signWebhookBody(job.body, this.#secret),
          'X-Shopify-Shop-Domain': job.shop,
          'X-Shopify-API-Version': job.subscription.apiVersion,
          'X-Shopify-Webhook-Id': webhookId,
          'X-Shopify-Event-Id': job.eventId,
          'X-Shopify-Triggered-At': job.triggeredAt,
        },
      });
      status = response.status;
      // Read the body so that the connection is released.
      await response.arrayBuffer();
    } catch (caught) {
      const reason = controller.signal.aborted ? controller.signal.reason : caught;
      error = reason instanceof Error ? reason.message : String(reason);
    } finally {
      clearTimeout(timeout);
      this.#controllers.delete(controller);
    }
    this.#log({ ...job, webhookId, status, error });
    const ok = status !== null && status >= 200 && status < 300;
    const delay = this.#retries[job.attempt - 1];
    if (!ok && delay !== undefined && !this.#closed) {
      this.#later(delay, () => void this.#deliver({ ...job, attempt: job.attempt + 1 }));
    }
    this.#inFlight -= 1;
    this.#settle();
  }

  #log(entry: Job & { webhookId: string; status: number | null; error: string | null }) {
    if (this.attempts.length >= MAX_LOGGED_ATTEMPTS) this.attempts.shift();
    this.attempts.push({
      shop: entry.shop,
      topic: entry.topic,
      url: entry.subscription.callbackUrl,
      eventId: entry.eventId,
      webhookId: entry.webhookId,
      copy: entry.copy,
      attempt: entry.attempt,
      status: entry.status,
      error: entry.error,
      at: new Date().toISOString(),
    });
  }

  #settle() {
    if (this.#inFlight > 0 || this.#timers.size > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when no delivery is in flight, held or waiting for a retry. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#settle();
    });
  }

  /** Stops: pending retries are dropped and requests in flight aborted. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#held = [];
    for (const controller of this.#controllers) controller.abort(new Error('simulator closed'));
    this.#settle();
  }
}
