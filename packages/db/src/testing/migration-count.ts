import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PLATFORM_MIGRATIONS_FOLDER } from "../migrate-platform.ts";

/** How many platform migrations drizzle-kit's journal lists (what a migrated database must have applied). */
export function platformMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(PLATFORM_MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"));
  return journal.entries.length;
}
