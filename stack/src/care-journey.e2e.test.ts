import { afterAll, beforeAll, expect, test } from "bun:test";
import pino from "pino";
import { type EmbeddedStack, startEmbeddedStack } from "./dev-embedded.ts";
import { runCareJourney } from "./testing/care-journey.ts";

let stack: EmbeddedStack;
beforeAll(async () => {
  stack = await startEmbeddedStack({ port: 0, logger: pino({ level: "silent" }) });
}, 120_000);
afterAll(() => stack?.stop());

test("bun run dev mounts every service and function, all healthy", async () => {
  const res = await fetch(`${stack.url}/api/health`);
  expect(res.status).toBe(200);
  const { components } = (await res.json()) as { components: Record<string, { status: string }> };
  for (const name of [
    "service:auth",
    "service:patients",
    "service:appointments",
    "service:billing",
    "function:lab-results",
  ]) {
    expect(components[name]).toMatchObject({ status: "up" });
  }
});

test("a patient's journey through every service of the embedded stack", async () => {
  await runCareJourney(stack.url);
}, 120_000);
