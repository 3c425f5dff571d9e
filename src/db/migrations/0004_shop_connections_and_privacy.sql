CREATE TABLE "privacy_requests" (
	"tenant_id" uuid NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "privacy_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"topic" text NOT NULL,
	"customer_id" bigint,
	"shopify_request_id" text,
	"status" text NOT NULL,
	"export" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "privacy_requests_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "connection_status" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "connection_method" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "access_token_encrypted" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "access_token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "refresh_token_encrypted" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "refresh_token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "scopes" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "shopify_shop_id" bigint;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "installed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "uninstalled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD CONSTRAINT "privacy_requests_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "privacy_requests_tenant_created" ON "privacy_requests" USING btree ("tenant_id","created_at");--> statement-breakpoint
ALTER TABLE "privacy_requests" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "privacy_requests" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "privacy_requests_tenant_isolation" ON "privacy_requests" TO shopsight_app
  USING (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('shopsight.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY "privacy_requests_system" ON "privacy_requests" TO shopsight_system USING (true) WITH CHECK (true);
