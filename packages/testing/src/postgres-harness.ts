import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  connectPostgres,
  createDatabase,
  type Database,
  dropDatabase,
  migratePlatform,
} from "@carebridge/db";
import { clusterDir, startPostgresServer, stopPostgresCluster } from "./postgres-server.ts";

let shared: Promise<string> | null = null;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
};

// Clusters of test processes whose watchdog did not get to clean up (e.g. a reboot): stop, delete.
async function removeOrphanClusters() {
  const root = dirname(clusterDir("test-pg"));
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    const pid = Number(entry.match(/^test-pg-(\d+)$/)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    await stopPostgresCluster(join(root, entry));
    rmSync(join(root, entry), { recursive: true, force: true });
  }
}

/**
 * URL of the PostgreSQL server integration tests share. `bun run test` starts one server for the
 * whole run and exports CAREBRIDGE_TEST_PG_URL; a test run without it starts one per process
 * (under `.cache/test-pg-<pid>` or see clusterDir, fast unsafe settings) that is stopped and deleted once the
 * process is gone, never earlier: `bun test` runs every file in one process.
 */
export function testPostgresUrl(): Promise<string> {
  const fromEnv = process.env.CAREBRIDGE_TEST_PG_URL;
  if (fromEnv) return Promise.resolve(fromEnv);
  shared ??= (async () => {
    await removeOrphanClusters();
    const dataDir = clusterDir(`test-pg-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    // No stop() here: the server outlives every test file and goes when the process does.
    const server = await startPostgresServer({ dataDir, deleteOnExit: true });
    return server.url;
  })().catch((error) => {
    shared = null;
    throw error;
  });
  return shared;
}

/** A fresh database on the test server; drop() closes its pool and removes it. */
export interface TestDatabase {
  database: Database;
  url: string;
  drop(): Promise<void>;
}

const withAdmin = async <T>(serverUrl: string, fn: (admin: Database) => Promise<T>): Promise<T> => {
  const admin = await connectPostgres(serverUrl, { max: 1, applicationName: "carebridge-test-admin" });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
};

/**
 * Creates a uniquely named database (`t_<random>`) on the test server (or on `serverUrl`, e.g. a
 * bench's) and connects to it, with the platform migrations applied unless `migrate: false`.
 */
export async function createTestDatabase(
  options: { migrate?: boolean; serverUrl?: string; max?: number } = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? (await testPostgresUrl());
  const name = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
  await withAdmin(serverUrl, (admin) => createDatabase(admin, name));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let database: Database | undefined;
  const drop = async () => {
    await database?.close();
    await withAdmin(serverUrl, (admin) => dropDatabase(admin, name));
  };
  try {
    database = await connectPostgres(url.toString(), {
      applicationName: "carebridge-test",
      ...(options.max ? { max: options.max } : {}),
    });
    if (options.migrate ?? true) await migratePlatform(database);
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { database, url: url.toString(), drop };
}
