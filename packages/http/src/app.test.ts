import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { createHttpApp } from "./app.ts";
import { AppError, conflict, serviceUnavailable, tooManyRequests } from "./errors.ts";
import { captureLogger } from "./test-support.ts";

const Body = z.object({
  name: z.string().min(1),
  insurance: z.object({ planId: z.enum(["none", "basic", "plus", "premium"]) }),
});

function buildApp() {
  const { logger, lines } = captureLogger();
  const app = createHttpApp({ service: "test", logger });
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/things",
      request: { body: { required: true, content: { "application/json": { schema: Body } } } },
      responses: { 201: { description: "created" } },
    }),
    (c) => c.json({ ok: true, name: c.req.valid("json").name }, 201),
  );
  app.get("/boom", () => {
    throw new Error("secret database detail");
  });
  app.get("/conflict", () => {
    throw conflict("Slot taken", { code: "slot-taken" });
  });
  app.get("/throttled", () => {
    throw tooManyRequests(30);
  });
  app.get("/down", () => {
    throw serviceUnavailable("Database unavailable", { cause: new Error("ECONNREFUSED") });
  });
  app.get("/throws-string", () => {
    throw "not an error object";
  });
  return { app, lines };
}

const post = (body: BodyInit, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
  new Request("http://localhost/api/things", { method: "POST", body, headers });

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as Record<string, unknown>;
}

describe("problem+json errors", () => {
  test("unknown route is a 404 problem with the request id", async () => {
    const { app } = buildApp();
    const res = await app.request("/nope", { headers: { "X-Request-Id": "abc-123" } });
    expect(res.status).toBe(404);
    const body = await problem(res);
    expect(body).toMatchObject({
      type: "https://carebridge.dev/problems/not-found",
      title: "Not Found",
      status: 404,
      requestId: "abc-123",
    });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
  });

  test("AppError keeps its code, status and detail", async () => {
    const { app } = buildApp();
    const res = await app.request("/conflict");
    expect(res.status).toBe(409);
    expect(await problem(res)).toMatchObject({
      type: "https://carebridge.dev/problems/slot-taken",
      status: 409,
      detail: "Slot taken",
    });
  });

  test("429 carries Retry-After", async () => {
    const { app } = buildApp();
    const res = await app.request("/throttled");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
    await problem(res);
  });

  test("unknown errors are a generic 500 without message or stack, logged with the stack", async () => {
    const { app, lines } = buildApp();
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect(text).not.toContain("secret database detail");
    expect(text).not.toContain("at ");
    expect(await problem(res)).toMatchObject({
      type: "https://carebridge.dev/problems/internal",
      status: 500,
    });
    const logged = lines.find((l) => l.msg === "request failed");
    expect(JSON.stringify(logged)).toContain("secret database detail");
    expect((logged?.err as { stack?: string } | undefined)?.stack).toContain("app.test.ts");
  });

  test("a non-Error throw still becomes a 500 problem", async () => {
    const { app } = buildApp();
    const res = await app.request("/throws-string");
    expect(res.status).toBe(500);
    await problem(res);
  });

  test("503 keeps its own detail and logs the cause", async () => {
    const { app, lines } = buildApp();
    const res = await app.request("/down");
    expect(res.status).toBe(503);
    expect((await problem(res)).detail).toBe("Database unavailable");
    expect(JSON.stringify(lines)).toContain("ECONNREFUSED");
  });

  test("AppError is an Error with its fields", () => {
    const err = new AppError({ code: "x", status: 418, title: "Teapot" });
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("Teapot");
    expect(err.retriable).toBe(false);
  });
});

describe("request validation", () => {
  test("valid body passes", async () => {
    const { app } = buildApp();
    const res = await app.request(post(JSON.stringify({ name: "Ada", insurance: { planId: "basic" } })));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true, name: "Ada" });
  });

  test("zod failures are 400 with dot-joined field errors", async () => {
    const { app } = buildApp();
    const res = await app.request(post(JSON.stringify({ name: "", insurance: { planId: "gold" } })));
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.type).toBe("https://carebridge.dev/problems/validation-failed");
    const errors = body.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual(["insurance.planId", "name"]);
    expect(typeof errors["insurance.planId"]).toBe("string");
  });

  test("a non-object body is reported against the body itself", async () => {
    const { app } = buildApp();
    const res = await app.request(post("[1,2]"));
    expect(res.status).toBe(400);
    expect(Object.keys((await problem(res)).errors as object)).toEqual(["body"]);
  });

  test("malformed JSON is a 400 problem, not a 500", async () => {
    const { app } = buildApp();
    const res = await app.request(post('{"name": "Ada",'));
    expect(res.status).toBe(400);
    expect((await problem(res)).status).toBe(400);
  });

  test("a non-JSON content type is 415", async () => {
    const { app } = buildApp();
    const res = await app.request(post("name=Ada", { "Content-Type": "text/plain" }));
    expect(res.status).toBe(415);
    expect(await problem(res)).toMatchObject({ status: 415 });
  });

  test("a body without content type is 415", async () => {
    const { app } = buildApp();
    const res = await app.request(post(JSON.stringify({ name: "Ada" }), {}));
    // Request() adds text/plain for string bodies; either way it is not JSON.
    expect(res.status).toBe(415);
  });
});

describe("body limit", () => {
  const big = JSON.stringify({ name: "x".repeat(1024 * 1024), insurance: { planId: "none" } });

  test("over 1 MiB with Content-Length is a 413 problem", async () => {
    const { app } = buildApp();
    const res = await app.request(
      post(big, { "Content-Type": "application/json", "Content-Length": String(big.length) }),
    );
    expect(res.status).toBe(413);
    expect(await problem(res)).toMatchObject({ type: "https://carebridge.dev/problems/payload-too-large" });
  });

  test("over 1 MiB streamed without Content-Length (chunked) is a 413 problem", async () => {
    const { app } = buildApp();
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const req = new Request("http://localhost/api/things", {
      method: "POST",
      body: stream,
      headers: { "Content-Type": "application/json" },
    });
    expect(req.headers.get("content-length")).toBeNull();
    const res = await app.request(req);
    expect(res.status).toBe(413);
    await problem(res);
  });

  test("a streamed body under the limit still reaches the handler", async () => {
    const { app } = buildApp();
    const bytes = new TextEncoder().encode(JSON.stringify({ name: "Ada", insurance: { planId: "plus" } }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 5));
        controller.enqueue(bytes.subarray(5));
        controller.close();
      },
    });
    const res = await app.request(
      new Request("http://localhost/api/things", {
        method: "POST",
        body: stream,
        headers: { "Content-Type": "application/json" },
      }),
    );
    expect(res.status).toBe(201);
  });
});
