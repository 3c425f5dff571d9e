/**
 * Tenants: one Shopify store each. Creates, reads, changes and deletes them, seals their webhook secrets
 * (AES-256-GCM) and keeps the webhook intake's directory of shop domains current.
 */
import type { Principal } from '../auth/access.ts';
import type { SecretBox } from '../lib/crypto.ts';
import { HttpError, notFound } from '../http/errors.ts';
import type { TenantRecord, TenantRepository } from './tenant.repository.ts';
import type { TenantDirectory } from './tenant-directory.ts';

/** A tenant as the API shows it: never the secret. Times are UTC ISO-8601. */
export type Tenant = {
  id: string;
  shopDomain: string;
  name: string;
  timezone: string;
  currency: string;
  hasWebhookSecret: boolean;
  /** Minutes without an order after a checkout's last activity before it counts as abandoned. */
  abandonmentThresholdMinutes: number;
  /** Units on hand at or under which a variant is listed as low stock. */
  lowStockThreshold: number;
  /** Minutes between scheduled reconciliations; 0 = off. */
  reconcileIntervalMinutes: number;
  createdAt: string;
  updatedAt: string;
};

export type TenantInput = {
  shopDomain: string;
  name?: string | undefined;
  timezone?: string | undefined;
  currency?: string | undefined;
  webhookSecret?: string | undefined;
};

export type TenantChanges = {
  name?: string | undefined;
  timezone?: string | undefined;
  currency?: string | undefined;
  webhookSecret?: string | null | undefined;
  abandonmentThresholdMinutes?: number | undefined;
  lowStockThreshold?: number | undefined;
  reconcileIntervalMinutes?: number | undefined;
};

/**
 * What depends on a tenant's settings beyond its row: the daily rollups are cut in its time zone, and
 * cached analytics answers show its currency and days.
 */
export type TenantAnalytics = {
  /** Rebuilds the tenant's daily rollups (after a time zone change). */
  rebuildRollups(tenantId: string): Promise<void>;
  /** Drops the tenant's cached analytics answers. */
  invalidate(tenantIds: string[]): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TenantService {
  private readonly repository: TenantRepository;
  private readonly secrets: SecretBox;
  private readonly directory: TenantDirectory;
  private readonly analytics: TenantAnalytics | undefined;

  constructor(
    repository: TenantRepository,
    secrets: SecretBox,
    directory: TenantDirectory,
    analytics?: TenantAnalytics,
  ) {
    this.repository = repository;
    this.secrets = secrets;
    this.directory = directory;
    this.analytics = analytics;
  }

  /**
   * Connects a store; `ownerUserId` (when given) becomes its owner in the same transaction.
   *
   * @throws HttpError 409 `shop_domain_taken` when the shop domain is already a tenant.
   */
  async create(input: TenantInput, ownerUserId?: string): Promise<Tenant> {
    const shopDomain = input.shopDomain.toLowerCase();
    try {
      const row = await this.repository.insert(
        {
          shopDomain,
          name: input.name ?? shopDomain.replace(/\.myshopify\.com$/, ''),
          timezone: input.timezone ?? 'UTC',
          currency: input.currency ?? 'USD',
          webhookSecretEncrypted: input.webhookSecret ? this.secrets.seal(input.webhookSecret) : null,
        },
        ownerUserId,
      );
      await this.directory.refresh();
      return present(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new HttpError(409, 'shop_domain_taken', `${shopDomain} is already connected`);
      }
      throw error;
    }
  }

  /** The tenants `principal` can see: all for the operator, its memberships for a user, its own for a key. */
  async listFor(principal: Principal): Promise<Tenant[]> {
    const scope =
      principal.kind === 'admin'
        ? undefined
        : principal.kind === 'user'
          ? { userId: principal.userId }
          : { tenantId: principal.tenantId };
    return (await this.repository.list(scope)).map(present);
  }

  /** @throws HttpError 404 `tenant_not_found`. */
  async get(id: string): Promise<Tenant> {
    return present(await this.record(id));
  }

  /** The stored tenant, for services that need its time zone or currency. @throws HttpError 404. */
  async record(id: string): Promise<TenantRecord> {
    const row = UUID.test(id) ? await this.repository.get(id) : undefined;
    if (!row) throw notFound('tenant_not_found', 'tenant not found');
    return row;
  }

  /**
   * Changes settings (name, time zone, currency, webhook secret, abandonment threshold, low-stock threshold,
   * reconciliation interval); `webhookSecret: null` falls back to the app secret. @throws HttpError 404.
   */
  async update(id: string, changes: TenantChanges): Promise<Tenant> {
    const before = await this.record(id);
    const row = await this.repository.update(id, {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.timezone !== undefined && { timezone: changes.timezone }),
      ...(changes.currency !== undefined && { currency: changes.currency }),
      ...(changes.abandonmentThresholdMinutes !== undefined && {
        abandonmentThresholdMinutes: changes.abandonmentThresholdMinutes,
      }),
      ...(changes.lowStockThreshold !== undefined && { lowStockThreshold: changes.lowStockThreshold }),
      ...(changes.reconcileIntervalMinutes !== undefined && {
        reconcileIntervalMinutes: changes.reconcileIntervalMinutes,
      }),
      ...(changes.webhookSecret !== undefined && {
        webhookSecretEncrypted:
          changes.webhookSecret === null ? null : this.secrets.seal(changes.webhookSecret),
      }),
    });
    if (!row) throw notFound('tenant_not_found', 'tenant not found');
    await this.directory.refresh();
    // Days are cut in the store's time zone: a new one moves every order to its new day.
    if (row.timezone !== before.timezone) await this.analytics?.rebuildRollups(id);
    // Reports read the tenant's settings too (currency, abandonment and low-stock thresholds): any change
    // makes its cached answers stale.
    await this.analytics?.invalidate([id]);
    return present(row);
  }

  /** Disconnects a store and deletes all of its data. @throws HttpError 404. */
  async delete(id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repository.delete(id))) {
      throw notFound('tenant_not_found', 'tenant not found');
    }
    await this.directory.refresh();
    await this.analytics?.invalidate([id]);
  }
}

function present(row: TenantRecord): Tenant {
  return {
    id: row.id,
    shopDomain: row.shopDomain,
    name: row.name,
    timezone: row.timezone,
    currency: row.currency,
    hasWebhookSecret: row.webhookSecretEncrypted !== null,
    abandonmentThresholdMinutes: row.abandonmentThresholdMinutes,
    lowStockThreshold: row.lowStockThreshold,
    reconcileIntervalMinutes: row.reconcileIntervalMinutes,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Drizzle wraps the driver's error; PostgreSQL's code for a unique violation is 23505.
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
