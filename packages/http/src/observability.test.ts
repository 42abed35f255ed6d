import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { createHttpApp } from "./app.ts";
import { captureLogger } from "./test-support.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function buildApp(readiness: Record<string, () => Promise<void>> = {}) {
  const { logger, lines } = captureLogger("info");
  const app = createHttpApp({ service: "patients", logger, readiness, readinessTimeoutMs: 50 });
  app.get("/api/patients/:patientId", (c) => c.json({ id: c.req.param("patientId") }));
  app.post("/api/patients/:patientId/notes", async (c) => c.json(await c.req.json(), 201));
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/patients/{patientId}/fhir",
      request: { params: z.object({ patientId: z.uuid() }) },
      responses: { 200: { description: "ok" } },
    }),
    (c) => c.json({ resourceType: "Bundle" }, 200),
  );
  return { app, lines };
}

describe("request id", () => {
  test("a sane incoming X-Request-Id is honoured and echoed", async () => {
    const { app } = buildApp();
    const res = await app.request("/healthz", { headers: { "X-Request-Id": "trace.ABC_123-x" } });
    expect(res.headers.get("x-request-id")).toBe("trace.ABC_123-x");
  });

  test.each([
    ["too long", "a".repeat(129)],
    ["bad characters", "abc<script>"],
    ["spaces", "a b"],
  ])("an incoming id with %s is replaced by a UUIDv7", async (_, incoming) => {
    const { app } = buildApp();
    const res = await app.request("/healthz", { headers: { "X-Request-Id": incoming } });
    expect(res.headers.get("x-request-id")).toMatch(UUID_V7);
  });

  test("without one, each request gets a fresh UUIDv7", async () => {
    const { app } = buildApp();
    const a = (await app.request("/healthz")).headers.get("x-request-id");
    const b = (await app.request("/healthz")).headers.get("x-request-id");
    expect(a).toMatch(UUID_V7);
    expect(b).toMatch(UUID_V7);
    expect(a).not.toBe(b);
  });
});

describe("access log", () => {
  test("one line per request with method, route pattern, status, duration and request id", async () => {
    const { app, lines } = buildApp();
    const id = "0197a1b2-0000-7000-8000-000000000001";
    await app.request(`/api/patients/${id}`, { headers: { "X-Request-Id": "req-1" } });
    const access = lines.filter((l) => l.msg === "request");
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      service: "test",
      method: "GET",
      route: "/api/patients/:patientId",
      status: 200,
      requestId: "req-1",
    });
    expect(typeof access[0]?.durationMs).toBe("number");
    expect(JSON.stringify(access[0])).not.toContain(id);
  });

  test("never logs the Authorization header or the body", async () => {
    const { app, lines } = buildApp();
    await app.request("/api/patients/p1/notes", {
      method: "POST",
      headers: { Authorization: "Bearer eyJ.secret.token", "Content-Type": "application/json" },
      body: JSON.stringify({ diagnosis: "sensitive-phi-text" }),
    });
    const all = JSON.stringify(lines);
    expect(lines.some((l) => l.msg === "request" && l.status === 201)).toBe(true);
    expect(all).not.toContain("eyJ.secret.token");
    expect(all).not.toContain("sensitive-phi-text");
  });

  test("probes are logged at debug, not info", async () => {
    const { app, lines } = buildApp();
    await app.request("/healthz");
    expect(lines.filter((l) => l.msg === "request")).toHaveLength(0);
  });
});

describe("health", () => {
  test("/healthz is always 200 ok", async () => {
    const { app } = buildApp({ db: () => Promise.reject(new Error("down")) });
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  test("/readyz is 200 with every check's status when all pass", async () => {
    const { app } = buildApp({ db: async () => {}, kafka: async () => {} });
    const res = await app.request("/readyz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe("ok");
    expect(body.checks.db?.status).toBe("ok");
    expect(body.checks.kafka?.status).toBe("ok");
  });

  test("/readyz is 503 listing failing and timed-out checks", async () => {
    const { app } = buildApp({
      db: async () => {},
      kafka: () => Promise.reject(new Error("broker unreachable")),
      s3: () => new Promise(() => {}),
      sync: () => {
        throw new Error("thrown synchronously");
      },
    });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string; error?: string }>;
    };
    expect(body.status).toBe("unavailable");
    expect(body.checks.db?.status).toBe("ok");
    expect(body.checks.kafka).toMatchObject({ status: "fail", error: "broker unreachable" });
    expect(body.checks.s3?.status).toBe("fail");
    expect(body.checks.s3?.error).toContain("timed out");
    expect(body.checks.sync).toMatchObject({ status: "fail", error: "thrown synchronously" });
  });
});

describe("metrics", () => {
  test("durations are labelled by route pattern, never the raw path", async () => {
    const { app } = buildApp();
    await app.request("/api/patients/0197a1b2-0000-7000-8000-000000000001");
    await app.request("/api/patients/0197a1b2-0000-7000-8000-000000000002");
    await app.request("/api/patients/0197a1b2-0000-7000-8000-000000000003/fhir");
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="patients",method="GET",route="/api/patients/:patientId",status="200"} 2',
    );
    expect(text).toContain('route="/api/patients/:patientId/fhir",status="200"');
    expect(text).not.toContain("0197a1b2");
  });

  test("unmatched routes are labelled route=unmatched", async () => {
    const { app } = buildApp();
    await app.request("/wp-admin/login.php");
    await app.request("/random/123");
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="patients",method="GET",route="unmatched",status="404"} 2',
    );
    expect(text).not.toContain("wp-admin");
  });

  test("a validation failure on a route is labelled with that route", async () => {
    const { app } = buildApp();
    const res = await app.request("/api/patients/not-a-uuid/fhir");
    expect(res.status).toBe(400);
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('route="/api/patients/:patientId/fhir",status="400"');
  });

  test("the route that actually answered is the label, even after a handler fell through", async () => {
    const { app } = buildApp();
    app.get("/api/items/:id", async (c, next) => (c.req.param("id") === "latest" ? next() : c.json({})));
    app.get("/api/items/latest", (c) => c.json({ latest: true }));
    expect(await (await app.request("/api/items/latest")).json()).toEqual({ latest: true });
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('route="/api/items/latest"');
    expect(text).not.toContain('route="/api/items/:id"');
  });

  test("a request stopped by middleware is labelled with the route it was aimed at", async () => {
    const { app } = buildApp();
    app.use("/api/secure/*", async (c) => c.json({ error: "no" }, 401));
    app.get("/api/secure/:thing", (c) => c.json({}));
    expect((await app.request("/api/secure/x")).status).toBe(401);
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('route="/api/secure/:thing",status="401"');
  });

  test("two apps in one process keep separate registries", async () => {
    const a = buildApp().app;
    const b = buildApp().app;
    await a.request("/api/patients/1");
    const textB = await (await b.request("/metrics")).text();
    expect(textB).not.toContain('route="/api/patients/:patientId"');
    const textA = await (await a.request("/metrics")).text();
    expect(textA).toContain('route="/api/patients/:patientId"');
  });
});
