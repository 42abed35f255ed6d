import { expect, test } from "bun:test";
import { join } from "node:path";
import { outbox } from "@carebridge/db";
import { createTestDatabase, testPostgresUrl } from "./postgres-harness.ts";
import { findPostgresBinaries } from "./postgres-server.ts";

const psql = (url: string, statement: string) =>
  Bun.spawnSync([join(findPostgresBinaries(), "psql"), "-X", "-A", "-t", "-c", statement, url], {
    stdout: "pipe",
  })
    .stdout.toString()
    .trim();

test("testPostgresUrl is one server per process (or the run's, from CAREBRIDGE_TEST_PG_URL)", async () => {
  const [a, b] = await Promise.all([testPostgresUrl(), testPostgresUrl()]);
  expect(a).toBe(b);
  expect(a).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
});

test("createTestDatabase gives each caller its own migrated database; drop removes it", async () => {
  const [one, two] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  expect(one.url).not.toBe(two.url);
  const name = new URL(one.url).pathname.slice(1);
  expect(name).toMatch(/^t_[0-9a-f]{24}$/);
  await one.database.db.insert(outbox).values({
    eventId: crypto.randomUUID(),
    topic: "t",
    key: "k",
    type: "x.happened",
    headers: {},
    payload: "{}",
  });
  expect(await one.database.db.select().from(outbox)).toHaveLength(1);
  expect(await two.database.db.select().from(outbox)).toHaveLength(0);
  await Promise.all([one.drop(), two.drop()]);
  const server = await testPostgresUrl();
  expect(psql(server, `SELECT count(*) FROM pg_database WHERE datname = '${name}'`)).toBe("0");
});

test("createTestDatabase({ migrate: false }) leaves the database empty", async () => {
  const bare = await createTestDatabase({ migrate: false });
  expect(psql(bare.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).toBe("0");
  await bare.drop();
});
