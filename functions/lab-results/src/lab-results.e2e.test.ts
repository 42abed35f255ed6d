/**
 * Upload → lab result visible, through the whole embedded stack (`bun run dev`): auth signs the
 * patient in and the function in, patients issues the presigned URL, s3rver's event runs the
 * function, which posts to patients' internal endpoint.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { HeadObjectCommand, type HeadObjectCommandOutput, S3Client } from "@aws-sdk/client-s3";
import pino from "pino";
import { type EmbeddedStack, startEmbeddedStack } from "../../../stack/src/dev-embedded.ts";
import { makeLabReportPdf, sampleReports } from "./sample-pdfs.ts";
import { LOCAL_AWS } from "./test-support.ts";
import {
  listLabResults,
  type Session,
  signInPatient,
  uploadReport,
  waitForLabResult,
} from "./upload-flow.ts";

let stack: EmbeddedStack;
let session: Session;
beforeAll(async () => {
  stack = await startEmbeddedStack({ port: 0, logger: pino({ level: "silent" }) });
  session = await signInPatient(stack.url);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

test("an uploaded lab report becomes a flagged lab result, in the patient's list and FHIR bundle", async () => {
  const reportId = await uploadReport(
    session,
    await makeLabReportPdf(sampleReports(session.patientId).critical!),
  );
  const result = await waitForLabResult(session, reportId);
  expect(result?.analytes.map((a) => [a.name, a.flag])).toEqual([
    ["Glucose (fasting)", "H"],
    ["Potassium", "L"],
    ["Sodium", "N"],
  ]);
  const fhir = await fetch(`${stack.url}/api/patients/${session.patientId}/fhir`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  expect(fhir.status).toBe(200);
  const bundle = (await fhir.json()) as { entry: Array<{ resource: { resourceType: string; id: string } }> };
  expect(
    bundle.entry.some((e) => e.resource.resourceType === "DiagnosticReport" && e.resource.id === result?.id),
  ).toBe(true);
});

test("a file that is not a PDF is quarantined and records nothing", async () => {
  const before = (await listLabResults(session)).length;
  const issued = await fetch(`${stack.url}/api/patients/${session.patientId}/lab-reports`, {
    method: "POST",
    headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
    body: JSON.stringify({ fileName: "photo.pdf", contentType: "application/pdf" }),
  });
  const { key, uploadUrl } = (await issued.json()) as { key: string; uploadUrl: string };
  const put = await fetch(uploadUrl, {
    method: "PUT",
    headers: { "content-type": "application/pdf" },
    body: "GIF89a",
  });
  expect(put.ok).toBe(true);
  // The presigned URL points at the stack's s3rver: look there for the quarantined copy.
  const s3 = new S3Client({ ...LOCAL_AWS, endpoint: new URL(uploadUrl).origin, forcePathStyle: true });
  const bucket = new URL(uploadUrl).pathname.split("/")[1]!;
  let head: HeadObjectCommandOutput | null = null;
  for (let i = 0; i < 200 && !head; i++) {
    head = await s3
      .send(new HeadObjectCommand({ Bucket: bucket, Key: `quarantine/${key}` }))
      .catch(() => null);
    if (!head) await Bun.sleep(50);
  }
  expect(head?.Metadata?.["quarantine-reason"]).toContain("not a PDF");
  expect((await listLabResults(session)).length).toBe(before);
  s3.destroy();
});
