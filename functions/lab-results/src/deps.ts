import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import pino, { type Logger } from "pino";
import type { LabResultsConfig } from "./config.ts";
import type { LabResultsDeps } from "./handler.ts";
import { createTokenProvider, type Fetch } from "./token-provider.ts";

/** An S3 client for AWS or a local endpoint (s3rver wants path-style addressing). */
export function createS3Client(s3: LabResultsConfig["s3"]): S3Client {
  return new S3Client({ ...s3, ...(s3.endpoint ? { forcePathStyle: true } : {}) });
}

/** buildDeps(config): the only place that constructs the function's clients. */
export function buildDeps(
  config: LabResultsConfig,
  overrides: { logger?: Logger; fetch?: Fetch; clock?: () => Date } = {},
): LabResultsDeps {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { service: "lab-results" } });
  const fetchFn: Fetch = overrides.fetch ?? ((url, init) => fetch(url, init));
  const clock = overrides.clock ?? (() => new Date());
  return {
    s3: createS3Client(config.s3),
    bucket: config.bucket,
    patientsUrl: config.patientsUrl,
    tokens: createTokenProvider({
      authUrl: config.authUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      fetch: fetchFn,
      clock,
    }),
    fetch: fetchFn,
    logger,
    clock,
  };
}

/** Readiness: throws unless the lab bucket answers. */
export async function checkBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));
}
