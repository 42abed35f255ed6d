import { defineConfig } from "drizzle-kit";

// The appointments service's own tables; applied by migrateAppointments() after the platform tables.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  breakpoints: true,
  migrations: { table: "__appointments_migrations" },
});
