/**
 * A tenant's API keys: creates them (the key is returned once, only its SHA-256 is stored, with a visible
 * prefix for lists), lists them and revokes them. Each change is written with its audit event in the same
 * tenant transaction, so a key never exists without the record of who made it. Authentication with a key
 * (and its last-used time) lives in src/auth/authenticate.ts.
 *
 * The key table is read and written only inside `db.forTenant`, so row-level security confines every
 * statement to the tenant even if a filter were wrong. The few statements live here rather than in a
 * repository of their own: they are the whole of this table's data access.
 */
import type { Database } from '../db/client.ts';
import { notFound } from '../http/errors.ts';
import type { ApiKeyScope, Principal } from './access.ts';
import { recordTenantEvent } from './audit.ts';
import { hashToken, newApiKey } from './tokens.ts';

/** An API key as the API shows it: never the key or its hash. Times are UTC ISO-8601. */
export type ApiKey = {
  id: string;
  name: string;
  /** `sk_…` and the first characters of the secret, enough to recognise a key in a list. */
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  /** Updated at most once a minute by authentication; null until the key is first used. */
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type ApiKeyInput = { name: string; scopes: ApiKeyScope[] };

type ApiKeyRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

const COLUMNS = 'id::text, name, prefix, scopes, created_at, last_used_at, revoked_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const keyNotFound = () => notFound('api_key_not_found', 'API key not found');

export class ApiKeyService {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Creates a key for `tenantId` (an existing tenant the caller may manage keys of: the route authorizes).
   * Returns the key in full: the only time it is ever available. The audit event names the key by id,
   * name and scopes, never by its secret.
   */
  async create(
    tenantId: string,
    input: ApiKeyInput,
    principal: Principal,
    ip?: string,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    // The key embeds the tenant id, which authentication parses as lower-case hex only.
    const tenant = tenantId.toLowerCase();
    const { key, prefix } = newApiKey(tenant);
    return this.db.forTenant(tenant, async (tx) => {
      const [row] = await tx.query<ApiKeyRow>(
        `INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes, created_by)
         VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING ${COLUMNS}`,
        [
          tenant,
          input.name,
          prefix,
          hashToken(key),
          input.scopes,
          principal.kind === 'user' ? principal.userId : null,
        ],
      );
      await recordTenantEvent(tx, {
        tenantId: tenant,
        action: 'api_key.created',
        principal,
        detail: { keyId: row!.id, name: row!.name, scopes: row!.scopes },
        ip,
      });
      return { apiKey: present(row!), key };
    });
  }

  /** The tenant's keys, revoked ones included (with `revokedAt`), oldest first. */
  async list(tenantId: string): Promise<ApiKey[]> {
    const rows = await this.db.forTenant(tenantId, (tx) =>
      tx.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`, [
        tenantId,
      ]),
    );
    return rows.map(present);
  }

  /**
   * Revokes a key: from then on it authenticates nothing (401). Revoking a revoked key changes nothing
   * and records nothing.
   *
   * @throws HttpError 404 `api_key_not_found` when the tenant has no key with that id (another tenant's
   *   key id included).
   */
  async revoke(tenantId: string, keyId: string, principal: Principal, ip?: string): Promise<void> {
    if (!UUID.test(keyId)) throw keyNotFound();
    await this.db.forTenant(tenantId, async (tx) => {
      const [row] = await tx.query<ApiKeyRow>(
        `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
        [tenantId, keyId],
      );
      if (!row) throw keyNotFound();
      if (row.revoked_at !== null) return;
      await tx.query('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        keyId,
      ]);
      await recordTenantEvent(tx, {
        tenantId,
        action: 'api_key.revoked',
        principal,
        detail: { keyId: row.id, name: row.name, scopes: row.scopes },
        ip,
      });
    });
  }
}

function present(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
