-- No two booked appointments of one doctor may overlap: the database refuses them (SQLSTATE 23P01).
-- btree_gist (created by migratePlatform) lets the GiST index compare doctor_id with =.
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_booked_no_overlap"
  EXCLUDE USING gist ("doctor_id" WITH =, "during" WITH &&) WHERE ("status" = 'booked');--> statement-breakpoint
CREATE INDEX "doctors_specialty_idx" ON "doctors" ("specialty") WHERE "specialty" IS NOT NULL;
