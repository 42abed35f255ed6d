import { describe, expect, test } from "bun:test";
import { memoryEventLog } from "./memory-event-log.ts";
import { eventLogConformance } from "./testing/conformance.ts";

eventLogConformance("in-memory", async () => memoryEventLog({ retryBackoffMs: 5 }));

describe("memoryEventLog", () => {
  test("sending to an unknown topic fails like Kafka with auto-creation off", async () => {
    const log = memoryEventLog();
    await expect(log.send([{ topic: "nope", key: "k", value: "{}", headers: {} }])).rejects.toThrow(
      /Unknown topic/,
    );
  });
});
