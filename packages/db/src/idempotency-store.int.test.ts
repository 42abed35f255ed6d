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

    /** Reserves `key` and returns the owner token (fails the test if it was not free). */
    const claim = async (key: string, fingerprint: string, leaseMs = MINUTE) => {
      const result = await store.reserve(key, fingerprint, leaseMs);
      if (result.state !== "reserved") throw new Error(`expected to reserve ${key}, got ${result.state}`);
      expect(result.owner).toMatch(/^[0-9a-f-]{36}$/);
      return result.owner;
    };

    test("the first reserve wins; later ones see it in progress with the first fingerprint", async () => {
      const key = scope();
      await claim(key, "fp-a");
      expect(await store.reserve(key, "fp-a", MINUTE)).toEqual({ state: "in-progress", fingerprint: "fp-a" });
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual({ state: "in-progress", fingerprint: "fp-a" });
    });

    test("after complete, reserve returns the stored response", async () => {
      const key = scope();
      const owner = await claim(key, "fp-a");
      await store.complete(key, owner, response, MINUTE);
      const completed = { state: "completed", fingerprint: "fp-a", response } as const;
      expect(await store.reserve(key, "fp-a", MINUTE)).toEqual(completed);
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual(completed);
    });

    test("only the owner releases; release frees an in-progress key but never drops a completed one", async () => {
      const key = scope();
      const owner = await claim(key, "fp-a");
      await store.release(key, "someone-else");
      expect((await store.reserve(key, "fp-a", MINUTE)).state).toBe("in-progress");
      await store.release(key, owner);
      const second = await claim(key, "fp-b");
      await store.complete(key, second, response, MINUTE);
      await store.release(key, second);
      expect(await store.reserve(key, "fp-c", MINUTE)).toEqual({
        state: "completed",
        fingerprint: "fp-b",
        response,
      });
    });

    test("a request that never finishes frees its key when the lease runs out", async () => {
      const key = scope();
      await claim(key, "fp-a", 1); // the process handling it died
      await Bun.sleep(20);
      await claim(key, "fp-a"); // the client's retry runs
    });

    test("a late finisher cannot overwrite or release the claim of the request that took over", async () => {
      const key = scope();
      const slow = await claim(key, "fp-a", 1);
      await Bun.sleep(20);
      const retry = await claim(key, "fp-b");
      await store.complete(key, slow, { ...response, body: '{"id":"slow"}' }, MINUTE);
      await store.release(key, slow);
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual({ state: "in-progress", fingerprint: "fp-b" });
      await store.complete(key, retry, response, MINUTE);
      expect(await store.reserve(key, "fp-b", MINUTE)).toEqual({
        state: "completed",
        fingerprint: "fp-b",
        response,
      });
    });

    test("an expired completed key counts as absent", async () => {
      const key = scope();
      await store.complete(key, await claim(key, "fp-a"), response, 1);
      await Bun.sleep(20);
      await claim(key, "fp-b");
      const [row] = await opened.database.query<{ response: unknown }>(
        sql`SELECT response FROM idempotency_keys WHERE scope = ${key}`,
      );
      expect(row?.response).toBeNull();
    });

    test("retention counts from completion, for the ttl given there", async () => {
      const key = scope();
      const owner = await claim(key, "fp-a", 5_000);
      await store.complete(key, owner, response, 60 * MINUTE);
      const [row] = await opened.database.query<{ left: number }>(
        sql`SELECT extract(epoch FROM expires_at - now()) * 1000 AS "left" FROM idempotency_keys WHERE scope = ${key}`,
      );
      expect(Number(row?.left)).toBeGreaterThan(59 * MINUTE);
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
