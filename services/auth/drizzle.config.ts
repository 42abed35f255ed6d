import { defineConfig } from "drizzle-kit";

// The auth service's own tables; applied by migrateAuth() after the platform tables.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  breakpoints: true,
  migrations: { table: "__auth_migrations" },
});
