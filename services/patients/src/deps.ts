import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import {
  type AuditSink,
  createJwtVerifier,
  createLogger,
  type JwtKeySource,
  type JwtVerifier,
} from "@carebridge/http";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import type { Logger } from "pino";
import type { PatientsConfig } from "./config.ts";
import { batchedAuditSink } from "./db/audit-batcher.ts";
import { type CareTeamCheck, cachedCareTeam } from "./db/care-team-cache.ts";
import { isCareTeam } from "./db/care-team-queries.ts";
import { batchedPatientReader, type PatientReader } from "./db/patient-reader.ts";
import { createStore, detectTransactionMode, type Store, type TransactionMode } from "./db/store.ts";
import { ensureTable } from "./db/table.ts";

/** Everything the patients app needs; built once per process (or per test). */
export interface PatientsDeps {
  store: Store;
  s3: S3Client;
  bucket: string;
  logger: Logger;
  verifier: JwtVerifier;
  /** Group commit of audit records (one DynamoDB call for concurrent requests' records). */
  audit: AuditSink;
  /** Care-team check with a ≤ 5 s per-process cache of grants (refusals always read DynamoDB). */
  careTeam: CareTeamCheck;
  /** Record reads of concurrent requests coalesced into BatchGetItem (not a cache). */
  patients: PatientReader;
  /** Lifetime of presigned upload URLs. */
  uploadTtlSeconds: number;
  dynamodb: DynamoDBClient;
  /** Closes the AWS clients. */
  close(): void;
}

/** Options of {@link createPatientsDeps}. */
export interface PatientsDepsOptions {
  logger: Logger;
  aws: {
    region: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    dynamodbEndpoint?: string;
    s3Endpoint?: string;
  };
  tableName: string;
  bucket: string;
  transactions: "auto" | TransactionMode;
  /** Create the table when missing and wait until it is ACTIVE (local stacks, tests). */
  createTable: boolean;
  keys: JwtKeySource;
  claims: { issuer: string; audience: string };
  uploadTtlSeconds?: number;
}

/** Constructs the DynamoDB and S3 clients, the table (when asked) and the verifier. */
export async function createPatientsDeps(options: PatientsDepsOptions): Promise<PatientsDeps> {
  const { aws } = options;
  const dynamodb = new DynamoDBClient({
    region: aws.region,
    // The SDK's fetch transport (Bun's native fetch, keep-alive pool) instead of the node:http
    // emulation: the biggest CPU cost per call (README, Performance).
    requestHandler: new FetchHttpHandler(),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
    ...(aws.dynamodbEndpoint ? { endpoint: aws.dynamodbEndpoint } : {}),
  });
  // The SDK's logger middleware builds a redacted copy of every input and output for its logger
  // even when that logger is the default no-op one (≈10% of the server's CPU under load); we pass none.
  dynamodb.middlewareStack.remove("loggerMiddleware");
  const s3 = new S3Client({
    region: aws.region,
    // Otherwise presigned PUTs carry the CRC32 of an empty body, and S3 refuses every real upload.
    requestChecksumCalculation: "WHEN_REQUIRED",
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
    ...(aws.s3Endpoint ? { endpoint: aws.s3Endpoint, forcePathStyle: true } : {}),
  });
  if (options.createTable) await ensureTable(dynamodb, options.tableName);
  const probe = createStore(dynamodb, options.tableName, "native");
  const mode = await detectTransactionMode(probe.doc, options.tableName, options.transactions);
  const store = createStore(dynamodb, options.tableName, mode);
  if (mode === "emulated") {
    options.logger.info("DynamoDB endpoint has no transactions (dynalite): emulating them in this process");
  }
  return {
    store,
    s3,
    bucket: options.bucket,
    logger: options.logger,
    verifier: createJwtVerifier({ ...options.claims, keys: options.keys }),
    audit: batchedAuditSink(store),
    careTeam: cachedCareTeam((doctorId, patientId) => isCareTeam(store, doctorId, patientId)),
    patients: batchedPatientReader(store),
    uploadTtlSeconds: options.uploadTtlSeconds ?? 900,
    dynamodb,
    close() {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}

/** buildDeps(config): the only place that reads configuration into clients. */
export function buildDeps(config: PatientsConfig): Promise<PatientsDeps> {
  const logger = createLogger({ service: "patients", level: config.LOG_LEVEL });
  return createPatientsDeps({
    logger,
    aws: {
      region: config.AWS_REGION,
      dynamodbEndpoint: config.DYNAMODB_ENDPOINT,
      s3Endpoint: config.S3_ENDPOINT,
    },
    tableName: config.DYNAMODB_TABLE,
    bucket: config.LAB_BUCKET,
    transactions: config.transactions,
    createTable: config.createTable,
    keys: { jwksUrl: config.jwksUrl },
    claims: { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
  });
}
