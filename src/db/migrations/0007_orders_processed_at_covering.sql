-- The summary's distinct-customer count reads (customer_id, test, deleted_at) of a range of orders: with them
-- in the processed_at index it is an index-only scan instead of one heap visit per order. Drizzle's index
-- builder has no INCLUDE, so the index is rebuilt here; schema.ts keeps its key columns.
DROP INDEX IF EXISTS "orders_tenant_processed_at";
--> statement-breakpoint
CREATE INDEX "orders_tenant_processed_at" ON "orders" USING btree ("tenant_id","processed_at") INCLUDE ("customer_id","test","deleted_at");
