-- Row-level security: tenant isolation enforced by PostgreSQL itself.
--
-- Two roles without BYPASSRLS, neither the owner of any table (migrations run as the owner):
-- * shopsight_app: every API request. On tenant tables it sees and writes only the rows of the tenant set for
--   the transaction (`shopsight.tenant_id`, set by Database.forTenant); with none set it sees nothing.
-- * shopsight_system: the verified-webhook intake, the inbox worker and maintenance commands, which work
--   across tenants on tenant ids they have verified themselves.
-- FORCE applies the policies to the table owner too.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shopsight_app') THEN
    CREATE ROLE shopsight_app NOLOGIN NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shopsight_system') THEN
    CREATE ROLE shopsight_system NOLOGIN NOBYPASSRLS;
  END IF;
END $$;
--> statement-breakpoint
GRANT shopsight_app, shopsight_system TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO shopsight_app, shopsight_system;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO shopsight_app, shopsight_system;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO shopsight_app, shopsight_system;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO shopsight_app, shopsight_system;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO shopsight_app, shopsight_system;
--> statement-breakpoint
ALTER TABLE "webhook_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_events_tenant_isolation" ON "webhook_events" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "webhook_events_system" ON "webhook_events" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "customers" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "customers_tenant_isolation" ON "customers" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "customers_system" ON "customers" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "products" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "products" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "products_tenant_isolation" ON "products" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "products_system" ON "products" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "product_variants" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "product_variants" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "product_variants_tenant_isolation" ON "product_variants" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "product_variants_system" ON "product_variants" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "orders" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "orders" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "orders_tenant_isolation" ON "orders" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "orders_system" ON "orders" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "order_line_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "order_line_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "order_line_items_tenant_isolation" ON "order_line_items" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "order_line_items_system" ON "order_line_items" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "refunds" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "refunds" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "refunds_tenant_isolation" ON "refunds" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "refunds_system" ON "refunds" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "refund_line_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "refund_line_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "refund_line_items_tenant_isolation" ON "refund_line_items" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "refund_line_items_system" ON "refund_line_items" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "memberships_tenant_isolation" ON "memberships" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "memberships_system" ON "memberships" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "api_keys_tenant_isolation" ON "api_keys" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "api_keys_system" ON "api_keys" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_events_tenant_isolation" ON "audit_events" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "audit_events_system" ON "audit_events" TO shopsight_system USING (true) WITH CHECK (true);
