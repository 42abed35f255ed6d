/**
 * The one test file of the emulated transactions (dynalite, what `bun run dev` uses). Every other
 * integration test runs on DynamoDB Local with native TransactWriteItems.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { PatientsDeps } from "../deps.ts";
import { replay } from "../domain/patient.ts";
import { buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";
import {
  allEvents,
  appendEvents,
  getPatient,
  patientEvent,
  VersionConflictError,
} from "./patient-queries.ts";
import { failedConditions } from "./store.ts";

let aws: LocalAws;
let deps: PatientsDeps;

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynalite" });
  ({ deps } = await buildTestApp(aws));
}, 30_000);
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

describe("transactions on dynalite (emulated: dynalite has no TransactWriteItems)", () => {
  test("the mode was detected", () => {
    expect(deps.store.mode).toBe("emulated");
  });

  test("all-or-nothing: when a later item's condition fails, the earlier writes are undone", async () => {
    await deps.store.transact([{ Put: { TableName: "", Item: { PK: "T#1", SK: "A", v: 1 } } }]);
    let error: unknown;
    try {
      await deps.store.transact([
        { Put: { TableName: "", Item: { PK: "T#1", SK: "A", v: 2 } } },
        { Put: { TableName: "", Item: { PK: "T#1", SK: "B", v: 2 } } },
        {
          Put: {
            TableName: "",
            Item: { PK: "T#1", SK: "A", v: 3 },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ]);
    } catch (e) {
      error = e;
    }
    expect(failedConditions(error)).toEqual([2]);
    expect(await get("T#1", "A")).toEqual({ PK: "T#1", SK: "A", v: 1 });
    expect(await get("T#1", "B")).toBeUndefined();
  });

  test("appending at a stale version is refused by the transaction itself, and leaves no event behind", async () => {
    const id = await createPatient(deps);
    const current = (await getPatient(deps.store, id, true))!;
    const change = (name: string) => {
      const event = {
        seq: 2,
        type: "patient.updated" as const,
        occurredAt: new Date().toISOString(),
        actor: { userId: id, role: "patient" },
        data: { name },
      };
      const next = { ...current, name, version: 2 };
      return {
        expectedVersion: 1,
        events: [event],
        next,
        kafka: [patientEvent("patient.updated", next, event.occurredAt, ["name"])],
      };
    };
    // Both computed from version 1 (as two racing requests would); only the first commits.
    const [a, b] = [change("First"), change("Second")];
    await appendEvents(deps.store, a);
    await expect(appendEvents(deps.store, b)).rejects.toBeInstanceOf(VersionConflictError);
    const events = await allEvents(deps.store, id);
    expect(events.map((e) => e.data.name)).toEqual(["Pat Test", "First"]);
    expect(await getPatient(deps.store, id, true)).toEqual(replay(events));
  });
});
