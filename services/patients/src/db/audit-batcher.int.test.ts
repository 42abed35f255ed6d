import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { AuditRecord } from "@carebridge/http";
import type { PatientsDeps } from "../deps.ts";
import { buildTestApp, type LocalAws, type LocalDynamoDb, startLocalAws } from "../test-support.ts";
import { batchedAuditSink } from "./audit-batcher.ts";
import { listAudit } from "./audit-sink.ts";
import type { Store } from "./store.ts";

/** Runs the same proofs against dynalite (BatchWriteItem) and DynamoDB Local (TransactWriteItems). */
for (const dynamodb of ["dynalite", "dynamodb-local"] as LocalDynamoDb[]) {
  describe(`audit group commit on ${dynamodb}`, () => {
    let aws: LocalAws;
    let deps: PatientsDeps;
    beforeAll(async () => {
      aws = await startLocalAws({ dynamodb });
      ({ deps } = await buildTestApp(aws));
    }, 120_000);
    afterAll(async () => {
      deps.close();
      await aws.stop();
    });

    const record = (patientId: string, n: number): AuditRecord => ({
      id: Bun.randomUUIDv7(),
      actorUserId: Bun.randomUUIDv7(),
      actorRole: "doctor",
      patientId,
      resource: "patient",
      action: "read",
      requestId: `req-${n}`,
      at: new Date().toISOString(),
    });

    /** The store with its DynamoDB calls counted. */
    const counted = (store: Store) => {
      const calls: string[] = [];
      const doc = Object.create(store.doc) as Store["doc"];
      doc.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
        calls.push(command.constructor.name);
        return (store.doc.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
      }) as Store["doc"]["send"];
      return { store: { ...store, doc }, calls };
    };

    test("concurrent records are all durable when their writes resolve, in fewer calls than records", async () => {
      const { store, calls } = counted(deps.store);
      const sink = batchedAuditSink(store);
      const patients = [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()];
      const records = Array.from({ length: 300 }, (_, i) => record(patients[i % 3]!, i));
      await Promise.all(records.map((r) => sink.write(r)));
      for (const patientId of patients) {
        const stored = await listAudit(deps.store, patientId);
        const expected = records.filter((r) => r.patientId === patientId);
        expect(stored.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
          expected.sort((a, b) => a.id.localeCompare(b.id)),
        );
      }
      expect(calls.length).toBeLessThan(records.length / 10);
      expect(new Set(calls)).toEqual(
        new Set([deps.store.mode === "native" ? "TransactWriteCommand" : "BatchWriteCommand"]),
      );
    });

    test("when DynamoDB refuses the call, every write in it fails and nothing is kept", async () => {
      const sink = batchedAuditSink({ ...deps.store, tableName: "no-such-table" });
      const patientId = Bun.randomUUIDv7();
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => sink.write(record(patientId, i))),
      );
      expect(results.map((r) => r.status)).toEqual(Array(5).fill("rejected"));
      expect(await listAudit(deps.store, patientId)).toEqual([]);
    });
  });
}
