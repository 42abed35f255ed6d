import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { createLogger, type HttpApp } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import { testDynamoDbEndpoint } from "@carebridge/testing";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { createApp } from "./app.ts";
import type { TransactionMode } from "./db/store.ts";
import { createPatientsDeps, type PatientsDeps } from "./deps.ts";
import { registrationItems } from "./domain/patient-commands.ts";

/** Credentials DynamoDB Local, dynalite and s3rver accept (they check the signature's shape only). */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
export const TEST_BUCKET = "carebridge-lab-reports";

/**
 * Which local DynamoDB: `dynamodb-local` (Amazon DynamoDB Local, native TransactWriteItems; the
 * run's shared instance from `testDynamoDbEndpoint()`, so integration tests only) or `dynalite`
 * (in this process, transactions emulated: what `bun run dev` uses; unit tests and the bench).
 */
export type LocalDynamoDb = "dynamodb-local" | "dynalite";

/** A local DynamoDB and s3rver on loopback ports, for one test file. */
export interface LocalAws {
  dynamodb: LocalDynamoDb;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** Tables of this file; deleted on stop() when the DynamoDB is shared (DynamoDB Local). */
  tables: Set<string>;
  stop(): Promise<void>;
}

/** Starts (or, for DynamoDB Local, joins) a local DynamoDB and s3rver (temp directory, lab bucket). */
export async function startLocalAws(options: { dynamodb?: LocalDynamoDb } = {}): Promise<LocalAws> {
  const kind = options.dynamodb ?? "dynalite";
  const tables = new Set<string>();
  let dynamodbEndpoint: string;
  let stopDynamo: () => Promise<void>;
  if (kind === "dynamodb-local") {
    dynamodbEndpoint = await testDynamoDbEndpoint();
    stopDynamo = async () => {
      const client = new DynamoDBClient({
        region: "us-east-1",
        credentials: LOCAL_CREDENTIALS,
        endpoint: dynamodbEndpoint,
      });
      try {
        await Promise.all(
          [...tables].map((TableName) =>
            client.send(new DeleteTableCommand({ TableName })).catch((error) => {
              if (!(error instanceof ResourceNotFoundException)) throw error;
            }),
          ),
        );
      } finally {
        client.destroy();
      }
    };
  } else {
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      dynamo.once("error", reject);
      dynamo.listen(0, "127.0.0.1", () => resolve());
    });
    dynamodbEndpoint = `http://127.0.0.1:${(dynamo.address() as { port: number }).port}`;
    stopDynamo = () => new Promise<void>((resolve) => dynamo.close(() => resolve()));
  }
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
    dynamodb: kind,
    dynamodbEndpoint,
    s3Endpoint: `http://127.0.0.1:${port}`,
    tables,
    async stop() {
      await s3.close();
      await stopDynamo();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A patients app over local AWS with a fresh table (of this file's) and a test token issuer. */
export async function buildTestApp(
  aws: LocalAws,
  options: { transactions?: "auto" | TransactionMode; tableName?: string } = {},
): Promise<{ app: HttpApp; deps: PatientsDeps; issuer: TestIssuer }> {
  const issuer = await createTestIssuer();
  // Files sharing one DynamoDB Local keep apart by table name.
  const tableName = options.tableName ?? `patients-${crypto.randomUUID().slice(0, 8)}`;
  aws.tables.add(tableName);
  const deps = await createPatientsDeps({
    logger: createLogger({ service: "patients", level: "silent" }),
    aws: {
      region: "us-east-1",
      credentials: { ...LOCAL_CREDENTIALS },
      dynamodbEndpoint: aws.dynamodbEndpoint,
      s3Endpoint: aws.s3Endpoint,
    },
    tableName,
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
