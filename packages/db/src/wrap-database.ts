import type { SQL } from "drizzle-orm";
import type { Database, DatabaseKind, Db, Executor } from "./types.ts";

interface WrapOptions {
  kind: DatabaseKind;
  db: Db;
  /** Runs drizzle's migrator for this driver; calls are already serialised within the process. */
  migrate(opts: { migrationsFolder: string; migrationsTable: string }): Promise<void>;
  close(): Promise<void>;
}

// PGlite runs in this thread and its promises settle as microtasks, so a loop of awaited queries
// never lets timers or sockets run. Top-level calls on PGlite first yield to the event loop.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Builds the driver-neutral Database over a drizzle instance. */
export function wrapDatabase(options: WrapOptions): Database {
  const { kind, db } = options;
  const fair = kind === "pglite" ? yieldToEventLoop : async () => {};
  // Two migrate() calls of one process must not interleave: drizzle reads the last applied
  // migration outside its transaction, so both would apply the same files.
  let migrations: Promise<unknown> = Promise.resolve();
  return {
    kind,
    db,
    async transaction(fn, opts) {
      await fair();
      return db.transaction(fn, opts?.isolationLevel ? { isolationLevel: opts.isolationLevel } : undefined);
    },
    async query<T extends Record<string, unknown>>(q: SQL, executor?: Executor): Promise<T[]> {
      if (!executor) await fair();
      const result: unknown = await (executor ?? db).execute(q);
      // postgres.js returns the rows (an array with extra properties); PGlite returns { rows, fields, ... }.
      if (Array.isArray(result)) return Array.from(result) as T[];
      return ((result as { rows?: T[] }).rows ?? []) as T[];
    },
    migrate(opts) {
      const run = migrations.then(() => options.migrate(opts));
      migrations = run.catch(() => {});
      return run;
    },
    close: options.close,
  };
}
