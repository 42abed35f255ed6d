import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Database, Db } from "./types.ts";
import { wrapDatabase } from "./wrap-database.ts";

export interface ConnectPostgresOptions {
  /** Pool size. Default 10. */
  max?: number;
  /** Shown in pg_stat_activity. Default "carebridge". */
  applicationName?: string;
  /** Default 10. */
  connectTimeoutSeconds?: number;
}

/**
 * Connects a drizzle database to a PostgreSQL server through a postgres.js pool and checks that
 * the server answers. Sessions run in UTC, so timestamps read by raw SQL are UTC strings.
 */
export async function connectPostgres(url: string, options: ConnectPostgresOptions = {}): Promise<Database> {
  const connect = (max: number) =>
    postgres(url, {
      max,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      onnotice: () => {},
      connection: { application_name: options.applicationName ?? "carebridge", TimeZone: "UTC" },
    });
  const client = connect(options.max ?? 10);
  try {
    await client`SELECT 1`;
  } catch (error) {
    await client.end({ timeout: 0 });
    throw error;
  }
  const drizzled = drizzle({ client });
  const db: Db = drizzled;
  return wrapDatabase({
    kind: "postgres",
    db,
    async migrate(opts) {
      // Several processes (replicas starting together) may migrate one database at once: a session
      // advisory lock on a connection of its own makes them take turns. Ending it releases the lock.
      const lock = connect(1);
      try {
        await lock`SELECT pg_advisory_lock(hashtext(${`carebridge.migrate.${opts.migrationsTable}`}))`;
        await migrate(drizzled, opts);
      } finally {
        await lock.end({ timeout: 5 });
      }
    },
    close: () => client.end({ timeout: 5 }),
  });
}
