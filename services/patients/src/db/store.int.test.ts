import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { PatientsDeps } from "../deps.ts";
import { replay } from "../domain/patient.ts";
import { updatePatient } from "../domain/patient-commands.ts";
import { buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";
import { OUTBOX_SHARDS } from "./outbox.ts";
import { allEvents, getPatient } from "./patient-queries.ts";
import { failedConditions } from "./store.ts";
import { keys } from "./table.ts";

let aws: LocalAws;
let deps: PatientsDeps;

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  ({ deps } = await buildTestApp(aws));
}, 120_000);
afterAll(async () => {
  deps.close();
  await aws.stop();
});

const get = async (PK: string, SK: string) =>
  (
    await deps.store.doc.send(
      new GetCommand({ TableName: deps.store.tableName, Key: { PK, SK }, ConsistentRead: true }),
    )
  ).Item;

/** The outbox entries carrying events of `patientId` (no relay runs in this file). */
async function outboxOf(patientId: string): Promise<Array<Record<string, unknown>>> {
  const entries: Array<Record<string, unknown>> = [];
  for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.doc.send(
        new QueryCommand({
          TableName: deps.store.tableName,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": keys.outbox(shard) },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      entries.push(...(page.Items ?? []).filter((i) => i.key === patientId));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return entries;
}

describe("transactions on DynamoDB Local (native TransactWriteItems)", () => {
  test("auto-detection picks the native mode", () => {
    expect(deps.store.mode).toBe("native");
  });

  test("atomic: when the last item's condition fails, none of the items is written", async () => {
    await deps.store.transact([{ Put: { TableName: "", Item: { PK: "N#1", SK: "A", v: 1 } } }]);
    let error: unknown;
    try {
      await deps.store.transact([
        {
          Update: {
            TableName: "",
            Key: { PK: "N#1", SK: "A" },
            UpdateExpression: "SET v = :v",
            ExpressionAttributeValues: { ":v": 2 },
          },
        },
        { Put: { TableName: "", Item: { PK: "N#1", SK: "B", v: 2 } } },
        { Delete: { TableName: "", Key: { PK: "N#1", SK: "C" } } },
        {
          Put: {
            TableName: "",
            Item: { PK: "N#1", SK: "D", v: 2 },
            ConditionExpression: "attribute_exists(PK)",
          },
        },
      ]);
    } catch (e) {
      error = e;
    }
    expect(failedConditions(error)).toEqual([3]);
    expect(await get("N#1", "A")).toEqual({ PK: "N#1", SK: "A", v: 1 });
    expect(await get("N#1", "B")).toBeUndefined();
    expect(await get("N#1", "D")).toBeUndefined();
  });

  test("racing PATCHes at one version: exactly one commits, the others are told the record is stale", async () => {
    const id = await createPatient(deps);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        updatePatient(deps.store, id, 1, { name: `Racer ${i}` }, { userId: id, role: "patient" }),
      ),
    );
    expect(outcomes.filter((o) => o.kind === "updated")).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === "stale")).toHaveLength(7);
    const events = await allEvents(deps.store, id);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(await getPatient(deps.store, id, true)).toEqual(replay(events));
    expect(await outboxOf(id)).toHaveLength(2);
  });

  test("crash: writers killed with SIGKILL mid-PATCHes never leave a projection disagreeing with its events", async () => {
    const ids = await Promise.all(Array.from({ length: 3 }, () => createPatient(deps)));
    const worker = join(import.meta.dir, "store-crash-worker.ts");
    let committed = 0;
    // Three rounds: a worker commits a good number of changes and is killed at a random moment of
    // the next ones (the emulated mode, run the same way, leaves torn records in about half of them).
    for (let round = 0; round < 3; round++) {
      const child = Bun.spawn(
        ["bun", worker, aws.dynamodbEndpoint, deps.store.tableName, deps.store.mode, ids.join(",")],
        { stdout: "pipe", stderr: "inherit" },
      );
      const reader = child.stdout.getReader(); // kept open until the kill: no EPIPE exit in between
      const decoder = new TextDecoder();
      let lines = 0;
      while (lines < 40) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the worker exited early (${await child.exited})`);
        lines += decoder.decode(value).split("\n").filter(Boolean).length;
      }
      await Bun.sleep(Math.random() * 30);
      child.kill("SIGKILL");
      await child.exited;
      reader.releaseLock();
      committed += lines;

      for (const id of ids) {
        const events = await allEvents(deps.store, id);
        const projection = await getPatient(deps.store, id, true);
        // No gap, no event without its projection (or the reverse), one outbox entry per event.
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(projection?.version).toBe(events.length);
        expect(projection).toEqual(replay(events));
        expect(await outboxOf(id)).toHaveLength(events.length);
      }
    }
    const updates = (await Promise.all(ids.map((id) => allEvents(deps.store, id)))).flat();
    expect(updates.length - ids.length).toBeGreaterThanOrEqual(committed);
  }, 120_000);
});
