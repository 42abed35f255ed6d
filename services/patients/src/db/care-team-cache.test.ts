import { describe, expect, test } from "bun:test";
import { cachedCareTeam } from "./care-team-cache.ts";

/** A lookup answering from `granted`, counting its calls; a manual clock. */
function setup(ttlMs = 5_000, maxEntries = 100) {
  const granted = new Set<string>();
  const calls: string[] = [];
  let failing = false;
  let clock = 0;
  const check = cachedCareTeam(
    async (doctorId, patientId) => {
      calls.push(`${doctorId}/${patientId}`);
      if (failing) throw new Error("DynamoDB unavailable");
      return granted.has(`${doctorId}/${patientId}`);
    },
    { ttlMs, maxEntries, now: () => clock },
  );
  return {
    check,
    granted,
    calls,
    fail: (on: boolean) => {
      failing = on;
    },
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("care-team cache", () => {
  test("a grant is reused for less than the TTL, then read again: a revocation shows within 5 s", async () => {
    const t = setup();
    t.granted.add("d/p");
    expect(await t.check.isCareTeam("d", "p")).toBe(true);
    t.granted.delete("d/p"); // the appointment is cancelled
    t.advance(4_999);
    expect(await t.check.isCareTeam("d", "p")).toBe(true);
    expect(t.calls).toHaveLength(1);
    t.advance(1);
    expect(await t.check.isCareTeam("d", "p")).toBe(false);
    expect(t.calls).toHaveLength(2);
  });

  test("refusals are never cached: a new appointment grants on the next request", async () => {
    const t = setup();
    expect(await t.check.isCareTeam("d", "p")).toBe(false);
    t.granted.add("d/p");
    expect(await t.check.isCareTeam("d", "p")).toBe(true);
    expect(t.calls).toHaveLength(2);
  });

  test("a grant is for its doctor and patient only", async () => {
    const t = setup();
    t.granted.add("d/p");
    expect(await t.check.isCareTeam("d", "p")).toBe(true);
    expect(await t.check.isCareTeam("d", "q")).toBe(false);
    expect(await t.check.isCareTeam("e", "p")).toBe(false);
    // Ids that concatenate alike cannot collide with another pair.
    t.granted.add("a b/c");
    expect(await t.check.isCareTeam("a b", "c")).toBe(true);
    expect(await t.check.isCareTeam("a", "b c")).toBe(false);
  });

  test("errors propagate and are not cached", async () => {
    const t = setup();
    t.granted.add("d/p");
    t.fail(true);
    await expect(t.check.isCareTeam("d", "p")).rejects.toThrow("DynamoDB unavailable");
    t.fail(false);
    expect(await t.check.isCareTeam("d", "p")).toBe(true);
  });

  test("concurrent misses for one pair share one read", async () => {
    const t = setup();
    t.granted.add("d/p");
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.check.isCareTeam("d", "p")));
    expect(answers.every(Boolean)).toBe(true);
    expect(t.calls).toHaveLength(1);
  });

  test("the TTL cannot exceed 5 s, and the cache keeps at most maxEntries grants (oldest evicted)", async () => {
    const long = setup(60_000);
    long.granted.add("d/p");
    await long.check.isCareTeam("d", "p");
    long.advance(5_000);
    await long.check.isCareTeam("d", "p");
    expect(long.calls).toHaveLength(2);

    const small = setup(5_000, 2);
    for (const p of ["a", "b", "c"]) small.granted.add(`d/${p}`);
    for (const p of ["a", "b", "c"]) await small.check.isCareTeam("d", p);
    await small.check.isCareTeam("d", "c");
    await small.check.isCareTeam("d", "b");
    expect(small.calls).toHaveLength(3);
    await small.check.isCareTeam("d", "a"); // evicted: read again
    expect(small.calls).toHaveLength(4);
  });

  test("invalidate drops a cached grant at once: the next check reads DynamoDB", async () => {
    const t = setup();
    t.granted.add("d/p");
    t.granted.add("d/q");
    expect(await t.check.isCareTeam("d", "p")).toBe(true);
    expect(await t.check.isCareTeam("d", "q")).toBe(true);
    t.granted.delete("d/p"); // the consumer commits the cancellation, then invalidates
    t.check.invalidate("d", "p");
    expect(await t.check.isCareTeam("d", "p")).toBe(false);
    expect(await t.check.isCareTeam("d", "q")).toBe(true); // other pairs keep their grant
    expect(t.calls).toEqual(["d/p", "d/q", "d/p"]);
  });

  test("a read in flight when the pair is invalidated is not cached; later checks read again", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const granted = new Set(["d/p"]);
    let calls = 0;
    const check = cachedCareTeam(
      async (d, p) => {
        calls++;
        const answer = granted.has(`${d}/${p}`); // read before the revocation commits
        await gate;
        return answer;
      },
      { now: () => 0 },
    );
    const inFlight = check.isCareTeam("d", "p");
    granted.delete("d/p");
    check.invalidate("d", "p");
    const after = check.isCareTeam("d", "p"); // does not join the stale read
    release();
    expect(await inFlight).toBe(true); // it started before the change: answered as of then
    expect(await after).toBe(false);
    expect(await check.isCareTeam("d", "p")).toBe(false); // the stale grant was never cached
    expect(calls).toBe(3);
  });
});
