/** Test helpers: a real s3rver on a free port, and a recording stand-in for the auth + patients APIs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "@carebridge/runtime";
import S3rver from "s3rver";
import type { NewLabResult } from "./patients-client.ts";

export const LOCAL_AWS = {
  region: "us-east-1",
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
} as const;

export interface LocalS3 {
  endpoint: string;
  s3: S3Client;
  stop(): Promise<void>;
}

/** s3rver on 127.0.0.1 (any free port) with `bucket`; ObjectCreated events go to `onObjectCreated`. */
export async function startLocalS3(
  bucket: string,
  onObjectCreated?: (event: S3Event) => void,
): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), "lab-results-s3-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", directory, silent: true });
  const { port } = await server.run();
  if (onObjectCreated) {
    server.on("event", (event: S3Event) => {
      if (event.Records.some((r) => r.eventName.startsWith("ObjectCreated"))) onObjectCreated(event);
    });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({ ...LOCAL_AWS, endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    s3,
    stop: async () => {
      s3.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An S3 ObjectCreated:Put event as Lambda receives it. */
export const putEvent = (bucket: string, key: string, size = 0): S3Event => ({
  Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: bucket }, object: { key, size } } }],
});

export const DEV_CLIENT = { clientId: "lab-results", clientSecret: "lab-results-dev-secret" };

/** A recorded lab result and the requests that carried it. */
export interface StoredResult extends NewLabResult {
  id: string;
}

/**
 * A small real HTTP server standing in for the auth token endpoint and the patients internal
 * endpoint: tokens are JWT-shaped with an `exp`, the lab-results endpoint is idempotent on reportId
 * like the contract says, and every request is recorded. `failNext` queues statuses to answer with.
 */
export function startFakeApis(options: { tokenTtlSeconds?: number } = {}) {
  const issued: string[] = [];
  const valid = new Set<string>();
  const posts: Array<{ patientId: string; token: string; body: NewLabResult }> = [];
  const results = new Map<string, StoredResult>();
  const failNext: Array<{ status: number; body?: unknown }> = [];
  let tokenFailures = 0;

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "POST" && url.pathname === "/api/auth/token") {
        if (tokenFailures > 0) {
          tokenFailures--;
          return Response.json({ title: "down" }, { status: 503 });
        }
        const creds = (await req.json()) as typeof DEV_CLIENT;
        if (creds.clientId !== DEV_CLIENT.clientId || creds.clientSecret !== DEV_CLIENT.clientSecret) {
          return Response.json({ title: "Unauthorized" }, { status: 401 });
        }
        const exp = Math.floor(Date.now() / 1000) + (options.tokenTtlSeconds ?? 900);
        const payload = Buffer.from(JSON.stringify({ sub: "lab-results", role: "service", exp })).toString(
          "base64url",
        );
        const token = `eyJhbGciOiJFZERTQSJ9.${payload}.sig${issued.length}`;
        issued.push(token);
        valid.add(token);
        return Response.json({ accessToken: token });
      }
      const m = /^\/api\/patients\/internal\/([^/]+)\/lab-results$/.exec(url.pathname);
      if (req.method === "POST" && m) {
        const token = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
        if (!valid.has(token)) return Response.json({ title: "Unauthorized", status: 401 }, { status: 401 });
        const body = (await req.json()) as NewLabResult;
        posts.push({ patientId: m[1]!, token, body });
        const failure = failNext.shift();
        if (failure) return Response.json(failure.body ?? { title: "failure" }, { status: failure.status });
        const existing = results.get(body.reportId);
        if (existing) return Response.json(existing, { status: 200 });
        const stored = { id: crypto.randomUUID(), ...body };
        results.set(body.reportId, stored);
        return Response.json(stored, { status: 201 });
      }
      return Response.json({ title: "Not Found" }, { status: 404 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    issued,
    posts,
    results,
    failNext,
    /** Every token issued so far stops working (the patients service answers 401). */
    revokeTokens: () => valid.clear(),
    failTokenRequests: (n: number) => {
      tokenFailures = n;
    },
    stop: () => server.stop(true),
  };
}

export type FakeApis = ReturnType<typeof startFakeApis>;
