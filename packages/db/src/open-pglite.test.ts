import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migratePlatform } from "./migrate-platform.ts";
import { openPglite } from "./open-pglite.ts";
import { isExclusionViolation } from "./pg-errors.ts";
import { platformMigrationCount } from "./testing/migration-count.ts";

const dir = mkdtempSync(join(tmpdir(), "carebridge-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a PGlite dataDir keeps tables, migrations and btree_gist across close and reopen", async () => {
  const dataDir = join(dir, "db");
  const first = await openPglite({ dataDir });
  await migratePlatform(first);
  await first.query(
    sql`CREATE TABLE rooms (room int, during int4range, EXCLUDE USING gist (room WITH =, during WITH &&))`,
  );
  await first.query(sql`INSERT INTO rooms VALUES (1, '[1,5)')`);
  await first.close();

  const again = await openPglite({ dataDir });
  await migratePlatform(again);
  const [row] = await again.query<{ c: number }>(
    sql`SELECT count(*)::int AS c FROM drizzle.__platform_migrations`,
  );
  expect(row?.c).toBe(platformMigrationCount());
  const overlap = await again
    .query(sql`INSERT INTO rooms VALUES (1, '[3,8)')`)
    .catch((error: unknown) => error);
  expect(isExclusionViolation(overlap)).toBe(true);
  await again.close();
});

test("in-memory PGlite databases are independent of each other", async () => {
  const [a, b] = await Promise.all([openPglite(), openPglite()]);
  await a.query(sql`CREATE TABLE only_in_a (n int)`);
  const found = await b.query(sql`SELECT 1 FROM pg_tables WHERE tablename = 'only_in_a'`);
  expect(found).toHaveLength(0);
  await Promise.all([a.close(), b.close()]);
});
