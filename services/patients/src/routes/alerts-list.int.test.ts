import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { HttpApp } from "@carebridge/http";
import type { AlertRecord } from "../db/alert-queries.ts";
import { careLinkItem } from "../db/care-team-queries.ts";
import { recordLabResult } from "../db/lab-queries.ts";
import { keys } from "../db/table.ts";
import type { PatientsDeps } from "../deps.ts";
import { authed, buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";

let aws: LocalAws;
let app: HttpApp;
let deps: PatientsDeps;
let token: string;
const PER_PATIENT = 12;
/** Every alert created, newest first. */
let expected: AlertRecord[] = [];

/** Items the alert index queries read (what a page costs). */
let alertItemsRead = 0;

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  let issuer: Awaited<ReturnType<typeof buildTestApp>>["issuer"];
  ({ app, deps, issuer } = await buildTestApp(aws));
  const doctorId = Bun.randomUUIDv7();
  token = await issuer.sign({ sub: doctorId, role: "doctor" });
  const patients = await Promise.all([1, 2, 3].map(() => createPatient(deps)));
  const stranger = await createPatient(deps); // not on the care team: never listed
  for (const patientId of patients) {
    await deps.store.transact([
      careLinkItem({
        patientId,
        doctorId,
        appointmentId: Bun.randomUUIDv7(),
        status: "booked",
        occurredAtMs: Date.now(),
      }),
    ]);
  }
  let second = 0;
  for (let i = 0; i < PER_PATIENT; i++) {
    for (const patientId of [...patients, stranger]) {
      // Every third round shares one createdAt: ties are ordered by id.
      if (i % 3 !== 0) second++;
      const createdAt = new Date(Date.UTC(2026, 10, 20, 8, 0, second)).toISOString();
      const labResultId = Bun.randomUUIDv7();
      const alert: AlertRecord = {
        id: Bun.randomUUIDv7(),
        patientId,
        labResultId,
        severity: "warning",
        summary: `alert ${i}`,
        status: "open",
        createdAt,
      };
      await recordLabResult(
        deps.store,
        {
          id: labResultId,
          reportId: Bun.randomUUIDv7(),
          patientId,
          collectedAt: "2026-11-20T08:00:00Z",
          receivedAt: createdAt,
          analytes: [{ name: "Glucose", value: 140, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" }],
        },
        alert,
      );
      if (patientId !== stranger) expected.push(alert);
    }
  }
  // Every third alert acknowledged (straight in the table: what the acknowledge route writes).
  for (const [i, alert] of expected.entries()) {
    if (i % 3 !== 0) continue;
    alert.status = "acknowledged";
    await deps.store.doc.send(
      new UpdateCommand({
        TableName: deps.store.tableName,
        Key: { PK: keys.alert(alert.id), SK: "ALERT" },
        UpdateExpression: "SET #s = :a",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":a": "acknowledged" },
      }),
    );
  }
  expected = expected.sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
  );
  const send = deps.store.doc.send.bind(deps.store.doc);
  deps.store.doc.send = (async (command: unknown) => {
    const output = await send(command as never);
    if (command instanceof QueryCommand && String(command.input.KeyConditionExpression).includes("GSI1PK")) {
      const pk = String(command.input.ExpressionAttributeValues?.[":pk"]);
      if (pk.startsWith("ALERTS#")) alertItemsRead += (output as { ScannedCount?: number }).ScannedCount ?? 0;
    }
    return output;
  }) as typeof deps.store.doc.send;
}, 120_000);
afterAll(async () => {
  deps.close();
  await aws.stop();
});

async function pages(limit: number, status?: string) {
  const seen: AlertRecord[] = [];
  const costs: number[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}) });
    if (cursor) query.set("cursor", cursor);
    alertItemsRead = 0;
    const res = await app.request(authed(token, `/api/patients/alerts?${query}`));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: AlertRecord[]; nextCursor: string | null };
    expect(body.items.length).toBeLessThanOrEqual(limit);
    costs.push(alertItemsRead);
    seen.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return { seen, costs };
}

describe("GET /alerts pages through the care team's alerts at a bounded cost", () => {
  test("every alert once, newest first (ties by id), and a page reads ≤ P × (limit + 1) alerts", async () => {
    const { seen, costs } = await pages(5);
    expect(seen.map((a) => a.id)).toEqual(expected.map((a) => a.id));
    expect(Math.max(...costs)).toBeLessThanOrEqual(3 * 6); // not all 3 × 12 (nor the stranger's)
  });

  test("?status= pages the same way over the matching alerts only", async () => {
    for (const status of ["open", "acknowledged"] as const) {
      const { seen } = await pages(4, status);
      expect(seen.map((a) => a.id)).toEqual(expected.filter((a) => a.status === status).map((a) => a.id));
    }
  });

  test("one page as large as everything has no next cursor", async () => {
    const res = await app.request(authed(token, "/api/patients/alerts?limit=200"));
    const body = (await res.json()) as { items: AlertRecord[]; nextCursor: string | null };
    expect(body.items).toHaveLength(expected.length);
    expect(body.nextCursor).toBeNull();
  });
});
