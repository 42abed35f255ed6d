/**
 * The two local wirings: s3rver's ObjectCreated events invoking the function in-process (embedded.ts,
 * `bun run dev`) and the local invoker process (main.ts, `bun run dev:real`), each against a real
 * s3rver and the recording stand-in for the auth + patients APIs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { EmbeddedContext, EmbeddedService } from "@carebridge/runtime";
import pino from "pino";
import embedded from "./embedded.ts";
import { makeLabReportPdf, sampleReports } from "./sample-pdfs.ts";
import {
  type FakeApis,
  LOCAL_AWS,
  type LocalS3,
  putEvent,
  startFakeApis,
  startLocalS3,
} from "./test-support.ts";

const BUCKET = "carebridge-lab-reports";

/** Polls until `check` holds (the trigger is asynchronous); fails after a generous bound. */
async function eventually(check: () => Promise<boolean> | boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await Bun.sleep(50);
  }
  throw new Error(`never happened: ${what}`);
}

describe("embedded: s3rver events run the handler in-process", () => {
  let s3: LocalS3;
  let apis: FakeApis;
  let service: EmbeddedService;
  beforeAll(async () => {
    apis = startFakeApis();
    s3 = await startLocalS3(BUCKET, (event) => {
      service.onS3ObjectCreated?.(event).catch(() => undefined);
    });
    const ctx = {
      logger: pino({ level: "silent" }),
      aws: { ...LOCAL_AWS, dynamodbEndpoint: "http://unused", s3Endpoint: s3.endpoint, labBucket: BUCKET },
      publicUrl: apis.url,
      fetch: (request: Request) => fetch(request),
    } as unknown as EmbeddedContext;
    service = await embedded(ctx);
  });
  afterAll(async () => {
    await service.stop();
    await s3.stop();
    apis.stop();
  });

  test("an uploaded report becomes a lab result; a bad upload ends in quarantine", async () => {
    await service.check?.();
    const patientId = crypto.randomUUID();
    const good = `patients/${patientId}/${crypto.randomUUID()}.pdf`;
    const bad = `patients/${patientId}/${crypto.randomUUID()}.pdf`;
    const pdf = await makeLabReportPdf(sampleReports(patientId).critical!);
    await s3.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: good, Body: pdf }));
    await s3.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: bad, Body: "<html>not a pdf</html>" }));

    await eventually(() => apis.results.size === 1, "the lab result is posted");
    const [result] = [...apis.results.values()];
    expect(result).toMatchObject({ patientId, reportId: good.split("/")[2]!.replace(".pdf", "") });
    expect(result!.analytes.map((a) => a.flag)).toEqual(["H", "L", "N"]);

    const quarantined = () =>
      s3.s3
        .send(new HeadObjectCommand({ Bucket: BUCKET, Key: `quarantine/${bad}` }))
        .then(() => true)
        .catch(() => false);
    await eventually(quarantined, "the bad upload is quarantined");
    // The quarantine copy and its sidecar trigger events too; they must not loop or post.
    await Bun.sleep(200);
    expect(apis.posts).toHaveLength(1);
  });

  test("serves no routes", async () => {
    const res = await service.fetch(new Request("http://localhost/api/anything"));
    expect(res.status).toBe(404);
  });
});

describe("main.ts: the local invoker process", () => {
  let s3: LocalS3;
  let apis: FakeApis;
  let proc: ReturnType<typeof Bun.spawn>;
  let base: string;
  beforeAll(async () => {
    apis = startFakeApis();
    s3 = await startLocalS3(BUCKET);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = Bun.spawn(["bun", join(import.meta.dir, "main.ts")], {
      env: {
        ...process.env,
        PORT: String(port),
        PUBLIC_URL: apis.url,
        S3_ENDPOINT: s3.endpoint,
        LAB_BUCKET: BUCKET,
        AWS_REGION: LOCAL_AWS.region,
        AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
        LOG_LEVEL: "silent",
      },
      stdout: "ignore",
      stderr: "inherit",
    });
    await eventually(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      "the invoker listens",
    );
  });
  afterAll(async () => {
    proc.kill("SIGTERM");
    await proc.exited;
    await s3.stop();
    apis.stop();
  });

  test("/readyz checks the bucket; POST /invoke runs the handler and reports each record", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const patientId = crypto.randomUUID();
    const key = `patients/${patientId}/${crypto.randomUUID()}.pdf`;
    await s3.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: await makeLabReportPdf(sampleReports(patientId).normal!),
      }),
    );
    const res = await fetch(`${base}/invoke`, {
      method: "POST",
      body: JSON.stringify(putEvent(BUCKET, key)),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      outcomes: [{ outcome: "recorded", bucket: BUCKET, key, labResultId: expect.any(String) }],
    });
    expect(apis.results.size).toBe(1);
  });

  test("a body that is not an S3 event → 400 problem+json", async () => {
    const res = await fetch(`${base}/invoke`, { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(
      (await fetch(`${base}/invoke`, { method: "POST", body: JSON.stringify({ Records: [{}] }) })).status,
    ).toBe(400);
  });
});

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const { port } = server;
  await server.stop(true);
  return port!;
}
