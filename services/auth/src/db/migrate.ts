import { fileURLToPath } from "node:url";
import { type Database, migratePlatform } from "@carebridge/db";

/** drizzle-kit output of src/db/schema.ts (`bun run generate` in services/auth). */
export const AUTH_MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Applies the platform tables, then the auth tables (tracked in `__auth_migrations`). */
export async function migrateAuth(database: Database): Promise<void> {
  await migratePlatform(database);
  await database.migrate({ migrationsFolder: AUTH_MIGRATIONS_FOLDER, migrationsTable: "__auth_migrations" });
}
