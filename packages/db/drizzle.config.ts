import { defineConfig } from "drizzle-kit";

// The platform tables every service database carries; applied by migratePlatform().
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/platform-schema.ts",
  out: "./drizzle",
  breakpoints: true,
  migrations: { table: "__platform_migrations" },
});
