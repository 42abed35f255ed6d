import { describe, expect, test } from "bun:test";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRecord } from "@carebridge/http";
import { batchedAuditSink } from "./audit-batcher.ts";
import type { Store, TransactionMode } from "./store.ts";

type Sent = { command: unknown; release: (outcome?: { error?: unknown; output?: unknown }) => void };

/** A store whose DynamoDB calls wait until the test releases them (with an output or an error). */
function heldStore(mode: TransactionMode) {
  const sent: Sent[] = [];
  const store = {
    tableName: "t",
    mode,
    doc: {
      send: (command: unknown) =>
        new Promise((resolve, reject) => {
          sent.push({
            command,
            release: (outcome = {}) =>
              outcome.error ? reject(outcome.error) : resolve(outcome.output ?? {}),
          });
        }),
    },
  } as unknown as Store;
  return { store, sent };
}

const record = (n: number): AuditRecord => ({
  id: `0000000${n}`.slice(-8),
  actorUserId: "doctor",
  actorRole: "doctor",
  patientId: `patient-${n % 3}`,
  resource: "patient",
  action: "read",
  requestId: `req-${n}`,
  at: "2026-11-21T08:00:00.000Z",
});

/** Settles pending callbacks: setImmediate flushes, promise chains, short retry timers. */
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Tracks which of the writes settled and how. */
function track(promises: Promise<void>[]) {
  const state = promises.map(() => "pending" as "pending" | "ok" | "failed");
  for (const [i, p] of promises.entries()) {
    p.then(
      () => {
        state[i] = "ok";
      },
      () => {
        state[i] = "failed";
      },
    );
  }
  return state;
}

const transactItems = (s: Sent) => (s.command as TransactWriteCommand).input.TransactItems ?? [];
const batchItems = (s: Sent) => (s.command as BatchWriteCommand).input.RequestItems?.t ?? [];

describe("audit group commit, native store (TransactWriteItems)", () => {
  test("concurrent records share calls of ≤ 100 conditional creates; each write resolves only once its call did", async () => {
    const { store, sent } = heldStore("native");
    const sink = batchedAuditSink(store, { maxInFlight: 8 });
    const state = track(Array.from({ length: 250 }, (_, i) => sink.write(record(i))));
    await tick();
    expect(sent.map((s) => transactItems(s).length)).toEqual([100, 100, 50]);
    for (const item of sent.flatMap(transactItems)) {
      expect(item.Put?.ConditionExpression).toBe("attribute_not_exists(PK)");
      expect(item.Put?.TableName).toBe("t");
    }
    expect(sent[0]!.command).toBeInstanceOf(TransactWriteCommand);
    const first = transactItems(sent[0]!)[0]!.Put!.Item!;
    expect(first).toMatchObject({
      PK: "AUDIT#patient-0",
      SK: "2026-11-21T08:00:00.000Z#00000000",
      requestId: "req-0",
    });
    expect(state.every((s) => s === "pending")).toBe(true); // nothing acknowledged before DynamoDB answered
    sent[1]!.release();
    await tick();
    expect(state.slice(100, 200).every((s) => s === "ok")).toBe(true);
    expect(state.filter((s) => s === "ok")).toHaveLength(100);
    sent[0]!.release();
    sent[2]!.release();
    await tick();
    expect(state.every((s) => s === "ok")).toBe(true);
  });

  test("a failed call fails exactly the requests whose records it carried", async () => {
    const { store, sent } = heldStore("native");
    const sink = batchedAuditSink(store, { maxBatch: 2 });
    const state = track([0, 1, 2, 3].map((i) => sink.write(record(i))));
    await tick();
    expect(sent).toHaveLength(2);
    sent[0]!.release({ error: new Error("network down") });
    sent[1]!.release();
    await tick();
    expect(state).toEqual(["failed", "failed", "ok", "ok"]);
  });

  test("a cancelled transaction refuses only the record whose condition failed; the others are written again", async () => {
    const { store, sent } = heldStore("native");
    const sink = batchedAuditSink(store);
    const state = track([0, 1, 2].map((i) => sink.write(record(i))));
    await tick();
    sent[0]!.release({
      error: new TransactionCanceledException({
        message: "cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    });
    await tick();
    expect(state).toEqual(["pending", "failed", "pending"]);
    expect(sent).toHaveLength(2);
    expect(transactItems(sent[1]!).map((i) => i.Put?.Item?.requestId)).toEqual(["req-0", "req-2"]);
    sent[1]!.release();
    await tick();
    expect(state).toEqual(["ok", "failed", "ok"]);
  });

  test("throttled records are retried, then fail once out of tries", async () => {
    const { store, sent } = heldStore("native");
    const sink = batchedAuditSink(store, { maxAttempts: 2, backoffMs: 1 });
    const state = track([sink.write(record(0))]);
    const throttled = () =>
      new TransactionCanceledException({
        message: "cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "ThrottlingError" }],
      });
    await tick();
    sent[0]!.release({ error: throttled() });
    await tick(20);
    expect(state).toEqual(["pending"]);
    expect(sent).toHaveLength(2);
    sent[1]!.release({ error: throttled() });
    await tick(20);
    expect(state).toEqual(["failed"]);
  });
});

describe("audit group commit, emulated store (BatchWriteItem)", () => {
  test("calls carry ≤ 25 puts; unprocessed records are sent again and fail alone when DynamoDB keeps refusing them", async () => {
    const { store, sent } = heldStore("emulated");
    const sink = batchedAuditSink(store, { maxAttempts: 2, backoffMs: 1 });
    const state = track(Array.from({ length: 30 }, (_, i) => sink.write(record(i))));
    await tick();
    expect(sent.map((s) => batchItems(s).length)).toEqual([25, 5]);
    expect(sent[0]!.command).toBeInstanceOf(BatchWriteCommand);
    const unprocessed = batchItems(sent[0]!).slice(3, 5);
    sent[0]!.release({ output: { UnprocessedItems: { t: unprocessed } } });
    sent[1]!.release();
    await tick();
    expect(state.filter((s) => s === "ok")).toHaveLength(28);
    expect(state[3]).toBe("pending");
    expect(state[4]).toBe("pending");
    await tick(20);
    expect(batchItems(sent[2]!).map((r) => r.PutRequest?.Item?.requestId)).toEqual(["req-3", "req-4"]);
    sent[2]!.release({ output: { UnprocessedItems: { t: batchItems(sent[2]!).slice(1) } } });
    await tick();
    expect(state[3]).toBe("ok");
    expect(state[4]).toBe("failed");
  });
});
