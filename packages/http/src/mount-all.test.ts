import { describe, expect, test } from "bun:test";
import { createHttpApp } from "./app.ts";
import { mountAll } from "./mount-all.ts";
import { captureLogger } from "./test-support.ts";

function buildStack(opts: { patientsReady?: boolean } = {}) {
  const authLog = captureLogger("info");
  const patientsLog = captureLogger("info");
  const auth = createHttpApp({
    service: "auth",
    logger: authLog.logger,
    openapi: { path: "/api/auth/openapi.json", title: "auth", version: "1" },
  });
  auth.get("/api/auth/me", (c) => c.json({ from: "auth" }));
  auth.post("/api/auth/login", (c) => c.json({ from: "auth-login" }));
  const patients = createHttpApp({
    service: "patients",
    logger: patientsLog.logger,
    readiness: {
      dynamodb: async () => {
        if (opts.patientsReady === false) throw new Error("table missing");
      },
    },
  });
  patients.get("/api/patients/me", (c) => c.json({ from: "patients-me" }));
  patients.get("/api/patients/:patientId", (c) => c.json({ from: "patients", id: c.req.param("patientId") }));
  // Overlaps nothing in auth, but shows that a later app never steals an earlier app's route.
  patients.get("/api/auth/me", (c) => c.json({ from: "patients-shadowed" }));
  const stack = mountAll([auth, patients]);
  return { stack, authLines: authLog.lines, patientsLines: patientsLog.lines };
}

describe("mountAll", () => {
  test("each request goes to the app with a matching route", async () => {
    const { stack } = buildStack();
    expect(await (await stack.request("/api/auth/me")).json()).toEqual({ from: "auth" });
    expect(await (await stack.request("/api/patients/me")).json()).toEqual({ from: "patients-me" });
    expect(await (await stack.request("/api/patients/p-7")).json()).toEqual({ from: "patients", id: "p-7" });
    expect((await stack.request("/api/auth/login", { method: "POST" })).status).toBe(200);
  });

  test("the first app that matches wins", async () => {
    const { stack } = buildStack();
    expect(await (await stack.request("/api/auth/me")).json()).toEqual({ from: "auth" });
  });

  test("only the serving app logs the request", async () => {
    const { stack, authLines, patientsLines } = buildStack();
    await stack.request("/api/patients/p-1");
    expect(patientsLines.filter((l) => l.msg === "request")).toHaveLength(1);
    expect(authLines.filter((l) => l.msg === "request")).toHaveLength(0);
  });

  test("a method no app routes is a 404 problem, as is an unknown path", async () => {
    const { stack } = buildStack();
    for (const res of [
      await stack.request("/api/patients/me", { method: "DELETE" }),
      await stack.request("/api/nothing-here"),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("x-request-id")).toBeTruthy();
    }
  });

  test("each app's OpenAPI document is reachable", async () => {
    const { stack } = buildStack();
    const res = await stack.request("/api/auth/openapi.json");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });

  test("/readyz aggregates every app's checks by service", async () => {
    const ready = await buildStack().stack.request("/readyz");
    expect(ready.status).toBe(200);
    const notReady = await buildStack({ patientsReady: false }).stack.request("/readyz");
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as {
      status: string;
      services: Record<string, { status: string; checks: Record<string, { error?: string }> }>;
    };
    expect(body.status).toBe("unavailable");
    expect(body.services.auth?.status).toBe("ok");
    expect(body.services.patients?.checks.dynamodb?.error).toBe("table missing");
  });

  test("/healthz is the composite's own", async () => {
    const { stack, authLines } = buildStack({ patientsReady: false });
    const res = await stack.request("/healthz");
    expect(await res.json()).toEqual({ status: "ok" });
    expect(authLines).toHaveLength(0);
  });

  test("/metrics merges every app's series into one valid exposition", async () => {
    const { stack } = buildStack();
    await stack.request("/api/auth/me");
    await stack.request("/api/patients/p-1");
    await stack.request("/api/patients/p-2");
    const text = await (await stack.request("/metrics")).text();
    expect(text.match(/^# TYPE http_request_duration_seconds histogram$/gm)).toHaveLength(1);
    const count = (service: string, route: string) =>
      text
        .split("\n")
        .find(
          (line) =>
            line.startsWith("http_request_duration_seconds_count{") &&
            line.includes(`service="${service}"`) &&
            line.includes(`route="${route}"`),
        )
        ?.split(" ")
        .at(-1);
    expect(count("auth", "/api/auth/me")).toBe("1");
    expect(count("patients", "/api/patients/:patientId")).toBe("2");
  });

  test("refuses two apps with the same service name", () => {
    const logger = captureLogger().logger;
    const a = createHttpApp({ service: "x", logger });
    const b = createHttpApp({ service: "x", logger });
    expect(() => mountAll([a, b])).toThrow("mounted twice");
  });
});
