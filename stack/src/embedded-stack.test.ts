import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pino from "pino";
import { type EmbeddedStack, startEmbeddedStack } from "./dev-embedded.ts";
import { fixtureDescriptor } from "./testing/fixture-service.ts";

let stack: EmbeddedStack;
beforeAll(async () => {
  stack = await startEmbeddedStack({
    port: 0,
    logger: pino({ level: "silent" }),
    services: [fixtureDescriptor],
  });
});
afterAll(() => stack.stop());

describe("bun run dev (embedded stack)", () => {
  test("GET /api/health lists every component, each answering a real request", async () => {
    const res = await fetch(`${stack.url}/api/health`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      status: "ok",
      mode: "embedded",
      components: {
        "event-log": { status: "up", kind: "in-memory" },
        postgres: { status: "up", kind: "pglite" },
        dynamodb: { status: "up", kind: "dynalite" },
        s3: { status: "up", kind: "s3rver" },
        "service:fixture": { status: "up" },
      },
    });
  });

  test("the contract's topics and their DLQ twins exist in the event log", async () => {
    for (const topic of [
      "auth.users",
      "appointments",
      "appointments.dlq",
      "billing.invoices",
      "analytics.late-events",
    ]) {
      expect((await stack.eventLog.endOffsets(topic)).size).toBeGreaterThan(0);
    }
  });

  test("requests reach the service that owns the prefix; other paths get a problem+json 404", async () => {
    const echo = await fetch(`${stack.url}/api/fixture/echo?x=1`);
    expect(await echo.json()).toEqual({ via: "embedded", method: "GET", query: "?x=1" });
    const missing = await fetch(`${stack.url}/api/nowhere`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect((await missing.json()).status).toBe(404);
  });
});
