import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import pino from "pino";
import { createLabResultsHandler, MAX_REPORT_BYTES } from "./handler.ts";
import { makeLabReportPdf, sampleReports } from "./sample-pdfs.ts";
import {
  DEV_CLIENT,
  type FakeApis,
  type LocalS3,
  putEvent,
  startFakeApis,
  startLocalS3,
} from "./test-support.ts";
import { createTokenProvider } from "./token-provider.ts";

const BUCKET = "lab-reports-test";
const logger = pino({ level: "silent" });
let s3: LocalS3;
let apis: FakeApis;

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET);
});
afterAll(async () => {
  await s3.stop();
});
beforeEach(() => {
  apis?.stop();
  apis = startFakeApis();
});

function makeHandler() {
  const fetchFn = (url: string, init?: RequestInit) => fetch(url, init);
  const clock = () => new Date();
  return createLabResultsHandler({
    s3: s3.s3,
    bucket: BUCKET,
    patientsUrl: apis.url,
    tokens: createTokenProvider({ authUrl: apis.url, ...DEV_CLIENT, fetch: fetchFn, clock }),
    fetch: fetchFn,
    logger,
    clock,
  });
}

const ids = () => ({ patientId: crypto.randomUUID(), reportId: crypto.randomUUID() });
const keyOf = (i: { patientId: string; reportId: string }) => `patients/${i.patientId}/${i.reportId}.pdf`;

async function upload(key: string, body: Uint8Array | string) {
  await s3.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: "application/pdf" }),
  );
}
async function exists(key: string) {
  return s3.s3
    .send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
    .then(() => true)
    .catch(() => false);
}
async function keysUnder(prefix: string) {
  const out = await s3.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}
async function expectQuarantined(key: string, reason: string) {
  expect(await exists(key)).toBe(false);
  const head = await s3.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `quarantine/${key}` }));
  expect(head.Metadata?.["quarantine-reason"]).toContain(reason);
  const sidecar = await s3.s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: `quarantine/${key}.reason.json` }),
  );
  const record = JSON.parse(await sidecar.Body!.transformToString());
  expect(record).toMatchObject({ key, bucket: BUCKET });
  expect(record.reason).toContain(reason);
  expect(apis.posts).toHaveLength(0);
}

describe("a readable report", () => {
  test("is posted as a lab result without id: ids from the key, flags, collectedAt, receivedAt", async () => {
    const i = ids();
    const key = keyOf(i);
    await upload(key, await makeLabReportPdf(sampleReports(i.patientId).abnormal!));
    const head = await s3.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));

    const outcomes = await makeHandler()(putEvent(BUCKET, key));

    expect(outcomes).toEqual([
      { outcome: "recorded", bucket: BUCKET, key, labResultId: apis.results.get(i.reportId)!.id },
    ]);
    expect(apis.posts).toHaveLength(1);
    expect(apis.posts[0]!.patientId).toBe(i.patientId);
    expect(apis.posts[0]!.body).toEqual({
      reportId: i.reportId,
      patientId: i.patientId,
      collectedAt: "2026-11-20T08:30:00Z",
      receivedAt: head.LastModified!.toISOString().replace(".000Z", "Z"),
      analytes: [
        { name: "Hemoglobin", value: 13.5, unit: "g/dL", refLow: 12, refHigh: 16, flag: "N" },
        { name: "Glucose (fasting)", value: 140, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" },
        { name: "Potassium", value: 3.1, unit: "mmol/L", refLow: 3.5, refHigh: 5.1, flag: "L" },
        { name: "Vitamin D", value: 41, unit: "ng/mL", refLow: 30, refHigh: null, flag: "N" },
      ],
    });
    // The report stays where it is; nothing is quarantined.
    expect(await exists(key)).toBe(true);
    expect(await keysUnder(`quarantine/patients/${i.patientId}`)).toEqual([]);
  });

  test("a multi-page report with noise lines and table columns yields every analyte", async () => {
    const i = ids();
    const spec = sampleReports(i.patientId)["multi-page"]!;
    await upload(keyOf(i), await makeLabReportPdf({ ...spec, columns: true }));
    await makeHandler()(putEvent(BUCKET, keyOf(i)));
    const analytes = apis.posts[0]!.body.analytes;
    expect(analytes.map((a) => a.name)).toEqual(spec.analytes.map((a) => a.name));
    expect(analytes.find((a) => a.name === "HbA1c")?.flag).toBe("H");
  });

  test("a report without a Patient ID line is accepted: the key names the patient", async () => {
    const i = ids();
    const { patientId: _omitted, ...spec } = sampleReports(i.patientId).normal!;
    await upload(keyOf(i), await makeLabReportPdf(spec));
    expect((await makeHandler()(putEvent(BUCKET, keyOf(i))))[0]?.outcome).toBe("recorded");
  });

  test("processing the same object twice records one result", async () => {
    const i = ids();
    await upload(keyOf(i), await makeLabReportPdf(sampleReports(i.patientId).normal!));
    const handler = makeHandler();
    await handler(putEvent(BUCKET, keyOf(i)));
    await handler(putEvent(BUCKET, keyOf(i)));
    await makeHandler()(putEvent(BUCKET, keyOf(i))); // a fresh Lambda container too
    expect(apis.posts).toHaveLength(3);
    expect(new Set(apis.posts.map((p) => JSON.stringify(p.body))).size).toBe(1);
    expect(apis.results.size).toBe(1);
  });

  test("the token is cached across reports and refreshed once on a 401", async () => {
    const handler = makeHandler();
    for (let n = 0; n < 3; n++) {
      const i = ids();
      await upload(keyOf(i), await makeLabReportPdf(sampleReports(i.patientId).normal!));
      await handler(putEvent(BUCKET, keyOf(i)));
    }
    expect(apis.issued).toHaveLength(1);
    apis.revokeTokens();
    const i = ids();
    await upload(keyOf(i), await makeLabReportPdf(sampleReports(i.patientId).normal!));
    expect((await handler(putEvent(BUCKET, keyOf(i))))[0]?.outcome).toBe("recorded");
    expect(apis.issued).toHaveLength(2);
    expect(apis.results.has(i.reportId)).toBe(true);
  });
});

describe("quarantine: moved under quarantine/ with the reason, nothing else changes", () => {
  const cases: Array<[string, (patientId: string) => Promise<Uint8Array | string>, string]> = [
    ["not a PDF", async () => "plain text, not a PDF", "not a PDF"],
    ["an empty file", async () => "", "empty file"],
    ["a damaged PDF", async () => "%PDF-1.7\n garbage that is no PDF structure", "cannot be read"],
    [
      "a report with no analytes",
      async (p) => makeLabReportPdf(sampleReports(p)["no-analytes"]!),
      "no analytes",
    ],
    [
      "a mismatched Patient ID",
      async (p) => makeLabReportPdf(sampleReports(p).mismatched!),
      "does not match",
    ],
    [
      "a report without a Collected date",
      async (p) => makeLabReportPdf({ ...sampleReports(p).normal!, collectedAt: undefined }),
      "no Collected date",
    ],
    [
      "a value beyond what we store (a 30-digit run, not posted as 1e30)",
      async (p) =>
        makeLabReportPdf({
          ...sampleReports(p).normal!,
          analytes: [{ name: "Glucose", value: "9".repeat(30), unit: "mg/dL", range: "70-99" }],
        }),
      "value of Glucose has more than 15 significant digits",
    ],
    [
      "a range bound below 1e-12",
      async (p) =>
        makeLabReportPdf({
          ...sampleReports(p).normal!,
          analytes: [{ name: "Glucose", value: "95", unit: "mg/dL", range: `0.${"0".repeat(20)}1-99` }],
        }),
      "range of Glucose is below 1e-12",
    ],
    [
      "a report collected after it was uploaded",
      async (p) => makeLabReportPdf({ ...sampleReports(p).normal!, collectedAt: "2099-01-01T00:00:00Z" }),
      "is after the report was received",
    ],
  ];
  for (const [name, body, reason] of cases) {
    test(name, async () => {
      const i = ids();
      await upload(keyOf(i), await body(i.patientId));
      const outcomes = await makeHandler()(putEvent(BUCKET, keyOf(i)));
      expect(outcomes[0]).toMatchObject({ outcome: "quarantined", key: keyOf(i) });
      await expectQuarantined(keyOf(i), reason);
    });
  }

  test("a file over 10 MiB", async () => {
    const i = ids();
    const big = new Uint8Array(MAX_REPORT_BYTES + 1).fill(0x20);
    big.set(new TextEncoder().encode("%PDF-1.7\n"));
    await upload(keyOf(i), big);
    await makeHandler()(putEvent(BUCKET, keyOf(i)));
    await expectQuarantined(keyOf(i), "file too large");
  });

  for (const key of [
    "uploads/report.pdf",
    `patients/not-a-uuid/${crypto.randomUUID()}.pdf`,
    `patients/${crypto.randomUUID()}/${crypto.randomUUID()}.txt`,
    `patients/${crypto.randomUUID()}/x/${crypto.randomUUID()}.pdf`,
  ]) {
    test(`a forged key: ${key.replace(/[0-9a-f-]{36}/g, "<uuid>")}`, async () => {
      await upload(key, await makeLabReportPdf(sampleReports(crypto.randomUUID()).normal!));
      await makeHandler()(putEvent(BUCKET, key));
      await expectQuarantined(key, "key is not patients/{patientId}/{reportId}.pdf");
    });
  }

  for (const status of [400, 404, 409, 422]) {
    test(`a result the patients service rejects (${status})`, async () => {
      const i = ids();
      await upload(keyOf(i), await makeLabReportPdf(sampleReports(i.patientId).normal!));
      apis.failNext.push({ status, body: { title: "Rejected", status, detail: "No upload was issued." } });
      const outcomes = await makeHandler()(putEvent(BUCKET, keyOf(i)));
      expect(outcomes[0]?.outcome).toBe("quarantined");
      expect(await exists(keyOf(i))).toBe(false);
      const head = await s3.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `quarantine/${keyOf(i)}` }));
      expect(head.Metadata?.["quarantine-reason"]).toContain(
        `rejected the result (${status}): No upload was issued.`,
      );
      expect(apis.results.size).toBe(0);
    });
  }
});

describe("transient failures throw (Lambda retries) and leave everything in place", () => {
  test("patients 5xx: nothing moved, a retry records the result", async () => {
    const i = ids();
    await upload(keyOf(i), await makeLabReportPdf(sampleReports(i.patientId).normal!));
    apis.failNext.push({ status: 503 });
    const handler = makeHandler();
    await expect(handler(putEvent(BUCKET, keyOf(i)))).rejects.toThrow("1 of 1 lab reports failed");
    expect(await exists(keyOf(i))).toBe(true);
    expect(await exists(`quarantine/${keyOf(i)}`)).toBe(false);
    expect(apis.results.size).toBe(0);
    expect((await handler(putEvent(BUCKET, keyOf(i))))[0]?.outcome).toBe("recorded");
    expect(apis.results.size).toBe(1);
  });

  test("auth unavailable: throws, nothing posted or moved", async () => {
    const i = ids();
    await upload(keyOf(i), await makeLabReportPdf(sampleReports(i.patientId).normal!));
    apis.failTokenRequests(1);
    await expect(makeHandler()(putEvent(BUCKET, keyOf(i)))).rejects.toThrow();
    expect(apis.posts).toHaveLength(0);
    expect(await exists(keyOf(i))).toBe(true);
  });

  test("patients unreachable: throws; other records of the event are still processed", async () => {
    const good = ids();
    const bad = ids();
    await upload(keyOf(good), await makeLabReportPdf(sampleReports(good.patientId).normal!));
    await upload(keyOf(bad), "not a pdf");
    const fetchFn = (url: string, init?: RequestInit) =>
      url.includes("/api/patients/") ? Promise.reject(new Error("connection refused")) : fetch(url, init);
    const clock = () => new Date();
    const handler = createLabResultsHandler({
      s3: s3.s3,
      bucket: BUCKET,
      patientsUrl: apis.url,
      tokens: createTokenProvider({ authUrl: apis.url, ...DEV_CLIENT, fetch: fetchFn, clock }),
      fetch: fetchFn,
      logger,
      clock,
    });
    const event = {
      Records: [...putEvent(BUCKET, keyOf(good)).Records, ...putEvent(BUCKET, keyOf(bad)).Records],
    };
    await expect(handler(event)).rejects.toThrow("1 of 2 lab reports failed");
    expect(await exists(keyOf(good))).toBe(true);
    expect(await exists(`quarantine/${keyOf(bad)}`)).toBe(true);
  });
});

describe("events that are not for the function", () => {
  test("quarantine copies, deleted objects, other buckets and other event types are skipped", async () => {
    const i = ids();
    await upload(keyOf(i), "not a pdf");
    const handler = makeHandler();
    await handler(putEvent(BUCKET, keyOf(i)));
    const before = await keysUnder("quarantine/");
    const outcomes = await handler({
      Records: [
        ...putEvent(BUCKET, `quarantine/${keyOf(i)}`).Records,
        ...putEvent(BUCKET, `quarantine/${keyOf(i)}.reason.json`).Records,
        ...putEvent(BUCKET, keyOf(i)).Records, // the original is gone: a rerun of the same event
        ...putEvent("another-bucket", keyOf(ids())).Records,
        {
          eventName: "ObjectRemoved:Delete",
          s3: { bucket: { name: BUCKET }, object: { key: keyOf(i), size: 0 } },
        },
      ],
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(["skipped", "skipped", "skipped", "skipped", "skipped"]);
    expect(await keysUnder("quarantine/")).toEqual(before);
    expect(apis.posts).toHaveLength(0);
  });

  test("URL-encoded keys in the notification are decoded", async () => {
    const key = "uploads/my report (1).pdf";
    await upload(key, "x");
    await makeHandler()(putEvent(BUCKET, "uploads/my+report+%281%29.pdf"));
    await expectQuarantined(key, "key is not");
    await s3.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `quarantine/${key}` }));
  });
});
