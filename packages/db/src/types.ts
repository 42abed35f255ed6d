import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";

/** A drizzle database over either postgres.js or PGlite. */
// biome-ignore lint/suspicious/noExplicitAny: drizzle's schema generic is erased at this boundary
export type Db = PgDatabase<PgQueryResultHKT, any>;
/** A drizzle transaction handle (same API as Db, plus rollback); exactly what Db.transaction passes. */
// biome-ignore lint/suspicious/noExplicitAny: see Db
export type Tx = PgTransaction<PgQueryResultHKT, any, ExtractTablesWithRelations<any>>;
/** Either a database or an open transaction: what query functions take first. */
export type Executor = Db | Tx;

export type DatabaseKind = "postgres" | "pglite";

/** One PostgreSQL database, server or embedded, behind the same interface. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Db;
  /** Runs fn in one transaction (READ COMMITTED unless told otherwise); commits on return, rolls back on throw. */
  transaction<T>(
    fn: (tx: Tx) => Promise<T>,
    opts?: { isolationLevel?: "read committed" | "repeatable read" | "serializable" },
  ): Promise<T>;
  /** Raw SQL returning rows, normalised across drivers. */
  query<T extends Record<string, unknown>>(q: SQL, executor?: Executor): Promise<T[]>;
  /** Applies drizzle-kit migrations from a folder, tracked in `migrationsTable`. */
  migrate(opts: { migrationsFolder: string; migrationsTable: string }): Promise<void>;
  close(): Promise<void>;
}
