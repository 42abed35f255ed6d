import { describe, expect, test } from "bun:test";
import { memoryEventLog } from "./memory-event-log.ts";
import { eventLogConformance } from "./testing/conformance.ts";

eventLogConformance("in-memory", async () => memoryEventLog({ retryBackoffMs: 5 }));

describe("memoryEventLog", () => {
  test("a member that failed a batch and backs off does not touch partitions a rebalance gave away", async () => {
    const log = memoryEventLog({ retryBackoffMs: 60 });
    await log.createTopics([{ name: "two", partitions: 2 }]);
    // Keys for partition 0 and partition 1.
    const keys = ["a", "b", "c", "d", "e", "f"];
    await log.send(keys.map((key) => ({ topic: "two", key, value: "{}", headers: {} })));
    const handledBy = new Map<number, Set<string>>();
    let failedOnce = false;
    const note = (partition: number, who: string) =>
      handledBy.set(partition, (handledBy.get(partition) ?? new Set()).add(who));
    const a = await log.consume({ groupId: "g", topics: ["two"] }, async (batch) => {
      if (!failedOnce) {
        failedOnce = true;
        throw new Error("transient"); // A now sleeps in its backoff…
      }
      note(batch.partition, "a");
    });
    await Bun.sleep(10);
    // …while B joins and takes one of the partitions.
    const b = await log.consume({ groupId: "g", topics: ["two"] }, async (batch) => {
      note(batch.partition, "b");
      await Bun.sleep(150); // still busy with its partition when A's backoff ends
    });
    await Bun.sleep(400);
    await Promise.all([a.stop(), b.stop()]);
    for (const [partition, who] of handledBy)
      expect([partition, [...who]]).toEqual([partition, [...who].slice(0, 1)]);
    expect([...handledBy.keys()].sort()).toEqual([0, 1]);
  });

  test("sending to an unknown topic fails like Kafka with auto-creation off", async () => {
    const log = memoryEventLog();
    await expect(log.send([{ topic: "nope", key: "k", value: "{}", headers: {} }])).rejects.toThrow(
      /Unknown topic/,
    );
  });
});
