import { describe, expect, test } from "bun:test";
import { AppError } from "@carebridge/http";
import { createPasswordHasher } from "./password-hasher.ts";

describe("password hasher", () => {
  test("argon2id hashes that verify only the right password", async () => {
    const hasher = createPasswordHasher({ concurrency: 2 });
    const hash = await hasher.hash("correct-horse-1");
    expect(hash).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
    expect(await hasher.verify("correct-horse-1", hash)).toBe(true);
    expect(await hasher.verify("wrong-horse-1", hash)).toBe(false);
    expect(await hasher.verifyDummy("correct-horse-1")).toBe(false);
  });

  test("past the wait queue a caller gets a retriable 503 instead of piling up", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 1 });
    const results = await Promise.allSettled([
      hasher.hash("pw-one-1234"),
      hasher.hash("pw-two-1234"),
      hasher.hash("pw-three-12"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const reason = (results[2] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(AppError);
    expect((reason as AppError).status).toBe(503);
    // The queue drains: later callers are served again.
    expect(await hasher.hash("pw-four-1234")).toStartWith("$argon2id$");
  });

  test("500 parallel sign-ins all complete, with never more than `concurrency` argon2 runs (19 MiB each) at once", async () => {
    const hasher = createPasswordHasher({ concurrency: 2 });
    const hash = await hasher.hash("correct-horse-1");
    let mostRunning = 0;
    const probe = setInterval(() => {
      mostRunning = Math.max(mostRunning, hasher.stats().running);
    }, 1);
    const results = await Promise.all(
      Array.from({ length: 500 }, () => hasher.verify("correct-horse-1", hash)),
    );
    clearInterval(probe);
    expect(results.every(Boolean)).toBe(true);
    expect(mostRunning).toBeGreaterThan(0);
    expect(mostRunning).toBeLessThanOrEqual(2);
    expect(hasher.stats()).toEqual({ running: 0, waiting: 0 });
  }, 60_000);
});
