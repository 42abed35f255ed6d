import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeEvent } from "@carebridge/contracts";
import { type Database, migratePlatform, openPglite } from "@carebridge/db";
import { toRecord } from "./cloudevents.ts";
import { REDRIVE_GROUP_HEADER } from "./dlq.ts";
import {
  isInfrastructureError,
  PoisonEventError,
  type ProcessedEventStore,
  startIdempotentConsumer,
  startIdempotentStoreConsumer,
} from "./idempotent-consumer.ts";
import { silentLogger } from "./logger.ts";
import { memoryEventLog } from "./memory-event-log.ts";
import { drainOnce, enqueue, enqueueEvents } from "./outbox.ts";
import type { ConsumedMessage } from "./port.ts";
import { waitFor } from "./testing/conformance.ts";
import { ledger, sequencedEntries } from "./testing/ledger.ts";
import { poisonAndRedriveScenario, redeliveryScenario } from "./testing/scenarios.ts";

let database: Database;
beforeAll(async () => {
  database = await openPglite();
  await migratePlatform(database);
});
afterAll(() => database.close());

describe("idempotent consumer (in-memory log, PGlite)", () => {
  test("a poison event is dead-lettered with its error; the partition flows on; re-drive applies it once", async () => {
    await poisonAndRedriveScenario(memoryEventLog({ retryBackoffMs: 5 }), database);
  });

  test("with a batch effect, the failing event is found by halving the batch and treated the same", async () => {
    await poisonAndRedriveScenario(memoryEventLog({ retryBackoffMs: 5 }), database, { batchEffect: true });
  });

  test("redelivered events have no second effect", async () => {
    await redeliveryScenario(memoryEventLog(), database);
  });

  test("a transient failure rolls back the effect and its processed mark together, then succeeds once", async () => {
    const log = memoryEventLog();
    await log.createTopics([
      { name: "transient", partitions: 1 },
      { name: "transient.dlq", partitions: 1 },
    ]);
    const book = ledger(database);
    await book.create();
    let failuresLeft = 2;
    const consumer = await startIdempotentConsumer({
      groupId: "g-transient",
      topics: ["transient"],
      log,
      database,
      logger: silentLogger,
      backoff: { initialMs: 1, maxMs: 5 },
      handle: async (tx, event) => {
        await book.record(tx, event); // written, then the failure must undo it
        if (failuresLeft-- > 0) throw new Error("deadlock detected");
      },
    });
    await database.transaction((tx) => enqueue(tx, sequencedEntries("transient", 1, 3)));
    await drainOnce(database, log);
    await waitFor("three effects", async () => (await book.distinct()) === 3);
    await consumer.stop();
    expect(await book.stats()).toEqual({ effects: 3, distinct: 3, outOfOrderKeys: [] });
    expect(await log.endOffsets("transient.dlq")).toEqual(new Map([[0, "0"]]));
  });

  test("PoisonEventError and failed validation skip the retries", async () => {
    const log = memoryEventLog();
    await log.createTopics([
      { name: "strict", partitions: 1 },
      { name: "strict.dlq", partitions: 1 },
    ]);
    let tries = 0;
    const consumer = await startIdempotentConsumer({
      groupId: "g-strict",
      topics: ["strict"],
      log,
      database,
      logger: silentLogger,
      validate: (event) => ((event.data as { n: number }).n === 1 ? "data.n: must not be 1" : null),
      handle: async (_tx, event) => {
        tries++;
        if ((event.data as { n: number }).n === 2) throw new PoisonEventError("unknown plan");
      },
    });
    await database.transaction((tx) => enqueue(tx, sequencedEntries("strict", 1, 4)));
    await drainOnce(database, log);
    const dead: ConsumedMessage[] = [];
    const reader = await log.consume({ groupId: "dlq", topics: ["strict.dlq"] }, async (b) => {
      dead.push(...b.messages);
    });
    await waitFor("two dead letters", () => dead.length === 2);
    await consumer.stop();
    await reader.stop();
    expect(dead.map((m) => [m.headers["dlq-error"], m.headers["dlq-attempts"]])).toEqual([
      ["data.n: must not be 1", "0"],
      ["unknown plan", "1"],
    ]);
    expect(tries).toBe(4); // n = 0, 2 (in the batch: rolled back, then dead-lettered without a retry), 0 again, 3
  });

  test("contract events are checked against their schema by default: a bad one is dead-lettered, good ones applied", async () => {
    const log = memoryEventLog();
    await log.createTopics([
      { name: "appointments", partitions: 3 },
      { name: "appointments.dlq", partitions: 3 },
    ]);
    const booked = (start: string) =>
      makeEvent(
        "appointment.booked",
        {
          appointmentId: crypto.randomUUID(),
          patientId: crypto.randomUUID(),
          doctorId: crypto.randomUUID(),
          specialty: "Cardiology",
          start,
          end: start.replace("09:00", "09:30"),
          mode: "telehealth",
          status: "booked",
          occurredAt: "2026-11-21T08:00:00Z",
        },
        { source: "/carebridge/appointments" },
      );
    const good = booked("2026-12-01T09:00:00Z");
    const bad = {
      ...booked("2026-12-02T09:00:00Z"),
      data: { ...booked("2026-12-02T09:00:00Z").data, mode: "carrier-pigeon" },
    };
    await database.transaction((tx) => enqueueEvents(tx, [good, bad]));
    await drainOnce(database, log);
    const applied: string[] = [];
    const consumer = await startIdempotentConsumer({
      groupId: "billing-test",
      topics: ["appointments"],
      log,
      database,
      logger: silentLogger,
      handle: async (_tx, event) => {
        applied.push(event.id);
      },
    });
    const dead: ConsumedMessage[] = [];
    const reader = await log.consume({ groupId: "dlq", topics: ["appointments.dlq"] }, async (b) => {
      dead.push(...b.messages);
    });
    await waitFor("one applied, one dead letter", () => applied.length === 1 && dead.length === 1);
    await Promise.all([consumer.stop(), reader.stop()]);
    expect(applied).toEqual([good.id]);
    expect(dead[0]!.headers.ce_id).toBe(bad.id);
    expect(dead[0]!.headers["dlq-error"]).toContain("mode");
    expect(dead[0]!.key).toBe(bad.data.appointmentId); // keyed by the aggregate id, as the registry says
  });

  test("a record re-driven for another group is skipped (and committed) without running the effect", async () => {
    const log = memoryEventLog();
    await log.createTopics([{ name: "shared", partitions: 1 }]);
    const [mine, theirs] = sequencedEntries("shared", 1, 2).map((e) => toRecord(e.topic, e.key, e.event));
    await log.send([
      { ...theirs!, headers: { ...theirs!.headers, [REDRIVE_GROUP_HEADER]: "billing" } },
      { ...mine!, headers: { ...mine!.headers, [REDRIVE_GROUP_HEADER]: "patients" } },
    ]);
    const applied: number[] = [];
    const consumer = await startIdempotentConsumer({
      groupId: "patients",
      topics: ["shared"],
      log,
      database,
      logger: silentLogger,
      handle: async (_tx, event) => {
        applied.push((event.data as { n: number }).n);
      },
    });
    await waitFor(
      "both committed",
      async () => (await log.committedOffsets("patients", "shared")).get(0) === "2",
    );
    await consumer.stop();
    expect(applied).toEqual([0]);
  });

  test("infrastructure errors are told apart from bad events", () => {
    expect(isInfrastructureError(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isInfrastructureError(new Error("wrapped", { cause: { code: "57P01", severity: "FATAL" } }))).toBe(
      true,
    );
    expect(isInfrastructureError(Object.assign(new Error("dup"), { code: "23505", severity: "ERROR" }))).toBe(
      false,
    );
    expect(isInfrastructureError(new Error("q", { cause: { code: "40001", severity: "ERROR" } }))).toBe(true); // retry
    expect(isInfrastructureError(Object.assign(new Error("dns"), { code: "EAI_AGAIN" }))).toBe(true);
    expect(isInfrastructureError(new Error("PGlite is closed"))).toBe(true);
    expect(isInfrastructureError(new Error("bad data"))).toBe(false);
  });
});

describe("idempotent consumer over a pluggable store (in-memory log)", () => {
  /** A store committing one event at a time, like DynamoDB's TransactWriteItems. */
  function memoryStore(fail: (n: number, attempt: number) => Error | null) {
    const markers = new Set<string>();
    const effects: number[] = [];
    const attempts = new Map<number, number>();
    const store: ProcessedEventStore = {
      async applyOnce(groupId, event) {
        const marker = `${groupId}/${event.id}`;
        if (markers.has(marker)) return false;
        const n = (event.data as { n: number }).n;
        const attempt = (attempts.get(n) ?? 0) + 1;
        attempts.set(n, attempt);
        const error = fail(n, attempt);
        if (error) throw error; // nothing committed for this event
        markers.add(marker);
        effects.push(n);
        return true;
      },
      isInfrastructureError: (error) => error instanceof Error && error.message === "throttled",
    };
    return { store, effects, attempts };
  }

  test("events before a failing one are applied once, the failing one is retried, then dead-lettered; redelivery has no second effect", async () => {
    const log = memoryEventLog();
    await log.createTopics([
      { name: "store", partitions: 1 },
      { name: "store.dlq", partitions: 1 },
    ]);
    const { store, effects, attempts } = memoryStore((n, attempt) =>
      n === 2 ? new Error("always broken") : n === 3 && attempt < 3 ? new Error("flaky") : null,
    );
    const batches: Array<{ processed: number; duplicates: number; deadLettered: number }> = [];
    const consumer = await startIdempotentStoreConsumer({
      groupId: "g-store",
      topics: ["store"],
      log,
      store,
      logger: silentLogger,
      maxAttempts: 3,
      backoff: { initialMs: 1, maxMs: 2 },
      onBatch: (info) => batches.push(info),
    });
    const entries = sequencedEntries("store", 1, 5);
    await database.transaction((tx) => enqueue(tx, entries));
    await drainOnce(database, log);
    await waitFor("the first batch", () => batches.length === 1);
    expect(attempts.get(2)).toBe(3); // maxAttempts, then the DLQ
    // The same five events again (a relay resend): all are duplicates but the dead-lettered one.
    await database.transaction((tx) => enqueue(tx, entries));
    await drainOnce(database, log);
    await waitFor("two batches", () => batches.length === 2);
    await consumer.stop();
    expect(effects).toEqual([0, 1, 3, 4]);
    expect(batches[0]).toEqual({ processed: 4, duplicates: 0, deadLettered: 1 });
    expect(batches[1]).toEqual({ processed: 0, duplicates: 4, deadLettered: 1 });
  });

  test("an infrastructure error redelivers the batch instead of dead-lettering", async () => {
    const log = memoryEventLog({ retryBackoffMs: 1 });
    await log.createTopics([
      { name: "store-infra", partitions: 1 },
      { name: "store-infra.dlq", partitions: 1 },
    ]);
    const { store, effects } = memoryStore((n, attempt) =>
      n === 1 && attempt < 8 ? new Error("throttled") : null,
    );
    const consumer = await startIdempotentStoreConsumer({
      groupId: "g-store-infra",
      topics: ["store-infra"],
      log,
      store,
      logger: silentLogger,
      maxAttempts: 2,
      backoff: { initialMs: 1, maxMs: 2 },
    });
    await database.transaction((tx) => enqueue(tx, sequencedEntries("store-infra", 1, 3)));
    await drainOnce(database, log);
    await waitFor("three effects", () => effects.length === 3);
    await consumer.stop();
    expect(effects).toEqual([0, 1, 2]);
  });
});
