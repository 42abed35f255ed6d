CREATE TABLE "phi_audit" (
	"id" uuid PRIMARY KEY NOT NULL,
	"actor_user_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"patient_id" uuid NOT NULL,
	"resource" text NOT NULL,
	"action" text NOT NULL,
	"request_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "phi_audit_patient_at_idx" ON "phi_audit" USING btree ("patient_id","at");