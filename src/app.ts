/**
 * Composition root: opens the database, runs migrations, resolves the embedded defaults (admin token and
 * encryption key kept in the data dir), and wires services, the HTTP server and the inbox worker for a role.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { AnalyticsCache } from './analytics/cache.ts';
import { rebuildTenantRollups } from './analytics/rollups.ts';
import { pino, type Logger } from 'pino';
import { ConfigError, type Config, type Role } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { buildServer } from './http/server.ts';
import { InboxWriter } from './ingest/inbox.repository.ts';
import { InboxWorker } from './ingest/worker.ts';
import { SecretBox } from './lib/crypto.ts';
import { Metrics } from './lib/metrics.ts';
import { ConnectionRepository } from './tenants/connection.repository.ts';
import { ConnectionService } from './tenants/connection.service.ts';
import { TenantDirectory } from './tenants/tenant-directory.ts';
import { TenantRepository } from './tenants/tenant.repository.ts';
import { TenantService } from './tenants/tenant.service.ts';
import { SyncQueue } from './sync/jobs.ts';
import { dueForReconciliation } from './sync/sync.repository.ts';
import { SyncService } from './sync/sync.service.ts';

export type App = {
  config: Config;
  db: Database;
  log: Logger;
  metrics: Metrics;
  tenants: TenantService;
  connections: ConnectionService;
  server: FastifyInstance | null;
  worker: InboxWorker | null;
  /** Backfill, incremental sync and reconciliation. */
  sync: SyncService;
  /** The job queue (pg-boss); its jobs run in the worker and all roles. */
  jobs: SyncQueue;
  /** The admin token in force (generated in the embedded default when not configured). */
  adminToken: string;
  /** Stops the worker after its batch, drains HTTP requests, closes the database. */
  close(): Promise<void>;
};

/** Creates the logger: JSON lines, secrets redacted. */
export function createLogger(level: Config['LOG_LEVEL']): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-shopify-hmac-sha256"]',
        'headers.authorization',
        '*.webhookSecret',
        '*.accessToken',
        '*.clientSecret',
      ],
      censor: '***',
    },
  });
}

/**
 * A secret from the environment, else (embedded default only) from `dataDir/file`, generated there on
 * first use. `generated` tells whether it was created now.
 *
 * @throws ConfigError when a server database is configured and the variable is missing.
 */
function resolveSecret(
  config: Config,
  value: string | undefined,
  variable: string,
  file: string,
  make: () => string,
): { value: string; generated: boolean } {
  if (value) return { value, generated: false };
  if (config.DATABASE_URL) {
    throw new ConfigError(`${variable} is required when DATABASE_URL is set`);
  }
  mkdirSync(config.SHOPSIGHT_DATA_DIR, { recursive: true });
  const path = join(config.SHOPSIGHT_DATA_DIR, file);
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), generated: false };
  const created = make();
  writeFileSync(path, `${created}\n`, { mode: 0o600 });
  return { value: created, generated: true };
}

/**
 * Builds a Shopsight process for `role`: `api` (HTTP only), `worker` (inbox worker only) or `all`.
 *
 * `options.db` replaces the configured database (tests pass a fresh one); it is closed by `close()`.
 *
 * @throws ConfigError for missing production secrets; database errors when it cannot connect or migrate.
 */
export async function createApp(
  config: Config,
  role: Role,
  options: { log?: Logger; db?: Database } = {},
): Promise<App> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const admin = resolveSecret(
    config,
    config.SHOPSIGHT_ADMIN_TOKEN,
    'SHOPSIGHT_ADMIN_TOKEN',
    'admin-token',
    () => randomBytes(24).toString('base64url'),
  );
  const key = resolveSecret(
    config,
    config.SHOPSIGHT_ENCRYPTION_KEY,
    'SHOPSIGHT_ENCRYPTION_KEY',
    'encryption.key',
    () => randomBytes(32).toString('base64'),
  );
  const secrets = new SecretBox(
    Buffer.from(key.value, 'base64'),
    config.SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS.map((previous) => Buffer.from(previous, 'base64')),
  );
  // A key of its own for cookie signatures, derived so that the encryption key is never used for two jobs.
  const cookieSecret = createHmac('sha256', Buffer.from(key.value, 'base64'))
    .update('shopsight cookie signing')
    .digest('base64url');

  const db =
    options.db ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.SHOPSIGHT_DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
    }));
  await db.migrate();
  // Embedded PGlite has no autovacuum: statistics now (a restart after a big import) and every few minutes.
  await db.analyze();
  const analyzeTimer =
    db.kind === 'pglite' && role !== 'api'
      ? setInterval(() => void db.analyze().catch(() => undefined), 5 * 60_000).unref()
      : undefined;

  const metrics = new Metrics({ defaultMetrics: true });
  const directory = new TenantDirectory(
    db,
    secrets,
    config.SHOPIFY_API_SECRET,
    config.SHOPSIGHT_TENANT_CACHE_TTL_MS,
  );
  await directory.refresh();
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on('error', (error) => log.warn({ err: error }, 'redis error'));
  const analyticsCache = new AnalyticsCache({ redis, metrics, log });
  const tenants = new TenantService(new TenantRepository(db), secrets, directory, {
    rebuildRollups: (tenantId) => db.system.transaction((tx) => rebuildTenantRollups(tx, tenantId)),
    invalidate: (tenantIds) => analyticsCache.invalidate(tenantIds),
  });
  const publicUrl = (config.SHOPSIGHT_PUBLIC_URL ?? config.SHOPIFY_APP_URL)?.replace(/\/+$/, '');
  const connections = new ConnectionService({
    repository: new ConnectionRepository(db),
    secrets,
    directory,
    log,
    settings: {
      apiKey: config.SHOPIFY_API_KEY,
      apiSecret: config.SHOPIFY_API_SECRET,
      scopes: config.SHOPIFY_SCOPES,
      appUrl: config.SHOPIFY_APP_URL?.replace(/\/+$/, ''),
      apiVersion: config.SHOPIFY_API_VERSION,
      adminBaseUrl: config.SHOPIFY_ADMIN_BASE_URL,
      webhookUrl: publicUrl && `${publicUrl}/webhooks/shopify`,
    },
  });
  const sync = new SyncService(
    db,
    connections,
    {
      apiVersion: config.SHOPIFY_API_VERSION,
      adminBaseUrl: config.SHOPIFY_ADMIN_BASE_URL,
      batchSize: config.SHOPSIGHT_SYNC_BATCH_SIZE,
    },
    log.child({ component: 'sync' }),
    {
      onCommitted: (tenantIds) => analyticsCache.invalidate(tenantIds),
      onRows: (resource, rows) => metrics.syncRows.inc({ resource }, rows),
      onThrottleWait: (ms) => metrics.syncThrottleWaits.observe(ms / 1000),
    },
  );
  const jobs = new SyncQueue(db, log.child({ component: 'jobs' }));
  await jobs.start();
  sync.attach(jobs);
  if (role !== 'api') {
    await jobs.work(
      (job) => sync.run(job),
      async () => {
        await sync.enqueueDue(await dueForReconciliation(db.system));
        await sync.recoverOrphans();
      },
    );
    await sync.recoverOrphans();
  }

  const server =
    role === 'worker'
      ? null
      : await buildServer({
          db,
          log,
          metrics,
          tenants,
          directory,
          inbox: new InboxWriter(db),
          adminToken: admin.value,
          webhookBodyLimit: config.SHOPSIGHT_WEBHOOK_BODY_LIMIT,
          rateLimitPerMinute: config.SHOPSIGHT_RATE_LIMIT_PER_MINUTE,
          redis,
          secureCookies: config.SHOPSIGHT_PUBLIC_URL?.startsWith('https://') ?? false,
          connections,
          cookieSecret,
          analyticsCache,
          sync: { sync, queue: jobs },
        });
  const worker =
    role === 'api'
      ? null
      : new InboxWorker(db, log, metrics, {
          batchSize: config.SHOPSIGHT_WORKER_BATCH_SIZE,
          // Two batches in flight overlap normalization with writes; PGlite has a single connection.
          concurrency: config.SHOPSIGHT_WORKER_CONCURRENCY ?? (db.kind === 'pglite' ? 1 : 2),
          pollMs: config.SHOPSIGHT_WORKER_POLL_MS,
          maxAttempts: config.SHOPSIGHT_WORKER_MAX_ATTEMPTS,
          backoffBaseMs: config.SHOPSIGHT_WORKER_BACKOFF_BASE_MS,
          onCommitted: (tenantIds) => analyticsCache.invalidate(tenantIds),
        });

  if (admin.generated) {
    // Printed once, when generated: the operator needs it for the API. It stays in the data dir.
    process.stdout.write(
      `\nShopsight generated an admin token (saved in ${join(config.SHOPSIGHT_DATA_DIR, 'admin-token')}):\n  ${admin.value}\n\n`,
    );
  }

  return {
    config,
    db,
    log,
    metrics,
    tenants,
    connections,
    server,
    worker,
    sync,
    jobs,
    adminToken: admin.value,
    async close() {
      clearInterval(analyzeTimer);
      await jobs.stop();
      await worker?.stop();
      await server?.close();
      await db.close();
      redis?.disconnect();
    },
  };
}
