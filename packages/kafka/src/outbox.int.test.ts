import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { silentLogger } from "./logger.ts";
import { memoryEventLog } from "./memory-event-log.ts";
import { enqueue, startOutboxRelay } from "./outbox.ts";
import type { ConsumedMessage } from "./port.ts";
import { waitFor } from "./testing/conformance.ts";
import { sequencedEntries } from "./testing/ledger.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

test("two overlapping transactions writing one key publish in commit order, not id order", async () => {
  const { database } = db;
  const log = memoryEventLog();
  await log.createTopics([{ name: "overlap", partitions: 1 }]);
  const got: ConsumedMessage[] = [];
  const reader = await log.consume({ groupId: "r", topics: ["overlap"] }, async (b) => {
    got.push(...b.messages);
  });
  const relay = startOutboxRelay({ database, log, logger: silentLogger, pollIntervalMs: 5 });
  const [first, second] = sequencedEntries("overlap", 1, 2);
  let firstInserted: () => void = () => {};
  const inserted = new Promise<void>((r) => {
    firstInserted = r;
  });
  // A enqueues n=0 and takes its time committing; B enqueues n=1 meanwhile and commits at once.
  const a = database.transaction(async (tx) => {
    await enqueue(tx, [first!]);
    firstInserted();
    await Bun.sleep(300);
  });
  await inserted;
  const b = database.transaction((tx) => enqueue(tx, [second!]));
  await Promise.all([a, b]);
  await waitFor("both published", () => got.length === 2);
  await Promise.all([relay.stop(), reader.stop()]);
  expect(got.map((m) => JSON.parse(m.value).n)).toEqual([0, 1]);
});
