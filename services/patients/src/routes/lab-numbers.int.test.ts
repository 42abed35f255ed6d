import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { HttpApp } from "@carebridge/http";
import { recordLabResult } from "../db/lab-queries.ts";
import { isUnstorableContent } from "../db/store.ts";
import type { PatientsDeps } from "../deps.ts";
import { authed, buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";

let aws: LocalAws;
let app: HttpApp;
let deps: PatientsDeps;
let patientId: string;
let tokens: { patient: string; service: string };

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  let issuer: Awaited<ReturnType<typeof buildTestApp>>["issuer"];
  ({ app, deps, issuer } = await buildTestApp(aws));
  patientId = await createPatient(deps);
  tokens = {
    patient: await issuer.sign({ sub: patientId, role: "patient" }),
    service: await issuer.sign({ sub: "lab-results", role: "service" }),
  };
}, 120_000);
afterAll(async () => {
  deps.close();
  await aws.stop();
});

const analyte = (fields: Record<string, unknown> = {}) => ({
  name: "Glucose",
  value: 95,
  unit: "mg/dL",
  refLow: 70,
  refHigh: 99,
  flag: "N",
  ...fields,
});

const labResult = (reportId: string, analytes: unknown[]) => ({
  reportId,
  patientId,
  collectedAt: "2026-11-20T08:30:00Z",
  receivedAt: "2026-11-20T10:00:00Z",
  analytes,
});

const postResult = (body: unknown) =>
  app.request(
    authed(tokens.service, `/api/patients/internal/${patientId}/lab-results`, { method: "POST", body }),
  );

async function issueReport(): Promise<string> {
  const res = await app.request(
    authed(tokens.patient, `/api/patients/${patientId}/lab-reports`, {
      method: "POST",
      body: { fileName: "report.pdf", contentType: "application/pdf" },
    }),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { reportId: string }).reportId;
}

async function labItems(): Promise<number> {
  const { Items = [] } = await deps.store.doc.send(new ScanCommand({ TableName: deps.store.tableName }));
  return Items.filter((i) => /^(LAB#|REPORT#|ALERT#)/.test(`${i.PK}`) || /^(LAB#|ALERT#)/.test(`${i.SK}`))
    .length;
}

describe("lab numbers outside what DynamoDB (or a lab) can mean", () => {
  test.each([
    ["value", { value: 1e200 }],
    ["value", { value: 1e-200 }],
    ["value", { value: -1e13 }],
    ["value", { value: 1.2345678901234567 }],
    ["refLow", { refLow: 1e200 }],
    ["refLow", { refLow: -1e-200 }],
    ["refHigh", { refHigh: 1e126 }],
    ["refHigh", { refHigh: 1e-131 }],
  ])("%s %o → 400 naming the field; nothing written", async (field, fields) => {
    const reportId = await issueReport();
    const before = await labItems();
    const res = await postResult(labResult(reportId, [analyte(), analyte(fields)]));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { errors: Record<string, string> }).errors).toHaveProperty([
      `analytes.1.${field}`,
    ]);
    expect(await labItems()).toBe(before);
  });

  test("the bounds themselves, 0 and negative values are accepted", async () => {
    const reportId = await issueReport();
    const res = await postResult(
      labResult(reportId, [
        analyte({ value: 1e12, refLow: -1e12, refHigh: null, flag: "N" }),
        analyte({ value: 0, refLow: 1e-12, refHigh: 123456789012.345, flag: "L" }),
        analyte({ value: -2.5, refLow: -3, refHigh: 3 }),
      ]),
    );
    expect(res.status).toBe(201);
  });

  test.each([1e200, 1e-200, -1e-200])(
    "the store's refusal of %p (SDK or DynamoDB) is recognised as the content's fault",
    async (value) => {
      const error = await recordLabResult(
        deps.store,
        { id: Bun.randomUUIDv7(), ...labResult(Bun.randomUUIDv7(), [analyte({ value })]) } as never,
        null,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(isUnstorableContent(error)).toBe(true);
    },
  );

  test("if DynamoDB still refuses the content, the route answers 422, not 500", async () => {
    // Capture DynamoDB Local's real refusal, then make the next write of the route hit it.
    const refusal = await deps.store
      .transact([{ Put: { TableName: "", Item: { PK: "X", SK: "X", n: 1e-200 } } }])
      .catch((e: unknown) => e);
    expect(isUnstorableContent(refusal)).toBe(true);
    const reportId = await issueReport();
    const transact = deps.store.transact;
    deps.store.transact = () => Promise.reject(refusal);
    try {
      const res = await postResult(labResult(reportId, [analyte()]));
      expect(res.status).toBe(422);
      expect(((await res.json()) as { type: string }).type).toContain("unstorable-input");
    } finally {
      deps.store.transact = transact;
    }
    expect((await postResult(labResult(reportId, [analyte()]))).status).toBe(201);
  });
});
