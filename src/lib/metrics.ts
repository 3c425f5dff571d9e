/**
 * Prometheus metrics (prom-client), served at `/metrics`. Every drop or rejection is counted with its cause.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics of one Shopsight process. A registry per instance keeps tests independent. */
export class Metrics {
  readonly registry = new Registry();

  readonly webhooksReceived = new Counter({
    name: 'shopsight_webhooks_received_total',
    help: 'Webhook deliveries received at POST /webhooks/shopify.',
    registers: [this.registry],
  });

  readonly webhooksAccepted = new Counter({
    name: 'shopsight_webhooks_accepted_total',
    help: 'Verified webhook deliveries committed to the inbox, by whether they were duplicates.',
    labelNames: ['duplicate'] as const,
    registers: [this.registry],
  });

  readonly webhooksRejected = new Counter({
    name: 'shopsight_webhooks_rejected_total',
    help: 'Webhook deliveries answered non-2xx, by cause.',
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });

  readonly eventsProcessed = new Counter({
    name: 'shopsight_inbox_events_total',
    help: 'Inbox events finished by the worker, by outcome (processed, skipped, dead) and cause.',
    labelNames: ['outcome', 'cause'] as const,
    registers: [this.registry],
  });

  readonly eventRetries = new Counter({
    name: 'shopsight_inbox_event_retries_total',
    help: 'Inbox events whose processing failed and was scheduled again.',
    registers: [this.registry],
  });

  readonly batchSeconds = new Histogram({
    name: 'shopsight_worker_batch_seconds',
    help: 'Time to normalize and write one batch of inbox events.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventLatency = new Histogram({
    name: 'shopsight_inbox_event_latency_seconds',
    help: 'From receipt at intake to the end of processing, per inbox event.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'shopsight_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly inboxPending = new Gauge({
    name: 'shopsight_inbox_pending',
    help: 'Inbox events waiting for the worker (all tenants), read from the database at scrape time.',
    registers: [this.registry],
  });

  readonly inboxOldestPendingSeconds = new Gauge({
    name: 'shopsight_inbox_oldest_pending_seconds',
    help: 'Age of the oldest pending inbox event, read from the database at scrape time.',
    registers: [this.registry],
  });

  readonly deadLetters = new Gauge({
    name: 'shopsight_inbox_dead_letters',
    help: 'Dead-lettered inbox events (all tenants), read from the database at scrape time.',
    registers: [this.registry],
  });

  readonly syncRows = new Counter({
    name: 'shopsight_sync_rows_total',
    help: 'Records written by backfills and incremental syncs, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  readonly syncThrottleWaits = new Histogram({
    name: 'shopsight_sync_throttle_wait_seconds',
    help: "Waits for Shopify's Admin API rate limit (pacing from throttleStatus, or a throttled answer).",
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly syncResources = new Gauge({
    name: 'shopsight_sync_resources',
    help: 'Sync state rows (tenant and resource) by state, read from the database at scrape time.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly analyticsCache = new Counter({
    name: 'shopsight_analytics_cache_total',
    help: 'Analytics answer cache lookups, by result (hit, miss, error: the store failed and the answer was computed).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
