CREATE INDEX "checkouts_tenant_activity_at" ON "checkouts" USING btree ("tenant_id","activity_at");--> statement-breakpoint
CREATE INDEX "orders_tenant_created_at" ON "orders" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_tenant_total_price" ON "orders" USING btree ("tenant_id","total_price");--> statement-breakpoint
CREATE INDEX "orders_tenant_order_number" ON "orders" USING btree ("tenant_id","order_number");--> statement-breakpoint
CREATE INDEX "webhook_events_dead" ON "webhook_events" USING btree ("id") WHERE status = 'dead';--> statement-breakpoint
-- /readyz compares the applied migrations with the ones this build carries; the system role reads drizzle's
-- record of them (created by the migrator in schema "drizzle").
GRANT USAGE ON SCHEMA drizzle TO shopsight_system;
--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO shopsight_system;
