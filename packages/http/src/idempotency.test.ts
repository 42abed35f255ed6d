import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { createHttpApp } from "./app.ts";
import { serviceUnavailable } from "./errors.ts";
import { idempotency } from "./idempotency.ts";
import { type IdempotencyStore, memoryIdempotencyStore } from "./idempotency-store.ts";
import { invalidToken, type JwtVerifier } from "./jwt-verifier.ts";
import { requireAuth } from "./require-auth.ts";
import { captureLogger } from "./test-support.ts";

const verifier: JwtVerifier = {
  async verify(token) {
    if (!token.startsWith("user-")) throw invalidToken("test");
    return { userId: token, role: "patient", tokenId: "t" };
  },
};

function buildApp(store: IdempotencyStore = memoryIdempotencyStore()) {
  const calls = { book: 0, flaky: 0, thrower: 0 };
  let gate: Promise<void> = Promise.resolve();
  let entered: () => void = () => {};
  const app = createHttpApp({ service: "test", logger: captureLogger().logger });
  app.use("/api/*", requireAuth(verifier));
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/appointments",
      middleware: [idempotency(store, { required: true })] as const,
      request: {
        body: {
          required: true,
          content: { "application/json": { schema: z.object({ start: z.string() }) } },
        },
      },
      responses: { 201: { description: "booked" } },
    }),
    async (c) => {
      entered();
      await gate;
      calls.book++;
      const id = `appt-${calls.book}`;
      c.header("Location", `/api/appointments/${id}`);
      c.header("X-Not-Replayed", "x");
      return c.json({ id, start: c.req.valid("json").start }, 201);
    },
  );
  app.post("/api/flaky", idempotency(store), (c) => {
    calls.flaky++;
    return calls.flaky === 1 ? c.json({ error: "upstream" }, 502) : c.json({ n: calls.flaky }, 201);
  });
  app.post("/api/thrower", idempotency(store), (c) => {
    calls.thrower++;
    if (calls.thrower === 1) throw serviceUnavailable("try again");
    return c.json({ n: calls.thrower }, 201);
  });
  app.post("/api/optional", idempotency(store), (c) => c.json({ n: ++calls.book }, 201));
  /** Holds the booking handler; resolves `inHandler` once a request is inside it. */
  const hold = () => {
    let open = () => {};
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const release = () => {
      open();
      gate = Promise.resolve();
    };
    return { release, inHandler };
  };
  return { app, calls, hold };
}

function post(path: string, body: unknown, opts: { key?: string; user?: string } = {}) {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Authorization: `Bearer ${opts.user ?? "user-a"}`,
  };
  if (opts.key !== undefined) headers["Idempotency-Key"] = opts.key;
  return new Request(`http://localhost${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

const booking = { start: "2026-11-23T09:00:00Z" };

describe("Idempotency-Key", () => {
  test("a repeat with the same key and body replays the first response", async () => {
    const { app, calls } = buildApp();
    const first = await app.request(post("/api/appointments", booking, { key: "k-1" }));
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await app.request(post("/api/appointments", booking, { key: "k-1" }));
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("location")).toBe("/api/appointments/appt-1");
    expect(second.headers.get("content-type")).toContain("application/json");
    expect(second.headers.get("x-not-replayed")).toBeNull();
    expect(await second.json()).toEqual(await first.json());
    expect(calls.book).toBe(1);
  });

  test("the same key with a different body is 422", async () => {
    const { app, calls } = buildApp();
    await app.request(post("/api/appointments", booking, { key: "k-1" }));
    const res = await app.request(
      post("/api/appointments", { start: "2026-11-24T09:00:00Z" }, { key: "k-1" }),
    );
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { type: string }).type).toBe(
      "https://carebridge.dev/problems/idempotency-key-reused",
    );
    expect(calls.book).toBe(1);
  });

  test("the same key while the first request runs is 409; the first still completes", async () => {
    const { app, calls, hold } = buildApp();
    const { release, inHandler } = hold();
    const first = app.request(post("/api/appointments", booking, { key: "k-1" }));
    await inHandler;
    const second = await app.request(post("/api/appointments", booking, { key: "k-1" }));
    expect(second.status).toBe(409);
    expect(second.headers.get("retry-after")).toBe("1");
    release();
    expect((await first).status).toBe(201);
    expect(calls.book).toBe(1);
  });

  test("a 5xx response releases the key so a retry runs again", async () => {
    const { app, calls } = buildApp();
    expect((await app.request(post("/api/flaky", {}, { key: "k" }))).status).toBe(502);
    const retry = await app.request(post("/api/flaky", {}, { key: "k" }));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(calls.flaky).toBe(2);
  });

  test("a thrown error releases the key", async () => {
    const { app, calls } = buildApp();
    expect((await app.request(post("/api/thrower", {}, { key: "k" }))).status).toBe(503);
    expect((await app.request(post("/api/thrower", {}, { key: "k" }))).status).toBe(201);
    expect(calls.thrower).toBe(2);
  });

  test("a validation failure does not burn the key", async () => {
    const { app, calls } = buildApp();
    expect((await app.request(post("/api/appointments", { start: 42 }, { key: "k" }))).status).toBe(400);
    expect((await app.request(post("/api/appointments", booking, { key: "k" }))).status).toBe(201);
    expect(calls.book).toBe(1);
  });

  test("anonymous callers never get each other's stored response", async () => {
    const app = createHttpApp({ service: "test", logger: captureLogger().logger });
    let n = 0;
    app.post("/open/register", idempotency(memoryIdempotencyStore()), async (c) =>
      c.json({ n: ++n, you: (await c.req.json()).email }, 201),
    );
    const post = (email: string) =>
      app.request("/open/register", {
        method: "POST",
        headers: { "Idempotency-Key": "same-key", "content-type": "application/json" },
        body: JSON.stringify({ email }),
      });
    const alice = await (await post("alice@example.com")).json();
    const bob = await post("bob@example.com");
    expect(bob.status).toBe(201); // not a replay of Alice's response, and not a 422 either
    expect(bob.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await bob.json()).toEqual({ n: 2, you: "bob@example.com" });
    expect(alice).toEqual({ n: 1, you: "alice@example.com" });
  });

  test("keys are scoped per caller", async () => {
    const { app, calls } = buildApp();
    await app.request(post("/api/appointments", booking, { key: "shared", user: "user-a" }));
    const other = await app.request(post("/api/appointments", booking, { key: "shared", user: "user-b" }));
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(calls.book).toBe(2);
  });

  test("keys are scoped per path", async () => {
    const { app, calls } = buildApp();
    await app.request(post("/api/appointments", booking, { key: "k" }));
    const res = await app.request(post("/api/optional", booking, { key: "k" }));
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(calls.book).toBe(2);
  });

  test("a missing key is 400 where the route requires one", async () => {
    const { app, calls } = buildApp();
    const res = await app.request(post("/api/appointments", booking));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { type: string }).type).toBe(
      "https://carebridge.dev/problems/idempotency-key-required",
    );
    expect(calls.book).toBe(0);
  });

  test("without a key an optional route simply runs", async () => {
    const { app, calls } = buildApp();
    await app.request(post("/api/optional", booking));
    await app.request(post("/api/optional", booking));
    expect(calls.book).toBe(2);
  });

  test.each([
    ["256 characters", "k".repeat(256)],
    ["a control character", "a\tb"],
    ["a non-ASCII character", "caf\u00e9"],
  ])("a key with %s is 400", async (_, key) => {
    const { app, calls } = buildApp();
    const res = await app.request(post("/api/appointments", booking, { key }));
    expect(res.status).toBe(400);
    expect(calls.book).toBe(0);
  });

  test("255 printable characters are a valid key", async () => {
    const { app } = buildApp();
    expect((await app.request(post("/api/appointments", booking, { key: "k ~".repeat(85) }))).status).toBe(
      201,
    );
  });
});

describe("memoryIdempotencyStore", () => {
  const response = { status: 201, headers: {}, body: "{}" };
  const ownerOf = (result: { state: string; owner?: string }) => {
    expect(result.state).toBe("reserved");
    return result.owner!;
  };

  test("a completed record lives for the TTL given at completion", async () => {
    let t = 1_000;
    const store = memoryIdempotencyStore({ now: () => t });
    const owner = ownerOf(await store.reserve("s", "f", 100));
    t += 90;
    await store.complete("s", owner, response, 100);
    t += 90;
    expect(await store.reserve("s", "f", 100)).toMatchObject({ state: "completed", response });
    t += 11;
    expect((await store.reserve("s", "f", 100)).state).toBe("reserved");
  });

  test("an abandoned reservation frees the key when its lease runs out", async () => {
    let t = 0;
    const store = memoryIdempotencyStore({ now: () => t });
    await store.reserve("s", "f", 50);
    expect(await store.reserve("s", "g", 50)).toEqual({ state: "in-progress", fingerprint: "f" });
    t = 50;
    expect((await store.reserve("s", "g", 50)).state).toBe("reserved");
  });

  test("only the owner completes or releases; a late finisher cannot touch a taken-over key", async () => {
    let t = 0;
    const store = memoryIdempotencyStore({ now: () => t });
    const slow = ownerOf(await store.reserve("s", "f", 10));
    t = 10;
    const retry = ownerOf(await store.reserve("s", "g", 10));
    await store.complete("s", slow, { ...response, body: "slow" }, 1_000);
    await store.release("s", slow);
    expect(await store.reserve("s", "g", 10)).toEqual({ state: "in-progress", fingerprint: "g" });
    await store.release("s", retry);
    expect((await store.reserve("s", "g", 10)).state).toBe("reserved");
  });
});
