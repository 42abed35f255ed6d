import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import { sql } from "drizzle-orm";
import { migrateAuth } from "../db/migrate.ts";
import { createUserCache } from "./user-cache.ts";

let database: Database;
beforeAll(async () => {
  database = await openPglite();
  await migrateAuth(database);
});
afterAll(() => database.close());

const insert = (id: string, name: string) =>
  database.query(
    sql`INSERT INTO users (id, email, name, role, password_hash) VALUES (${id}, ${`${id}@example.com`}, ${name}, 'patient', 'x')`,
  );

test("a profile is served from the cache for the TTL, then read again; unknown users are not cached", async () => {
  const cache = createUserCache(database, { ttlMs: 150 });
  const id = crypto.randomUUID();
  expect(await cache.get(id)).toBeUndefined();
  await insert(id, "Before");
  expect((await cache.get(id))?.name).toBe("Before"); // a new account is visible at once
  await database.query(sql`UPDATE users SET name = 'After' WHERE id = ${id}`);
  expect((await cache.get(id))?.name).toBe("Before"); // within the TTL
  await Bun.sleep(200);
  expect((await cache.get(id))?.name).toBe("After");
});

test("the cache holds at most maxEntries users", async () => {
  const cache = createUserCache(database, { maxEntries: 2 });
  const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  for (const id of ids) await insert(id, "Name");
  for (const id of ids) await cache.get(id);
  await database.query(sql`UPDATE users SET name = 'Changed' WHERE id = ${ids[0]}`);
  expect((await cache.get(ids[0]!))?.name).toBe("Changed"); // the oldest was dropped, so read afresh
});
