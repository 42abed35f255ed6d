// Test support: the same suite runs against a real PostgreSQL server and against PGlite.
// (Relative import: @carebridge/testing depends on this package, not the other way round.)
import { createTestDatabase } from "../../../testing/src/postgres-harness.ts";
import { migratePlatform } from "../migrate-platform.ts";
import { openPglite } from "../open-pglite.ts";
import type { Database, DatabaseKind } from "../types.ts";

export const KINDS: DatabaseKind[] = ["postgres", "pglite"];

export interface OpenedDatabase {
  database: Database;
  /** Server databases only: the URL, for a second pool on the same database. */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the kind, with the platform migrations applied unless `migrate: false`. */
export async function openDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean } = {},
): Promise<OpenedDatabase> {
  if (kind === "postgres") return createTestDatabase(options);
  const database = await openPglite();
  if (options.migrate ?? true) await migratePlatform(database);
  return { database, drop: () => database.close() };
}
