import { fileURLToPath } from "node:url";
import type { Database } from "./types.ts";

/** Where drizzle-kit writes the platform migrations (`bun run generate` in packages/db). */
export const PLATFORM_MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Tracking table of the platform migrations (in drizzle's `drizzle` schema), apart from each service's own. */
export const PLATFORM_MIGRATIONS_TABLE = "__platform_migrations";

/** Creates or upgrades the platform tables (outbox, processed_events, idempotency_keys) and btree_gist. */
export function migratePlatform(database: Database): Promise<void> {
  return database.migrate({
    migrationsFolder: PLATFORM_MIGRATIONS_FOLDER,
    migrationsTable: PLATFORM_MIGRATIONS_TABLE,
  });
}
