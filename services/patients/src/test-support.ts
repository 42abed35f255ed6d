import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type HttpApp } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { createApp } from "./app.ts";
import type { TransactionMode } from "./db/store.ts";
import { createPatientsDeps, type PatientsDeps } from "./deps.ts";
import { registrationItems } from "./domain/patient-commands.ts";

/** Credentials dynalite and s3rver accept. */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
export const TEST_BUCKET = "carebridge-lab-reports";

/** dynalite and s3rver on free loopback ports, for one test file. */
export interface LocalAws {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite (in memory) and s3rver (in a temp directory, with the lab bucket). */
export async function startLocalAws(): Promise<LocalAws> {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once("error", reject);
    dynamo.listen(0, "127.0.0.1", () => resolve());
  });
  const directory = mkdtempSync(join(tmpdir(), "patients-s3-"));
  const s3 = new S3rver({
    port: 0,
    address: "127.0.0.1",
    directory,
    silent: true,
    configureBuckets: [{ name: TEST_BUCKET, configs: [] }],
  });
  const { port } = await s3.run();
  return {
    dynamodbEndpoint: `http://127.0.0.1:${(dynamo.address() as { port: number }).port}`,
    s3Endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await s3.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A patients app over local AWS with a fresh table and a test token issuer. */
export async function buildTestApp(
  aws: LocalAws,
  options: { transactions?: "auto" | TransactionMode; tableName?: string } = {},
): Promise<{ app: HttpApp; deps: PatientsDeps; issuer: TestIssuer }> {
  const issuer = await createTestIssuer();
  const deps = await createPatientsDeps({
    logger: createLogger({ service: "patients", level: "silent" }),
    aws: {
      region: "us-east-1",
      credentials: { ...LOCAL_CREDENTIALS },
      dynamodbEndpoint: aws.dynamodbEndpoint,
      s3Endpoint: aws.s3Endpoint,
    },
    tableName: options.tableName ?? `patients-${crypto.randomUUID().slice(0, 8)}`,
    bucket: TEST_BUCKET,
    transactions: options.transactions ?? "auto",
    createTable: true,
    keys: issuer.keys,
    claims: { issuer: issuer.issuer, audience: issuer.audience },
  });
  return { app: createApp(deps), deps, issuer };
}

/** Creates a patient record directly (what `user.registered` does); returns the id. */
export async function createPatient(
  deps: PatientsDeps,
  user: { id?: string; name?: string; email?: string } = {},
  seedDemo = false,
): Promise<string> {
  const id = user.id ?? Bun.randomUUIDv7();
  const items = await registrationItems(
    deps.store,
    { id, name: user.name ?? "Pat Test", email: user.email ?? `${id}@example.com` },
    { seedDemo },
  );
  await deps.store.transact(items);
  return id;
}

/** A request with a Bearer token (and JSON body when given). */
export function authed(
  token: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Request {
  return new Request(`http://localhost${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : JSON.stringify(init.body),
  });
}
