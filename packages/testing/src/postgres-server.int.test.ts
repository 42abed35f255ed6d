import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { connectPostgres } from "@carebridge/db";
import {
  clusterDir,
  findPostgresBinaries,
  findRunningPostgres,
  startPostgresServer,
} from "./postgres-server.ts";
import { freePort } from "./repo.ts";

const dataDir = clusterDir(`test-pg-server-${process.pid}`);
rmSync(dataDir, { recursive: true, force: true });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Runs one statement with psql (this package has no SQL builder of its own); rows as "a|b" lines.
const psql = (url: string, statement: string) => {
  const out = Bun.spawnSync([join(findPostgresBinaries(), "psql"), "-X", "-A", "-t", "-c", statement, url], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (out.exitCode !== 0) throw new Error(out.stderr.toString());
  return out.stdout.toString().trim();
};

test("finds the newest PostgreSQL binaries", () => {
  expect(findPostgresBinaries()).toMatch(/bin$/);
});

test("starts a cluster on 127.0.0.1 with fast settings, restarts it with its data, and stops it", async () => {
  const settings =
    "SELECT current_setting('fsync'), current_setting('listen_addresses'), current_setting('TimeZone')";
  const server = await startPostgresServer({ dataDir });
  expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
  expect(psql(server.url, settings)).toBe("off|127.0.0.1|UTC");
  psql(server.url, "CREATE TABLE kept (n int)");
  await server.stop();
  await expect(connectPostgres(server.url, { max: 1, connectTimeoutSeconds: 2 })).rejects.toThrow();

  // The same directory again, durable this time, on a port of our choosing: initdb is skipped.
  const port = freePort();
  const again = await startPostgresServer({ dataDir, port, durable: true });
  expect(again.port).toBe(port);
  expect(psql(again.url, settings)).toBe("on|127.0.0.1|UTC");
  // A server still running in the directory (its owner was killed) is stopped before the new start.
  const third = await startPostgresServer({ dataDir });
  await expect(connectPostgres(again.url, { max: 1, connectTimeoutSeconds: 2 })).rejects.toThrow();
  expect(psql(third.url, "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'")).toBe("1");
  await third.stop();
});

test("findRunningPostgres answers a URL that accepts connections, or null", async () => {
  const url = await findRunningPostgres();
  if (url === null) return;
  expect(url).toBe("postgres://postgres@127.0.0.1:5432/postgres");
  expect(psql(url, "SELECT 1")).toBe("1");
});
