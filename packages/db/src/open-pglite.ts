import { existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { Database, Db } from "./types.ts";
import { wrapDatabase } from "./wrap-database.ts";

const create = (options: { dataDir?: string; loadDataDir?: Blob } = {}) =>
  PGlite.create({
    ...options,
    extensions: { btree_gist },
    parsers: { [types.INT8]: (value: string) => value },
  });

// initdb in WASM takes a second or more; a tarball of a fresh cluster loads in a fraction of that.
// Made once per process and reused for every new database (in memory, or a new dataDir).
let freshCluster: Promise<Blob> | null = null;

function freshClusterDump(): Promise<Blob> {
  freshCluster ??= (async () => {
    const client = await create();
    try {
      return await client.dumpDataDir("none");
    } finally {
      await client.close();
    }
  })().catch((error) => {
    freshCluster = null;
    throw error;
  });
  return freshCluster;
}

/**
 * Opens an embedded PostgreSQL (PGlite, WASM) with the btree_gist extension available: in memory,
 * or persisted under `dataDir`. It is one connection: transactions and queries take turns, so
 * inside a transaction use its `tx` only (the Database itself would wait for the transaction:
 * a deadlock). Raw SQL reads int8 as a string and timestamps in UTC, as over postgres.js.
 */
export async function openPglite(options: { dataDir?: string } = {}): Promise<Database> {
  const { dataDir } = options;
  const client =
    dataDir && existsSync(join(dataDir, "PG_VERSION"))
      ? await create({ dataDir })
      : await create({ ...(dataDir ? { dataDir } : {}), loadDataDir: await freshClusterDump() });
  await client.exec("SET TIME ZONE 'UTC'");
  const drizzled = drizzle({ client });
  const db: Db = drizzled;
  return wrapDatabase({
    kind: "pglite",
    db,
    migrate: (opts) => migrate(drizzled, opts),
    close: () => client.close(),
  });
}
