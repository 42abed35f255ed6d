import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pino from "pino";
import { type EmbeddedStack, startEmbeddedStack } from "./dev-embedded.ts";
import { discoverServices } from "./service-registry.ts";

let stack: EmbeddedStack;
beforeAll(async () => {
  const auth = discoverServices().filter((s) => s.name === "auth");
  expect(auth.length).toBe(1);
  stack = await startEmbeddedStack({ port: 0, logger: pino({ level: "silent" }), services: auth });
}, 60_000);
afterAll(() => stack.stop());

const post = (path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("services/auth in the embedded stack", () => {
  test("health lists service:auth up", async () => {
    const res = await fetch(`${stack.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ components: { "service:auth": { status: "up" } } });
  });

  test("a seeded demo account signs in and reads /me", async () => {
    const res = await post("/api/auth/login", {
      email: "doctor.general@example.com",
      password: "demo-password-1",
    });
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = await fetch(`${stack.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(await me.json()).toMatchObject({ email: "doctor.general@example.com", role: "doctor" });
  });

  test("the dev lab-results client gets a service token", async () => {
    const res = await post("/api/auth/token", {
      clientId: "lab-results",
      clientSecret: "lab-results-dev-secret",
    });
    expect(res.status).toBe(200);
  });

  test("registering publishes user.registered on auth.users through the outbox relay", async () => {
    const res = await post("/api/auth/register", {
      email: "relay@example.com",
      password: "relay-password-1",
      name: "R",
    });
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: { id: string } };
    const seen: string[] = [];
    const consumer = await stack.eventLog.consume(
      { groupId: "auth-embedded-test", topics: ["auth.users"] },
      async (batch) => {
        for (const message of batch.messages) seen.push(message.key ?? "");
      },
    );
    const deadline = Date.now() + 5_000;
    while (!seen.includes(user.id) && Date.now() < deadline) await Bun.sleep(25);
    await consumer.stop();
    expect(seen).toContain(user.id);
  });
});
