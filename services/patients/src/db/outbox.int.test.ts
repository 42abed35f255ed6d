import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import {
  type ConsumedMessage,
  contractTopicConfigs,
  type EventLog,
  memoryEventLog,
  silentLogger,
} from "@carebridge/kafka";
import type { PatientsDeps } from "../deps.ts";
import { updatePatient } from "../domain/patient-commands.ts";
import { buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";
import { OUTBOX_SHARDS, startDynamoOutboxRelay } from "./outbox.ts";
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

async function outboxSize(): Promise<number> {
  let n = 0;
  for (let shard = 0; shard < OUTBOX_SHARDS; shard++) {
    const { Count = 0 } = await deps.store.doc.send(
      new QueryCommand({
        TableName: deps.store.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.outbox(shard) },
        Select: "COUNT",
      }),
    );
    n += Count;
  }
  return n;
}

/**
 * Every record on `patients` (call once the relays stopped): as many as the topic's end offsets
 * say were written, so a duplicate shows up as an extra record instead of being missed.
 */
async function readAll(log: EventLog): Promise<ConsumedMessage[]> {
  const ends = await log.endOffsets("patients");
  const written = [...ends.values()].reduce((n, offset) => n + Number(offset), 0);
  const seen: ConsumedMessage[] = [];
  const reader = await log.consume(
    { groupId: `r-${crypto.randomUUID()}`, topics: ["patients"], fromBeginning: true },
    async (b) => {
      seen.push(...b.messages);
    },
  );
  const deadline = Date.now() + 10_000;
  while (seen.length < written && Date.now() < deadline) await Bun.sleep(20);
  await reader.stop();
  expect(seen).toHaveLength(written);
  return seen;
}

describe("DynamoDB outbox relay", () => {
  test("two relay instances publish every event exactly once, each patient's in version order, and empty the outbox", async () => {
    const patients = await Promise.all([1, 2, 3].map(() => createPatient(deps)));
    for (let version = 1; version <= 5; version++) {
      for (const id of patients) {
        const outcome = await updatePatient(
          deps.store,
          id,
          version,
          { phone: `+1 555 ${version}` },
          { userId: id, role: "patient" },
        );
        expect(outcome.kind).toBe("updated");
      }
    }
    expect(await outboxSize()).toBe(18);
    const log = memoryEventLog();
    await log.createTopics(contractTopicConfigs());
    const relays = [1, 2].map(() =>
      startDynamoOutboxRelay({ store: deps.store, log, logger: silentLogger, batchSize: 4 }),
    );
    const deadline = Date.now() + 10_000;
    while ((await outboxSize()) > 0 && Date.now() < deadline) await Bun.sleep(20);
    await Promise.all(relays.map((r) => r.stop()));
    expect(await outboxSize()).toBe(0);
    const records = await readAll(log);
    expect(records).toHaveLength(18);
    expect(new Set(records.map((r) => r.headers.ce_id)).size).toBe(18);
    for (const id of patients) {
      const versions = records
        .filter((r) => r.key === id)
        .map((r) => (JSON.parse(r.value) as { version: number }).version);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    }
  }, 60_000);

  test("a failed send leaves the entries in place; the next round sends them (at-least-once, nothing lost)", async () => {
    const id = await createPatient(deps);
    const log = memoryEventLog();
    await log.createTopics(contractTopicConfigs());
    let failures = 1;
    const flaky: EventLog = {
      ...log,
      send: async (records) => {
        if (failures-- > 0) throw new Error("broker unavailable");
        await log.send(records);
      },
    };
    const relay = startDynamoOutboxRelay({ store: deps.store, log: flaky, logger: silentLogger });
    const deadline = Date.now() + 10_000;
    while ((await outboxSize()) > 0 && Date.now() < deadline) await Bun.sleep(20);
    await relay.stop();
    expect(failures).toBe(-1); // one failed send, then one that worked
    expect(relay.published).toBe(1);
    const records = await readAll(log);
    expect(records.map((r) => [r.key, r.headers.ce_type])).toEqual([[id, "patient.registered"]]);
  }, 30_000);
});
