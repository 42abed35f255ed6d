import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { type IdempotencyStore, pgIdempotencyStore } from "./idempotency-store.ts";
import { KINDS, type OpenedDatabase, openDatabase } from "./testing/databases.ts";

const MINUTE = 60_000;
const response = {
  status: 201,
  headers: { "content-type": "application/json", location: "/x/1" },
  body: '{"id":1}',
};
const scope = () => `appointments:user-1:${crypto.randomUUID()}`;

for (const kind of KINDS) {
  describe(`pgIdempotencyStore over ${kind}`, () => {
    let opened: OpenedDatabase;
    let store: IdempotencyStore;
    beforeAll(async () => {
      opened = await openDatabase(kind);
      store = pgIdempotencyStore(opened.database);
    });
    afterAll(() => opened?.drop());

    test("the first reserve wins; later ones see it in progress with the first fingerprint", async () => {
      const key = scope();
      expect(await store.reserve(key, "fp-a", MINUTE)).toEqual({ state: "reserved" });
      expect(await store.reserve(key, "fp-a", MINUTE)).toEqual({ state: "in-progress", fingerprint: "fp-a" });
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual({ state: "in-progress", fingerprint: "fp-a" });
    });

    test("after complete, reserve returns the stored response", async () => {
      const key = scope();
      await store.reserve(key, "fp-a", MINUTE);
      await store.complete(key, response);
      expect(await store.reserve(key, "fp-a", MINUTE)).toEqual({
        state: "completed",
        fingerprint: "fp-a",
        response,
      });
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual({
        state: "completed",
        fingerprint: "fp-a",
        response,
      });
    });

    test("release frees an in-progress key for a retry, but never drops a completed one", async () => {
      const key = scope();
      await store.reserve(key, "fp-a", MINUTE);
      await store.release(key);
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual({ state: "reserved" });
      await store.complete(key, response);
      await store.release(key);
      expect(await store.reserve(key, "fp-c", MINUTE)).toEqual({
        state: "completed",
        fingerprint: "fp-b",
        response,
      });
    });

    test("an expired key counts as absent, in progress or completed", async () => {
      const running = scope();
      const done = scope();
      await store.reserve(running, "fp-a", 1);
      await store.reserve(done, "fp-a", 1);
      await store.complete(done, response);
      await Bun.sleep(20);
      expect(await store.reserve(running, "fp-b", MINUTE)).toEqual({ state: "reserved" });
      expect(await store.reserve(done, "fp-b", MINUTE)).toEqual({ state: "reserved" });
      expect(await store.reserve(done, "fp-c", MINUTE)).toEqual({
        state: "in-progress",
        fingerprint: "fp-b",
      });
      const [row] = await opened.database.query<{ response: unknown }>(
        sql`SELECT response FROM idempotency_keys WHERE scope = ${done}`,
      );
      expect(row?.response).toBeNull();
    });

    test("retention counts from completion; completing an expired claim does nothing", async () => {
      const key = scope();
      await store.reserve(key, "fp-a", MINUTE);
      await Bun.sleep(200);
      await store.complete(key, response);
      const [row] = await opened.database.query<{ left: number }>(
        sql`SELECT extract(epoch FROM expires_at - now()) * 1000 AS "left" FROM idempotency_keys WHERE scope = ${key}`,
      );
      // Counted from the reservation, at most 59.8 s would be left.
      expect(Number(row?.left)).toBeGreaterThan(MINUTE - 100);

      const late = scope();
      await store.reserve(late, "fp-a", 1);
      await Bun.sleep(20);
      await store.complete(late, response);
      expect(await store.reserve(late, "fp-b", MINUTE)).toEqual({ state: "reserved" });
    });

    test("of 10 concurrent reserves of one key exactly one wins", async () => {
      const key = scope();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.reserve(key, `fp-${i}`, MINUTE)),
      );
      const winners = results.filter((r) => r.state === "reserved");
      expect(winners).toHaveLength(1);
      const fingerprints = new Set(
        results.flatMap((r) => (r.state === "in-progress" ? [r.fingerprint] : [])),
      );
      expect(fingerprints.size).toBe(1);
    });
  });
}
