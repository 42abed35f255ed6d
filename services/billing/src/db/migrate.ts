import { fileURLToPath } from "node:url";
import { type Database, migratePlatform } from "@carebridge/db";

/** drizzle-kit output of src/db/schema.ts (`bun run generate` in services/billing). */
export const BILLING_MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Applies the platform tables, then the billing tables (tracked in `__billing_migrations`). */
export async function migrateBilling(database: Database): Promise<void> {
  await migratePlatform(database);
  await database.migrate({
    migrationsFolder: BILLING_MIGRATIONS_FOLDER,
    migrationsTable: "__billing_migrations",
  });
}
