import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDir, freePort, repoRoot, testPostgresUrl, waitForPort } from "@carebridge/testing";
import { startRealStack } from "./dev-real.ts";
import { runCareJourney } from "./testing/care-journey.ts";
import { fixtureDescriptor } from "./testing/fixture-service.ts";

const dataDir = mkdtempSync(join(tmpdir(), "carebridge-real-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const config = async () => ({
  PORT: freePort(),
  DATABASE_URL: await testPostgresUrl(),
  KAFKA_PORT: freePort(),
  KAFKA_CONTROLLER_PORT: freePort(),
  DYNAMODB_PORT: freePort(),
  S3_PORT: freePort(),
  DATA_DIR: dataDir,
  LOG_LEVEL: "silent",
});

const portOpen = (port: number) =>
  waitForPort(port, 300).then(
    () => true,
    () => false,
  );

describe("bun run dev:real", () => {
  test("starts PostgreSQL, a Kafka broker, DynamoDB Local, s3rver and each service as its own process behind the proxy", async () => {
    const cfg = await config();
    const stack = await startRealStack(cfg, [fixtureDescriptor]);
    try {
      const health = await (await fetch(`${stack.url}/api/health`)).json();
      expect(health).toMatchObject({
        status: "ok",
        mode: "real",
        components: {
          "event-log": { status: "up", kind: "kafka" },
          postgres: { status: "up", kind: "postgresql" },
          dynamodb: { status: "up", kind: "dynamodb-local" },
          s3: { status: "up", kind: "s3rver" },
          "service:fixture": { status: "up" },
        },
      });
      // The fixture runs as a process of its own, with a database the stack created for it.
      const echo = await (await fetch(`${stack.url}/api/fixture/echo?a=b`)).json();
      expect(echo).toEqual({ via: "process:db", method: "GET", query: "?a=b" });
    } finally {
      await stack.stop();
    }
    expect(await portOpen(cfg.KAFKA_PORT)).toBe(false);
    expect(await portOpen(cfg.PORT)).toBe(false);
  }, 180_000);

  test("every service runs as its own process over real Kafka: a patient's journey end to end; Ctrl-C stops everything", async () => {
    const cfg = await config();
    const proc = Bun.spawn(["bun", "run", "dev:real"], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, String(v)])),
        LOG_LEVEL: "warn",
      },
      // The stack's own output, for when the journey fails: .cache/test-logs/dev-real-stack.log.
      stdout: Bun.file(cacheDir("test-logs", "dev-real-stack.log")),
      stderr: "inherit",
    });
    try {
      await waitForPort(cfg.PORT, 150_000);
      const health = await fetch(`http://127.0.0.1:${cfg.PORT}/api/health`);
      expect(health.status).toBe(200);
      // First start: consumer groups join and the demo data travels over Kafka, hence the longer waits.
      await runCareJourney(`http://127.0.0.1:${cfg.PORT}`, { timeoutMs: 60_000 });
      proc.kill("SIGINT");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
    }
    expect(await portOpen(cfg.KAFKA_PORT)).toBe(false);
    expect(await portOpen(cfg.DYNAMODB_PORT)).toBe(false);
    expect(await portOpen(cfg.S3_PORT)).toBe(false);
  }, 420_000);
});
