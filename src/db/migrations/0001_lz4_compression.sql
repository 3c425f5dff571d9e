-- lz4 compresses JSON several times faster than PostgreSQL's default pglz, which matters for the raw
-- payloads the worker writes with every entity. Servers built without lz4 (and embedded PGlite) keep pglz.
DO $$
BEGIN
  ALTER TABLE "webhook_events" ALTER COLUMN "payload" SET COMPRESSION lz4;
  ALTER TABLE "orders" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "order_line_items" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "refunds" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "refund_line_items" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "customers" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "products" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "product_variants" ALTER COLUMN "raw" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available; raw payloads keep pglz compression';
END $$;
