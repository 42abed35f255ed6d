/**
 * `bun run dev:real`: the real local stack. A PostgreSQL server (DATABASE_URL, else one running on
 * 127.0.0.1:5432, else a throwaway cluster under .data/), an Apache Kafka broker in KRaft mode from
 * Maven Central jars, Amazon DynamoDB Local from Maven Central jars (data under DATA_DIR/dynamodb;
 * real TransactWriteItems), s3rver; every service in its own process; a small proxy on PORT
 * routing /api/<prefix> to the owning service. Ctrl-C stops everything it started.
 *
 * Env: PORT (8080), DATABASE_URL, KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
 * DYNAMODB_PORT (8000), S3_PORT (4569), DATA_DIR (.data/real), LOG_LEVEL.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { env, parseConfig } from "@carebridge/config";
import { connectPostgres } from "@carebridge/db";
import { contractTopicConfigs, kafkaEventLog } from "@carebridge/kafka";
import { demoAccountsTable } from "@carebridge/runtime";
import {
  clusterDir,
  findRunningPostgres,
  freePort,
  repoRoot,
  startKafkaBroker,
  startPostgresServer,
  waitForPort,
} from "@carebridge/testing";
import { sql } from "drizzle-orm";
import pino from "pino";
import { z } from "zod";
import { LOCAL_AWS, startDynamoDbLocalComponent, startS3rver } from "./aws-local.ts";
import { LAB_BUCKET, problem } from "./dev-embedded.ts";
import { type ComponentCheck, stackHealth } from "./health.ts";
import { discoverServices, type ServiceDescriptor } from "./service-registry.ts";

const configSchema = z.object({
  PORT: env.port(8080),
  DATABASE_URL: z.string().optional(),
  KAFKA_PORT: env.port(9092),
  KAFKA_CONTROLLER_PORT: env.port(9093),
  DYNAMODB_PORT: env.port(8000),
  S3_PORT: env.port(4569),
  DATA_DIR: z.string().default(join(repoRoot(), ".data", "real")),
  LOG_LEVEL: z.string().default("info"),
});
export type RealStackConfig = z.infer<typeof configSchema>;

export interface RealStack {
  url: string;
  services: string[];
  stop(): Promise<void>;
}

/** Starts the real stack with the given configuration (see the module comment). */
export async function startRealStack(
  config: RealStackConfig,
  services: ServiceDescriptor[] = discoverServices(),
): Promise<RealStack> {
  const logger = pino({ level: config.LOG_LEVEL });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const pending = stops.splice(0).reverse();
    for (const stop of pending) await stop().catch((err) => logger.warn({ err }, "stop failed"));
  };
  try {
    mkdirSync(config.DATA_DIR, { recursive: true });
    let postgresUrl = config.DATABASE_URL ?? (await findRunningPostgres());
    if (!postgresUrl) {
      const server = await startPostgresServer({
        dataDir: clusterDir("real-postgres", join(config.DATA_DIR, "postgres")),
      });
      stops.push(() => server.stop());
      postgresUrl = server.url;
    }
    const admin = await connectPostgres(postgresUrl, { max: 2, applicationName: "carebridge-stack" });
    stops.push(() => admin.close());

    // The two JVMs start in parallel; whichever came up is stopped if the other fails.
    const [kafkaStart, dynamoStart] = await Promise.allSettled([
      startKafkaBroker({
        dataDir: join(config.DATA_DIR, "kafka"),
        port: config.KAFKA_PORT,
        controllerPort: config.KAFKA_CONTROLLER_PORT,
      }),
      startDynamoDbLocalComponent({ port: config.DYNAMODB_PORT, dataDir: join(config.DATA_DIR, "dynamodb") }),
    ]);
    for (const s of [kafkaStart, dynamoStart]) if (s.status === "fulfilled") stops.push(() => s.value.stop());
    if (kafkaStart.status === "rejected") throw kafkaStart.reason;
    if (dynamoStart.status === "rejected") throw dynamoStart.reason;
    const broker = kafkaStart.value;
    const dynamodb = dynamoStart.value;
    const eventLog = kafkaEventLog({ brokers: broker.brokers, clientId: "carebridge-stack", logger });
    stops.push(() => eventLog.close());
    await eventLog.createTopics(contractTopicConfigs());

    const publicUrl = `http://localhost:${config.PORT}`;
    const s3 = await startS3rver({
      port: config.S3_PORT,
      directory: join(config.DATA_DIR, "s3"),
      buckets: [{ name: LAB_BUCKET, corsOrigins: [publicUrl, "http://localhost:5173"] }],
      // The local stand-in for S3 → Lambda: POST the event to each function's local invoker.
      onObjectCreated: (event) => {
        for (const fn of running.filter((r) => r.descriptor.kind === "function")) {
          fetch(`http://127.0.0.1:${fn.port}/invoke`, { method: "POST", body: JSON.stringify(event) }).catch(
            (err) => logger.error({ err, fn: fn.descriptor.name }, "S3 trigger failed"),
          );
        }
      },
    });
    stops.push(() => s3.stop());

    const running: Array<{
      descriptor: ServiceDescriptor;
      port: number;
      proc: ReturnType<typeof Bun.spawn>;
    }> = [];
    for (const descriptor of services) {
      const port = freePort();
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        KAFKA_BROKERS: broker.brokers.join(","),
        AWS_REGION: LOCAL_AWS.region,
        AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
        DYNAMODB_ENDPOINT: dynamodb.endpoint,
        S3_ENDPOINT: s3.endpoint,
        LAB_BUCKET,
        SEED_DEMO: "true",
        LOG_LEVEL: config.LOG_LEVEL,
      };
      if (descriptor.database === "postgres") {
        const name = `carebridge_${descriptor.name.replaceAll("-", "_")}`;
        const exists = await admin.query(sql`SELECT 1 FROM pg_database WHERE datname = ${name}`);
        if (exists.length === 0) await admin.query(sql.raw(`CREATE DATABASE ${name}`));
        const url = new URL(postgresUrl);
        url.pathname = `/${name}`;
        env.DATABASE_URL = url.toString();
      }
      const proc = Bun.spawn(["bun", descriptor.main], {
        cwd: descriptor.dir,
        env,
        stdout: "inherit",
        stderr: "inherit",
      });
      stops.push(async () => {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await proc.exited;
        clearTimeout(timer);
      });
      running.push({ descriptor, port, proc });
    }
    await Promise.all(running.map((r) => waitForPort(r.port, 60_000)));

    const checks: Record<string, ComponentCheck> = {
      "event-log": async () => {
        await eventLog.ping();
        return { kind: "kafka", brokers: broker.brokers };
      },
      postgres: async () => {
        await admin.query(sql`SELECT 1`);
        return { kind: "postgresql", url: redact(postgresUrl) };
      },
      dynamodb: async () => {
        await dynamodb.check();
        return { kind: "dynamodb-local", endpoint: dynamodb.endpoint };
      },
      s3: async () => {
        await s3.check();
        return { kind: "s3rver", endpoint: s3.endpoint };
      },
    };
    for (const r of running) {
      checks[`${r.descriptor.kind}:${r.descriptor.name}`] = async () => {
        const res = await fetch(`http://127.0.0.1:${r.port}/readyz`);
        if (!res.ok) throw new Error(`readyz answered ${res.status}`);
        return { port: r.port };
      };
    }

    const proxy = Bun.serve({
      port: config.PORT,
      hostname: "0.0.0.0",
      async fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === "/api/health") return stackHealth("real", checks);
        const target = running.find((r) =>
          r.descriptor.prefixes.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`)),
        );
        if (!target)
          return problem(404, "not-found", "Not Found", `No route for ${request.method} ${url.pathname}`);
        const upstream = new URL(url.pathname + url.search, `http://127.0.0.1:${target.port}`);
        const headers = new Headers(request.headers);
        headers.set("x-forwarded-host", url.host);
        try {
          return await fetch(upstream, {
            method: request.method,
            headers,
            body: request.body,
            redirect: "manual",
          });
        } catch (err) {
          logger.warn({ err, service: target.descriptor.name }, "upstream unavailable");
          return problem(502, "bad-gateway", "Bad Gateway", `${target.descriptor.name} is not answering`);
        }
      },
    });
    stops.push(async () => {
      await proxy.stop();
    });
    const url = `http://localhost:${proxy.port}`;
    return { url, services: running.map((r) => r.descriptor.name), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@");

if (import.meta.main) {
  const config = parseConfig(configSchema);
  const stack = await startRealStack(config);
  console.log(`Carebridge (real) on ${stack.url} — services: ${stack.services.join(", ") || "none yet"}`);
  console.log(`Health: ${stack.url}/api/health`);
  console.log(demoAccountsTable(stack.services.includes("auth")));
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("stopping…");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
