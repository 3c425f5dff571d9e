CREATE TABLE "carts" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"token" text,
	"note" text,
	"currency" text,
	"total_price" numeric,
	"line_items_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "carts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "checkouts" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"token" text,
	"cart_token" text,
	"email" text,
	"customer_id" bigint,
	"currency" text,
	"presentment_currency" text,
	"subtotal_price" numeric,
	"total_discounts" numeric,
	"total_tax" numeric,
	"total_price" numeric,
	"line_items_count" integer DEFAULT 0 NOT NULL,
	"abandoned_checkout_url" text,
	"source_name" text,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"activity_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkouts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "customer_stats" (
	"tenant_id" uuid NOT NULL,
	"customer_id" bigint NOT NULL,
	"first_order_at" timestamp with time zone NOT NULL,
	"last_order_at" timestamp with time zone NOT NULL,
	"orders" integer NOT NULL,
	"gross_sales" numeric DEFAULT '0' NOT NULL,
	"discounts" numeric DEFAULT '0' NOT NULL,
	"returns" numeric DEFAULT '0' NOT NULL,
	"net_sales" numeric DEFAULT '0' NOT NULL,
	CONSTRAINT "customer_stats_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "daily_product_sales" (
	"tenant_id" uuid NOT NULL,
	"date" date NOT NULL,
	"product_id" bigint NOT NULL,
	"variant_id" bigint NOT NULL,
	"units_sold" integer DEFAULT 0 NOT NULL,
	"units_returned" integer DEFAULT 0 NOT NULL,
	"gross_sales" numeric DEFAULT '0' NOT NULL,
	"discounts" numeric DEFAULT '0' NOT NULL,
	"returns" numeric DEFAULT '0' NOT NULL,
	CONSTRAINT "daily_product_sales_tenant_id_date_product_id_variant_id_pk" PRIMARY KEY("tenant_id","date","product_id","variant_id")
);
--> statement-breakpoint
CREATE TABLE "daily_sales" (
	"tenant_id" uuid NOT NULL,
	"date" date NOT NULL,
	"orders" integer DEFAULT 0 NOT NULL,
	"units_sold" integer DEFAULT 0 NOT NULL,
	"units_returned" integer DEFAULT 0 NOT NULL,
	"gross_sales" numeric DEFAULT '0' NOT NULL,
	"discounts" numeric DEFAULT '0' NOT NULL,
	"returns" numeric DEFAULT '0' NOT NULL,
	"shipping" numeric DEFAULT '0' NOT NULL,
	"taxes" numeric DEFAULT '0' NOT NULL,
	"duties" numeric DEFAULT '0' NOT NULL,
	"refunds" integer DEFAULT 0 NOT NULL,
	"refunded_amount" numeric DEFAULT '0' NOT NULL,
	CONSTRAINT "daily_sales_tenant_id_date_pk" PRIMARY KEY("tenant_id","date")
);
--> statement-breakpoint
CREATE TABLE "inventory_items" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"sku" text,
	"cost" numeric,
	"tracked" boolean,
	"requires_shipping" boolean,
	"country_code_of_origin" text,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "inventory_levels" (
	"tenant_id" uuid NOT NULL,
	"inventory_item_id" bigint NOT NULL,
	"location_id" bigint NOT NULL,
	"available" integer,
	"updated_at" timestamp with time zone,
	"disconnected_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_levels_tenant_id_inventory_item_id_location_id_pk" PRIMARY KEY("tenant_id","inventory_item_id","location_id")
);
--> statement-breakpoint
CREATE TABLE "locations" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"name" text,
	"active" boolean DEFAULT true NOT NULL,
	"address1" text,
	"city" text,
	"province" text,
	"country_code" text,
	"zip" text,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "locations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"tenant_id" uuid NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "sync_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"resource" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "sync_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_states" (
	"tenant_id" uuid NOT NULL,
	"resource" text NOT NULL,
	"mode" text,
	"state" text DEFAULT 'idle' NOT NULL,
	"cursor" timestamp with time zone,
	"bulk_operation_id" text,
	"bulk_url" text,
	"lines_committed" bigint DEFAULT 0 NOT NULL,
	"rows_done" bigint DEFAULT 0 NOT NULL,
	"rows_total" bigint,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"last_reconciled_at" timestamp with time zone,
	CONSTRAINT "sync_states_tenant_id_resource_pk" PRIMARY KEY("tenant_id","resource")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "checkout_token" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "cart_token" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "duties" numeric DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "refunded_duties" numeric DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "abandonment_threshold_minutes" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "low_stock_threshold" integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "reconcile_interval_minutes" integer DEFAULT 360 NOT NULL;--> statement-breakpoint
ALTER TABLE "carts" ADD CONSTRAINT "carts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkouts" ADD CONSTRAINT "checkouts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_stats" ADD CONSTRAINT "customer_stats_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_product_sales" ADD CONSTRAINT "daily_product_sales_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_sales" ADD CONSTRAINT "daily_sales_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_items" ADD CONSTRAINT "inventory_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD CONSTRAINT "inventory_levels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "locations" ADD CONSTRAINT "locations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_states" ADD CONSTRAINT "sync_states_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "carts_tenant_created_at" ON "carts" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "checkouts_tenant_created_at" ON "checkouts" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "checkouts_tenant_token" ON "checkouts" USING btree ("tenant_id","token");--> statement-breakpoint
CREATE INDEX "customer_stats_tenant_first_order" ON "customer_stats" USING btree ("tenant_id","first_order_at");--> statement-breakpoint
CREATE INDEX "daily_product_sales_tenant_variant" ON "daily_product_sales" USING btree ("tenant_id","variant_id","date");--> statement-breakpoint
CREATE INDEX "inventory_levels_tenant_location" ON "inventory_levels" USING btree ("tenant_id","location_id");--> statement-breakpoint
CREATE INDEX "sync_runs_tenant_started" ON "sync_runs" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE INDEX "orders_tenant_cancelled_at" ON "orders" USING btree ("tenant_id","cancelled_at") WHERE cancelled_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_tenant_checkout" ON "orders" USING btree ("tenant_id","checkout_id") WHERE checkout_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_tenant_checkout_token" ON "orders" USING btree ("tenant_id","checkout_token") WHERE checkout_token IS NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_tenant_updated_at" ON "orders" USING btree ("tenant_id","updated_at");--> statement-breakpoint
CREATE INDEX "product_variants_tenant_inventory_item" ON "product_variants" USING btree ("tenant_id","inventory_item_id");--> statement-breakpoint
ALTER TABLE "checkouts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "checkouts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "checkouts_tenant_isolation" ON "checkouts" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "checkouts_system" ON "checkouts" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "carts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "carts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "carts_tenant_isolation" ON "carts" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "carts_system" ON "carts" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "daily_sales" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "daily_sales" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "daily_sales_tenant_isolation" ON "daily_sales" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "daily_sales_system" ON "daily_sales" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "daily_product_sales" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "daily_product_sales" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "daily_product_sales_tenant_isolation" ON "daily_product_sales" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "daily_product_sales_system" ON "daily_product_sales" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "customer_stats" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "customer_stats" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "customer_stats_tenant_isolation" ON "customer_stats" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "customer_stats_system" ON "customer_stats" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "sync_states" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "sync_states" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "sync_states_tenant_isolation" ON "sync_states" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "sync_states_system" ON "sync_states" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "sync_runs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "sync_runs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "sync_runs_tenant_isolation" ON "sync_runs" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "sync_runs_system" ON "sync_runs" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "locations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "locations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "locations_tenant_isolation" ON "locations" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "locations_system" ON "locations" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "inventory_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "inventory_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "inventory_items_tenant_isolation" ON "inventory_items" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "inventory_items_system" ON "inventory_items" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
ALTER TABLE "inventory_levels" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "inventory_levels" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "inventory_levels_tenant_isolation" ON "inventory_levels" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "inventory_levels_system" ON "inventory_levels" TO shopsight_system USING (true) WITH CHECK (true);
--> statement-breakpoint
-- lz4 for the raw JSON of the new entity tables where the server has it (see 0001).
DO $$
BEGIN
  ALTER TABLE "checkouts" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "carts" ALTER COLUMN "raw" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
  NULL;
END $$;
