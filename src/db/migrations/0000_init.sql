CREATE TABLE "customers" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"email" text,
	"first_name" text,
	"last_name" text,
	"phone" text,
	"state" text,
	"tags" text,
	"currency" text,
	"orders_count" integer,
	"total_spent" numeric,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "order_line_items" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"order_id" bigint NOT NULL,
	"product_id" bigint,
	"variant_id" bigint,
	"title" text,
	"variant_title" text,
	"sku" text,
	"quantity" integer NOT NULL,
	"price" numeric NOT NULL,
	"gift_card" boolean DEFAULT false NOT NULL,
	"gross_sales" numeric NOT NULL,
	"discounts" numeric NOT NULL,
	"taxes" numeric NOT NULL,
	"raw" jsonb NOT NULL,
	CONSTRAINT "order_line_items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"name" text,
	"order_number" bigint,
	"email" text,
	"customer_id" bigint,
	"currency" text,
	"presentment_currency" text,
	"financial_status" text,
	"fulfillment_status" text,
	"test" boolean DEFAULT false NOT NULL,
	"taxes_included" boolean DEFAULT false NOT NULL,
	"source_name" text,
	"checkout_id" bigint,
	"created_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"closed_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"subtotal_price" numeric,
	"total_discounts" numeric,
	"total_tax" numeric,
	"total_price" numeric,
	"gross_sales" numeric DEFAULT '0' NOT NULL,
	"discounts" numeric DEFAULT '0' NOT NULL,
	"shipping" numeric DEFAULT '0' NOT NULL,
	"taxes" numeric DEFAULT '0' NOT NULL,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "product_variants" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"title" text,
	"sku" text,
	"price" numeric,
	"compare_at_price" numeric,
	"position" integer,
	"inventory_item_id" bigint,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	CONSTRAINT "product_variants_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"title" text,
	"handle" text,
	"vendor" text,
	"product_type" text,
	"status" text,
	"tags" text,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "refund_line_items" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"refund_id" bigint NOT NULL,
	"order_id" bigint NOT NULL,
	"line_item_id" bigint,
	"quantity" integer NOT NULL,
	"subtotal" numeric NOT NULL,
	"total_tax" numeric NOT NULL,
	"restock_type" text,
	"raw" jsonb NOT NULL,
	CONSTRAINT "refund_line_items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"tenant_id" uuid NOT NULL,
	"id" bigint NOT NULL,
	"order_id" bigint NOT NULL,
	"note" text,
	"restock" boolean,
	"created_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	"returns" numeric DEFAULT '0' NOT NULL,
	"refunded_shipping" numeric DEFAULT '0' NOT NULL,
	"refunded_taxes" numeric DEFAULT '0' NOT NULL,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_domain" text NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"webhook_secret_encrypted" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_shop_domain_unique" UNIQUE("shop_domain")
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"tenant_id" uuid NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "webhook_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dedupe_key" text NOT NULL,
	"topic" text NOT NULL,
	"event_id" text,
	"webhook_id" text,
	"api_version" text,
	"triggered_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"payload" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"skip_cause" text,
	"last_error" text,
	CONSTRAINT "webhook_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "webhook_events_tenant_dedupe_key" UNIQUE("tenant_id","dedupe_key"),
	CONSTRAINT "webhook_events_status_check" CHECK (status in ('pending', 'processed', 'skipped', 'dead'))
);
--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_line_items" ADD CONSTRAINT "order_line_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_line_items" ADD CONSTRAINT "order_line_items_tenant_id_order_id_orders_tenant_id_id_fk" FOREIGN KEY ("tenant_id","order_id") REFERENCES "public"."orders"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_tenant_id_product_id_products_tenant_id_id_fk" FOREIGN KEY ("tenant_id","product_id") REFERENCES "public"."products"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refund_line_items" ADD CONSTRAINT "refund_line_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refund_line_items" ADD CONSTRAINT "refund_line_items_tenant_id_refund_id_refunds_tenant_id_id_fk" FOREIGN KEY ("tenant_id","refund_id") REFERENCES "public"."refunds"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_line_items_tenant_order" ON "order_line_items" USING btree ("tenant_id","order_id");--> statement-breakpoint
CREATE INDEX "orders_tenant_processed_at" ON "orders" USING btree ("tenant_id","processed_at");--> statement-breakpoint
CREATE INDEX "orders_tenant_customer" ON "orders" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "product_variants_tenant_product" ON "product_variants" USING btree ("tenant_id","product_id");--> statement-breakpoint
CREATE INDEX "refund_line_items_tenant_refund" ON "refund_line_items" USING btree ("tenant_id","refund_id");--> statement-breakpoint
CREATE INDEX "refunds_tenant_order" ON "refunds" USING btree ("tenant_id","order_id");--> statement-breakpoint
CREATE INDEX "refunds_tenant_processed_at" ON "refunds" USING btree ("tenant_id","processed_at");--> statement-breakpoint
CREATE INDEX "webhook_events_pending" ON "webhook_events" USING btree ("id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_status" ON "webhook_events" USING btree ("tenant_id","status");--> statement-breakpoint
-- Inbox rows (webhook bodies of a few KB) stay inline and uncompressed up to a full page: intake writes
-- them at thousands per second, and compressing each one would cost more CPU than the space it saves.
ALTER TABLE "webhook_events" SET (toast_tuple_target = 8160);
