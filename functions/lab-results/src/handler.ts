import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { uuid } from "@carebridge/contracts";
import type { S3Event } from "@carebridge/runtime";
import type { Logger } from "pino";
import { parseLabReport } from "./parser.ts";
import { postLabResult } from "./patients-client.ts";
import { extractPdfText, hasPdfMagic } from "./pdf-text.ts";
import { QUARANTINE_PREFIX, quarantineObject } from "./quarantine.ts";
import type { Fetch, TokenProvider } from "./token-provider.ts";

/** Largest lab report accepted (the upload URL allows the same). */
export const MAX_REPORT_BYTES = 10 * 1024 * 1024;
/** A report collected more than this after it was received is wrong (clock skew aside). */
const FUTURE_SLACK_MS = 5 * 60 * 1000;

/** What the handler needs; built by deps.ts (Lambda, local invoker) or embedded.ts. */
export interface LabResultsDeps {
  s3: S3Client;
  /** Only objects of this bucket are processed (null: any bucket the trigger names). */
  bucket: string | null;
  patientsUrl: string;
  tokens: TokenProvider;
  fetch: Fetch;
  logger: Logger;
  clock: () => Date;
  maxBytes?: number;
}

/** What happened to one S3 record. */
export type RecordOutcome =
  | { outcome: "recorded"; bucket: string; key: string; labResultId: string | null }
  | { outcome: "quarantined"; bucket: string; key: string; reason: string }
  | { outcome: "skipped"; bucket: string; key: string; reason: string };

type S3Record = S3Event["Records"][number];

/** `patients/{patientId}/{reportId}.pdf`: the key the upload URL issues (authoritative for the patient). */
const KEY = /^patients\/([^/]+)\/([^/]+)\.pdf$/;

/** The key's ids, or null when the key is not one the upload URL issues. */
export function parseReportKey(key: string): { patientId: string; reportId: string } | null {
  const m = KEY.exec(key);
  if (!m || !uuid.safeParse(m[1]).success || !uuid.safeParse(m[2]).success) return null;
  return { patientId: m[1]!, reportId: m[2]! };
}

/** S3 notifications carry keys URL-encoded with `+` for spaces. */
export function decodeS3Key(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

/**
 * The S3 ObjectCreated handler: each lab report PDF becomes a lab result posted to the patients
 * service, or is moved under `quarantine/` with the reason. Transient failures (S3, auth, patients
 * 5xx, network) throw after every record was tried, so the invocation is retried; a rerun is safe
 * (the internal endpoint is idempotent on reportId; a moved object is skipped).
 */
export function createLabResultsHandler(deps: LabResultsDeps): (event: S3Event) => Promise<RecordOutcome[]> {
  const maxBytes = deps.maxBytes ?? MAX_REPORT_BYTES;

  async function processRecord(record: S3Record): Promise<RecordOutcome> {
    const bucket = record.s3.bucket.name;
    const key = decodeS3Key(record.s3.object.key);
    const skip = (reason: string): RecordOutcome => ({ outcome: "skipped", bucket, key, reason });
    const quarantine = async (reason: string): Promise<RecordOutcome> => {
      await quarantineObject(deps.s3, { bucket, key, reason, now: deps.clock() });
      return { outcome: "quarantined", bucket, key, reason };
    };

    if (!record.eventName.startsWith("ObjectCreated"))
      return skip(`not an ObjectCreated event (${record.eventName})`);
    if (deps.bucket !== null && bucket !== deps.bucket) return skip("not the lab bucket");
    // Our own quarantine copies and sidecars trigger events too.
    if (key.startsWith(QUARANTINE_PREFIX)) return skip("already in quarantine");
    const ids = parseReportKey(key);
    if (!ids) return quarantine("key is not patients/{patientId}/{reportId}.pdf");

    const head = await deps.s3
      .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      .catch(notFoundAsNull);
    if (!head) return skip("object no longer exists (processed or moved by an earlier run)");
    const size = head.ContentLength ?? 0;
    if (size === 0) return quarantine("empty file");
    if (size > maxBytes) return quarantine(`file too large (${size} bytes; limit ${maxBytes})`);

    const object = await deps.s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: head.ETag }))
      .catch(notFoundAsNull);
    if (!object?.Body) return skip("object no longer exists (processed or moved by an earlier run)");
    const bytes = await object.Body.transformToByteArray();
    if (bytes.length > maxBytes)
      return quarantine(`file too large (${bytes.length} bytes; limit ${maxBytes})`);
    if (!hasPdfMagic(bytes)) return quarantine("not a PDF (no %PDF- header)");

    const extracted = await extractPdfText(bytes);
    if (!extracted.ok) return quarantine(extracted.reason);
    const parsed = parseLabReport(extracted.text);
    if (!parsed.ok) return quarantine(`unparseable report: ${parsed.reason}`);
    const report = parsed.value;
    if (report.patientId !== null && report.patientId !== ids.patientId.toLowerCase()) {
      return quarantine("Patient ID in the report does not match the patient of the upload");
    }
    const receivedAt = utc(head.LastModified ?? deps.clock());
    if (Date.parse(report.collectedAt) > Date.parse(receivedAt) + FUTURE_SLACK_MS) {
      return quarantine(`Collected date ${report.collectedAt} is after the report was received`);
    }

    const posted = await postLabResult(deps, {
      reportId: ids.reportId,
      patientId: ids.patientId,
      collectedAt: report.collectedAt,
      receivedAt,
      analytes: report.analytes,
    });
    switch (posted.kind) {
      case "recorded":
        return { outcome: "recorded", bucket, key, labResultId: posted.labResultId };
      case "rejected":
        return quarantine(`patients service rejected the result (${posted.status}): ${posted.detail}`);
      default:
        return posted satisfies never;
    }
  }

  return async (event) => {
    const outcomes: RecordOutcome[] = [];
    const failures: unknown[] = [];
    for (const record of event.Records ?? []) {
      const key = record.s3?.object?.key;
      try {
        const outcome = await processRecord(record);
        outcomes.push(outcome);
        const level = outcome.outcome === "quarantined" ? "warn" : "info";
        deps.logger[level]({ ...outcome }, `lab report ${outcome.outcome}`);
      } catch (err) {
        deps.logger.error({ err, key }, "lab report processing failed; the invocation will be retried");
        failures.push(err);
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} of ${event.Records.length} lab reports failed`);
    }
    return outcomes;
  };
}

function notFoundAsNull(error: unknown): null {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404) return null;
  throw error;
}

const utc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

let lambda: ((event: S3Event) => Promise<RecordOutcome[]>) | undefined;

/** The AWS Lambda entry point: configuration from the environment, clients built on first use. */
export const handler = async (event: S3Event): Promise<RecordOutcome[]> => {
  if (!lambda) {
    const [{ loadConfig }, { buildDeps }] = await Promise.all([import("./config.ts"), import("./deps.ts")]);
    lambda = createLabResultsHandler(buildDeps(loadConfig()));
  }
  return lambda(event);
};
