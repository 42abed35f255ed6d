import { fileURLToPath } from "node:url";
import { type Database, migratePlatform } from "@carebridge/db";

/** drizzle-kit output of src/db/schema.ts plus the hand-written exclusion constraint (0001). */
export const APPOINTMENTS_MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Applies the platform tables (and btree_gist), then this service's (tracked in `__appointments_migrations`). */
export async function migrateAppointments(database: Database): Promise<void> {
  await migratePlatform(database);
  await database.migrate({
    migrationsFolder: APPOINTMENTS_MIGRATIONS_FOLDER,
    migrationsTable: "__appointments_migrations",
  });
}
