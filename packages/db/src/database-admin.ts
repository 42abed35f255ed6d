import { sql } from "drizzle-orm";
import { pgErrorCode } from "./pg-errors.ts";
import type { Database } from "./types.ts";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function checked(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain database name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Creates database `name` (lower-case letters, digits, underscores) on the server `admin` is
 * connected to; returns false when it already existed. PostgreSQL servers only.
 */
export async function createDatabase(admin: Database, name: string): Promise<boolean> {
  const exists = await admin.query(sql`SELECT 1 FROM pg_database WHERE datname = ${checked(name)}`);
  if (exists.length > 0) return false;
  try {
    await admin.query(sql.raw(`CREATE DATABASE ${name}`));
    return true;
  } catch (error) {
    // Lost a race with another creator: pg_database's unique index or the duplicate-database error.
    const code = pgErrorCode(error);
    if (code === "42P04" || code === "23505") return false;
    throw error;
  }
}

/** Drops database `name`, ending its sessions first (PostgreSQL 13+). No error when it is missing. */
export async function dropDatabase(admin: Database, name: string): Promise<void> {
  await admin.query(sql.raw(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`));
}
