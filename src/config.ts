/**
 * Configuration: the process environment, read once, validated with zod and turned into one typed object.
 *
 * Every variable is documented in `.env.example` and in the README's configuration table. An invalid value
 * fails fast with a message that names the variable (`ConfigError`), before anything is started.
 */
import { z } from 'zod';

/** Where the worker runs: `api` serves HTTP only, `worker` drains the inbox only, `all` does both. */
export const ROLES = ['api', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const base64Key = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((value) => /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32, {
      message: 'must be 32 bytes encoded as base64 (openssl rand -base64 32)',
    })
    .optional(),
);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  SHOPSIGHT_DATA_DIR: z.string().min(1).default('./data'),
  SHOPSIGHT_ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16).optional()),
  SHOPSIGHT_ENCRYPTION_KEY: base64Key,
  /**
   * Keys that sealed values before the current one (comma-separated, base64): still accepted for opening,
   * so the current key can be replaced without losing any stored token or secret.
   */
  SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .refine((keys) => keys.every((key) => /^[A-Za-z0-9+/]{43}=$/.test(key)), {
      message: 'must be comma-separated 32-byte keys encoded as base64',
    })
    .default([]),
  SHOPIFY_API_SECRET: optionalString,
  /** The app's client id (OAuth install). */
  SHOPIFY_API_KEY: optionalString,
  /** Access scopes asked for at install, comma-separated. */
  SHOPIFY_SCOPES: z
    .string()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, 'must be comma-separated scopes such as read_orders,read_products')
    .default('read_orders,read_customers,read_products,read_inventory,read_locations'),
  /** Where Shopify reaches the app: the OAuth redirect is `${SHOPIFY_APP_URL}/shopify/callback`. */
  SHOPIFY_APP_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  /** Admin API version of every Shopify call (shopify.dev/docs/api/usage/versioning). */
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^(\d{4}-(01|04|07|10)|unstable)$/, 'must be a Shopify API version such as 2026-04')
    .default('2026-04'),
  /**
   * The base URL of a shop, with `{shop}` for its domain: `https://{shop}` on Shopify; the simulator's
   * `http://127.0.0.1:4010/shops/{shop}` in development.
   */
  SHOPIFY_ADMIN_BASE_URL: z
    .string()
    .refine((value) => value.includes('{shop}') && URL.canParse(value.replace('{shop}', 'x.myshopify.com')), {
      message: 'must be a URL template containing {shop}, such as https://{shop}',
    })
    .default('https://{shop}'),
  REDIS_URL: z.url().optional(),
  /** The URL users reach Shopsight at; https:// marks session cookies Secure. */
  SHOPSIGHT_PUBLIC_URL: z.url().optional(),
  SHOPSIGHT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  SHOPSIGHT_WEBHOOK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(5 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  SHOPSIGHT_WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  SHOPSIGHT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).optional(),
  SHOPSIGHT_WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  SHOPSIGHT_WORKER_POLL_MS: z.coerce.number().int().min(5).max(60_000).default(200),
  SHOPSIGHT_WORKER_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(1000),
  /** Orders (customers, products) written per transaction by a backfill or incremental sync. */
  SHOPSIGHT_SYNC_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  SHOPSIGHT_TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The validated configuration. Secrets are present here but never logged (see `redactedConfig`). */
export type Config = z.infer<typeof envSchema>;

/** Thrown when the environment does not describe a runnable Shopsight; the message names each variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration from `env` (default `process.env`).
 *
 * @throws ConfigError listing every invalid variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A variable set to the empty string counts as unset, so that `PORT=` keeps the default.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The configuration with every secret replaced by a marker, safe to log. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    DATABASE_URL: config.DATABASE_URL ? redactUrl(config.DATABASE_URL) : undefined,
    SHOPSIGHT_ADMIN_TOKEN: config.SHOPSIGHT_ADMIN_TOKEN ? '***' : undefined,
    SHOPSIGHT_ENCRYPTION_KEY: config.SHOPSIGHT_ENCRYPTION_KEY ? '***' : undefined,
    SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS: config.SHOPSIGHT_PREVIOUS_ENCRYPTION_KEYS.map(() => '***'),
    SHOPIFY_API_SECRET: config.SHOPIFY_API_SECRET ? '***' : undefined,
    REDIS_URL: config.REDIS_URL ? redactUrl(config.REDIS_URL) : undefined,
  };
}

/** A connection URL without its password (in the user info or a `password` query parameter). */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return '***';
  }
}
