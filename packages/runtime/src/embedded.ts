import type { Database } from "@carebridge/db";
import type { EventLog } from "@carebridge/kafka";
import type { Logger } from "pino";
import type { S3Event } from "./s3-event.ts";

/** What the embedded stack hands each service's `embedded.ts` (everything in one process). */
export interface EmbeddedContext {
  logger: Logger;
  eventLog: EventLog;
  /** A PGlite database of the service's own, with the platform tables migrated. */
  openDatabase(name: string): Promise<Database>;
  aws: {
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    dynamodbEndpoint: string;
    s3Endpoint: string;
    labBucket: string;
  };
  /** Where the stack serves the API (for issuers, audiences and presigned URLs). */
  publicUrl: string;
  /** Calls the stack's own API in-process (e.g. a service fetching the JWKS). */
  fetch(request: Request): Promise<Response>;
}

/** What a service's `embedded.ts` returns. */
export interface EmbeddedService {
  fetch(request: Request): Response | Promise<Response>;
  /** Throws when the service is not ready (listed in /api/health). */
  check?(): Promise<void>;
  /** For functions triggered by S3 (the lab-results Lambda). */
  onS3ObjectCreated?(event: S3Event): Promise<void>;
  stop(): Promise<void>;
}

/** A service's `embedded.ts` default export. */
export type EmbeddedFactory = (ctx: EmbeddedContext) => Promise<EmbeddedService>;
