import { defineConfig } from "drizzle-kit";

// The billing service's own tables; applied by migrateBilling() after the platform tables.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  breakpoints: true,
  migrations: { table: "__billing_migrations" },
});
