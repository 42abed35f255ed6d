import { mkdirSync } from "node:fs";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "@carebridge/runtime";
import { startDynamoDbLocal } from "@carebridge/testing";
import dynalite from "dynalite";
import S3rver from "s3rver";

/** Credentials the local DynamoDB and S3 accept (they check the signature's shape, not the secret). */
export const LOCAL_AWS = {
  region: "us-east-1",
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
} as const;

export interface LocalComponent {
  endpoint: string;
  /** Throws unless the component answers a real request. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/** dynalite (DynamoDB on LevelDB in memory) on 127.0.0.1:port (0 = any free port). */
export async function startDynalite(port: number): Promise<LocalComponent> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  return {
    endpoint,
    check: async () => {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    },
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Amazon DynamoDB Local (native TransactWriteItems; jars from Maven Central) on 127.0.0.1:port,
 * its data kept under `dataDir`. A watchdog stops it if this process dies without stopping it.
 */
export async function startDynamoDbLocalComponent(options: {
  port: number;
  dataDir: string;
}): Promise<LocalComponent> {
  const server = await startDynamoDbLocal({ port: options.port, dataDir: options.dataDir, watchdog: true });
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: server.endpoint });
  return {
    endpoint: server.endpoint,
    check: async () => {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    },
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

/**
 * s3rver (S3 on the file system) on 127.0.0.1:port, with the given buckets. Every object created
 * is passed to `onObjectCreated` (the local stand-in for S3 → Lambda notifications).
 */
export async function startS3rver(options: {
  port: number;
  directory: string;
  buckets: Array<{ name: string; corsOrigins?: string[] }>;
  onObjectCreated?: (event: S3Event) => void;
}): Promise<LocalComponent> {
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    port: options.port,
    address: "127.0.0.1",
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((b) => ({
      name: b.name,
      configs: b.corsOrigins ? [corsConfig(b.corsOrigins)] : [],
    })),
  });
  const { port } = await server.run();
  if (options.onObjectCreated) {
    const handler = options.onObjectCreated;
    server.on("event", (event: S3Event) => {
      if (event.Records.some((r) => r.eventName.startsWith("ObjectCreated"))) handler(event);
    });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ ...LOCAL_AWS, endpoint, forcePathStyle: true });
  const firstBucket = options.buckets[0]?.name;
  return {
    endpoint,
    check: async () => {
      if (firstBucket) await client.send(new HeadBucketCommand({ Bucket: firstBucket }));
    },
    stop: async () => {
      client.destroy();
      await server.close();
    },
  };
}

/** Lets the portal's origin PUT to presigned URLs from the browser. */
function corsConfig(origins: string[]): string {
  const rules = origins
    .map(
      (origin) =>
        `<CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>`,
    )
    .join("");
  return `<CORSConfiguration>${rules}</CORSConfiguration>`;
}
