import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, migratePlatform, openPglite } from "@carebridge/db";
import { sql } from "drizzle-orm";
import { fromRecord } from "./cloudevents.ts";
import { silentLogger } from "./logger.ts";
import { memoryEventLog } from "./memory-event-log.ts";
import { enqueue, startOutboxRelay } from "./outbox.ts";
import type { ConsumedMessage, EventLog } from "./port.ts";
import { waitFor } from "./testing/conformance.ts";
import { sequencedEntries } from "./testing/ledger.ts";

let database: Database;
beforeAll(async () => {
  database = await openPglite();
  await migratePlatform(database);
});
afterAll(() => database.close());

const readAll = async (log: EventLog, topic: string, count: number) => {
  const got: ConsumedMessage[] = [];
  const c = await log.consume({ groupId: `read-${crypto.randomUUID()}`, topics: [topic] }, async (b) => {
    got.push(...b.messages);
  });
  await waitFor(`${count} records`, () => got.length >= count);
  await c.stop();
  return got;
};

describe("transactional outbox (in-memory log, PGlite)", () => {
  test("events of a rolled-back transaction are never published; committed ones are, as CloudEvents", async () => {
    const log = memoryEventLog();
    await log.createTopics([{ name: "ob-tx", partitions: 2 }]);
    const entries = sequencedEntries("ob-tx", 3, 4);
    await expect(
      database.transaction(async (tx) => {
        await enqueue(tx, entries.slice(0, 6));
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    await database.transaction((tx) => enqueue(tx, entries.slice(6)));
    const relay = startOutboxRelay({ database, log, logger: silentLogger });
    await relay.drain();
    await relay.stop();
    expect(relay.published).toBe(6);
    const got = (await readAll(log, "ob-tx", 6)).map(fromRecord);
    expect(got.map((e) => e.id).sort()).toEqual(
      entries
        .slice(6)
        .map((e) => e.event.id)
        .sort(),
    );
    const first = got.find((e) => e.id === entries[6]!.event.id)!;
    expect(first).toMatchObject({ type: "test.sequenced", specversion: "1.0", source: "/carebridge/test" });
    expect(first.headers["content-type"]).toBe("application/json");
    expect(first.data).toEqual(entries[6]!.event.data);
  });

  test("publishes in commit order across id digit boundaries (9 → 10 → 100 → 1000)", async () => {
    const log = memoryEventLog();
    await log.createTopics([{ name: "ob-order", partitions: 1 }]);
    const entries = sequencedEntries("ob-order", 1, 1_200);
    for (let i = 0; i < entries.length; i += 100) {
      await database.transaction((tx) => enqueue(tx, entries.slice(i, i + 100)));
    }
    const relay = startOutboxRelay({ database, log, logger: silentLogger, batchSize: 7 });
    const got = await readAll(log, "ob-order", 1_200);
    await relay.stop();
    expect(got.map((m) => JSON.parse(m.value).n)).toEqual(entries.map((_, i) => i));
  });

  test("a failed send leaves the rows in place and they are published on the next try, in order", async () => {
    const real = memoryEventLog();
    let failNext = 2;
    const flaky: EventLog = {
      ...real,
      send: async (records) => {
        if (failNext-- > 0) throw new Error("broker unavailable");
        return real.send(records);
      },
    };
    await real.createTopics([{ name: "ob-flaky", partitions: 1 }]);
    const entries = sequencedEntries("ob-flaky", 1, 10);
    await database.transaction((tx) => enqueue(tx, entries));
    const relay = startOutboxRelay({ database, log: flaky, logger: silentLogger, pollIntervalMs: 5 });
    const got = await readAll(real, "ob-flaky", 10);
    await relay.stop();
    expect(got.map((m) => JSON.parse(m.value).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [left] = await database.query<{ c: number }>(sql`SELECT count(*)::int AS c FROM outbox`);
    expect(left!.c).toBe(0);
  });
});
