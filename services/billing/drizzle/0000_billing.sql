CREATE TABLE "billing_audit" (
	"id" uuid PRIMARY KEY NOT NULL,
	"actor_user_id" uuid NOT NULL,
	"actor_role" text NOT NULL,
	"patient_id" uuid NOT NULL,
	"resource" text NOT NULL,
	"action" text NOT NULL,
	"request_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"appointment_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"lines" jsonb NOT NULL,
	"total_cents" integer NOT NULL,
	"insurance_covered_cents" integer NOT NULL,
	"patient_due_cents" integer NOT NULL,
	"paid_cents" integer DEFAULT 0 NOT NULL,
	"consultation" jsonb NOT NULL,
	"plan_id" text NOT NULL,
	"member_id" text,
	"facts" jsonb NOT NULL,
	"claim_id" uuid,
	"issued_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "invoices_appointment_id_key" UNIQUE("appointment_id"),
	CONSTRAINT "invoices_split" CHECK ("invoices"."insurance_covered_cents" + "invoices"."patient_due_cents" = "invoices"."total_cents"),
	CONSTRAINT "invoices_amounts" CHECK ("invoices"."total_cents" >= 0 AND "invoices"."insurance_covered_cents" >= 0 AND "invoices"."patient_due_cents" >= 0 AND "invoices"."paid_cents" >= 0 AND "invoices"."paid_cents" <= "invoices"."patient_due_cents")
);
--> statement-breakpoint
CREATE TABLE "patient_plans" (
	"patient_id" uuid PRIMARY KEY NOT NULL,
	"plan_id" text NOT NULL,
	"member_id" text,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"invoice_id" uuid NOT NULL,
	"amount_cents" integer NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"processor_ref" text,
	"failure" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_positive" CHECK ("payments"."amount_cents" > 0)
);
--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billing_audit_patient_idx" ON "billing_audit" USING btree ("patient_id","at");--> statement-breakpoint
CREATE INDEX "invoices_patient_idx" ON "invoices" USING btree ("patient_id","id");--> statement-breakpoint
CREATE INDEX "invoices_status_idx" ON "invoices" USING btree ("status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_pending_idx" ON "payments" USING btree ("invoice_id") WHERE "payments"."status" = 'pending';