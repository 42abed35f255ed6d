/**
 * `bun run dev`: the embedded stack, in one process, needing nothing but Bun. PGlite for each
 * service database, dynalite for DynamoDB, s3rver for S3 (its ObjectCreated events invoke the
 * functions in-process), the in-memory event log with Kafka semantics, every service mounted
 * under /api on PORT. Everything lives in memory / a temp dir and is seeded on each start.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, migratePlatform, openPglite } from "@carebridge/db";
import { contractTopicConfigs, type EventLog, memoryEventLog } from "@carebridge/kafka";
import {
  demoAccountsTable,
  type EmbeddedContext,
  type EmbeddedFactory,
  type EmbeddedService,
  type S3Event,
} from "@carebridge/runtime";
import pino, { type Logger } from "pino";
import { LOCAL_AWS, type LocalComponent, startDynalite, startS3rver } from "./aws-local.ts";
import { type ComponentCheck, stackHealth } from "./health.ts";
import { discoverServices, type ServiceDescriptor } from "./service-registry.ts";

export const LAB_BUCKET = "carebridge-lab-reports";

export interface EmbeddedStack {
  url: string;
  services: string[];
  eventLog: EventLog;
  stop(): Promise<void>;
}

/** Starts the embedded stack; `port: 0` picks a free port (tests). */
export async function startEmbeddedStack(options: {
  port: number;
  logger: Logger;
  services?: ServiceDescriptor[];
}): Promise<EmbeddedStack> {
  const { logger } = options;
  const descriptors = (options.services ?? discoverServices()).filter((s) => s.embedded);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const pending = stops.splice(0).reverse();
    for (const stop of pending) await stop().catch((err) => logger.warn({ err }, "stop failed"));
  };

  try {
    // Stopped in reverse: services, then the event log (its consumers), then the databases.
    const databases = new Map<string, Database>();
    stops.push(async () => {
      for (const db of databases.values()) await db.close();
    });
    const eventLog = memoryEventLog();
    await eventLog.createTopics(contractTopicConfigs());
    stops.push(() => eventLog.close());
    const openDatabase = async (name: string) => {
      const database = await openPglite();
      await migratePlatform(database);
      databases.set(name, database);
      return database;
    };

    const dynamodb = await startDynalite(0);
    stops.push(() => dynamodb.stop());
    const s3Dir = mkdtempSync(join(tmpdir(), "carebridge-s3-"));
    stops.push(async () => rmSync(s3Dir, { recursive: true, force: true }));
    const mounted: Array<{ descriptor: ServiceDescriptor; service: EmbeddedService }> = [];
    const onObjectCreated = (event: S3Event) => {
      for (const { descriptor, service } of mounted) {
        service
          .onS3ObjectCreated?.(event)
          .catch((err) => logger.error({ err, fn: descriptor.name }, "S3 trigger failed"));
      }
    };
    // The portal is served from the same origin; presigned uploads come from it.
    const server = Bun.serve({ port: options.port, hostname: "0.0.0.0", fetch: (req) => route(req) });
    stops.push(async () => {
      await server.stop();
    });
    const publicUrl = `http://localhost:${server.port}`;
    const s3 = await startS3rver({
      port: 0,
      directory: s3Dir,
      buckets: [{ name: LAB_BUCKET, corsOrigins: [publicUrl, "http://localhost:5173"] }],
      onObjectCreated,
    });
    stops.push(() => s3.stop());

    const context: EmbeddedContext = {
      logger,
      eventLog,
      openDatabase,
      aws: {
        ...LOCAL_AWS,
        dynamodbEndpoint: dynamodb.endpoint,
        s3Endpoint: s3.endpoint,
        labBucket: LAB_BUCKET,
      },
      publicUrl,
      fetch: async (request) => route(request),
    };

    for (const descriptor of descriptors) {
      const factory = (await import(descriptor.embedded)).default as EmbeddedFactory;
      const service = await factory({ ...context, logger: logger.child({ service: descriptor.name }) });
      stops.push(() => service.stop());
      mounted.push({ descriptor, service });
    }

    const checks: Record<string, ComponentCheck> = {
      "event-log": async () => {
        await eventLog.ping();
        return { kind: "in-memory" };
      },
      postgres: async () => {
        for (const db of databases.values()) await db.query((await import("drizzle-orm")).sql`SELECT 1`);
        return { kind: "pglite", databases: [...databases.keys()] };
      },
      dynamodb: componentCheck(dynamodb, "dynalite"),
      s3: componentCheck(s3, "s3rver"),
    };
    for (const { descriptor, service } of mounted) {
      checks[`${descriptor.kind}:${descriptor.name}`] = async () => {
        await service.check?.();
        return undefined;
      };
    }

    async function route(request: Request): Promise<Response> {
      const { pathname } = new URL(request.url);
      if (pathname === "/api/health") return stackHealth("embedded", checks);
      const target = mounted.find(({ descriptor }) =>
        descriptor.prefixes.some((p) => pathname === p || pathname.startsWith(`${p}/`)),
      );
      if (target) return target.service.fetch(request);
      return problem(404, "not-found", "Not Found", `No route for ${request.method} ${pathname}`);
    }

    logger.info({ url: publicUrl, services: mounted.map((m) => m.descriptor.name) }, "embedded stack up");
    return { url: publicUrl, services: mounted.map((m) => m.descriptor.name), eventLog, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function componentCheck(component: LocalComponent, kind: string): ComponentCheck {
  return async () => {
    await component.check();
    return { kind, endpoint: component.endpoint };
  };
}

export function problem(status: number, code: string, title: string, detail: string): Response {
  return Response.json(
    { type: `https://carebridge.dev/problems/${code}`, title, status, detail },
    { status, headers: { "content-type": "application/problem+json" } },
  );
}

if (import.meta.main) {
  const logger = pino({ level: process.env.LOG_LEVEL ?? "info" });
  const stack = await startEmbeddedStack({ port: Number(process.env.PORT ?? 8080), logger });
  console.log(`Carebridge (embedded) on ${stack.url} — services: ${stack.services.join(", ") || "none yet"}`);
  console.log(`Health: ${stack.url}/api/health`);
  console.log(demoAccountsTable(stack.services.includes("auth")));
  const shutdown = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
