/**
 * Checkout rows for tests, written straight into `checkouts` through the tables' owner (the webhook
 * normalizer for checkouts lives elsewhere). Money: decimal strings; times: ISO-8601.
 */
import type { Queryable } from '../../src/db/client.ts';
import { newId } from './factories.ts';

export type CheckoutSpec = {
  id?: string;
  token?: string;
  email?: string | null;
  totalPrice?: string;
  createdAt: string;
  /** The buyer's last activity (default: `createdAt`). */
  activityAt?: string | null;
  updatedAt?: string;
  deletedAt?: string | null;
  lineItems?: { title: string; sku?: string; quantity: number; price: string; variantId?: string }[];
};

/** Inserts a checkout of `tenantId`; returns its id and token. */
export async function insertCheckout(owner: Queryable, tenantId: string, spec: CheckoutSpec) {
  const id = spec.id ?? newId();
  const token = spec.token ?? `tok${id}`;
  const lineItems = (
    spec.lineItems ?? [{ title: 'Item', quantity: 1, price: spec.totalPrice ?? '100.00' }]
  ).map((line, index) => ({
    key: `key-${id}-${index}`,
    product_id: 632910392,
    variant_id: line.variantId ?? '808950810',
    title: line.title,
    variant_title: null,
    sku: line.sku ?? null,
    quantity: line.quantity,
    price: line.price,
    line_price: (Number(line.price) * line.quantity).toFixed(2),
  }));
  const raw = { id, token, email: spec.email ?? null, line_items: lineItems };
  await owner.query(
    `INSERT INTO checkouts (tenant_id, id, token, email, currency, subtotal_price, total_price, line_items_count,
       created_at, updated_at, activity_at, deleted_at, raw)
     VALUES ($1, $2::bigint, $3, $4, 'USD', $5::numeric, $5::numeric, $6, $7, $8, $9, $10, $11::jsonb)`,
    [
      tenantId,
      id,
      token,
      spec.email === undefined ? `c${id}@example.com` : spec.email,
      spec.totalPrice ?? '100.00',
      lineItems.length,
      spec.createdAt,
      spec.updatedAt ?? spec.activityAt ?? spec.createdAt,
      spec.activityAt === undefined ? spec.createdAt : spec.activityAt,
      spec.deletedAt ?? null,
      JSON.stringify(raw),
    ],
  );
  return { id, token };
}
