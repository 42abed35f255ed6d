import { describe, expect, test } from "bun:test";
import { createHttpApp } from "./app.ts";
import { auditPhiRead, memoryAuditSink } from "./audit.ts";
import { invalidToken, type JwtVerifier } from "./jwt-verifier.ts";
import { requireAuth } from "./require-auth.ts";
import { captureLogger } from "./test-support.ts";

const verifier: JwtVerifier = {
  async verify(token) {
    if (token !== "doctor") throw invalidToken("test");
    return { userId: "u-doctor", role: "doctor", tokenId: "t" };
  },
};

function buildApp() {
  const sink = memoryAuditSink();
  const { logger, lines } = captureLogger();
  const app = createHttpApp({ service: "patients", logger });
  app.get("/api/patients/:patientId", requireAuth(verifier), async (c) => {
    const patientId = c.req.param("patientId");
    await auditPhiRead(c, sink, { patientId, resource: "patient" });
    return c.json({ id: patientId, allergies: ["penicillin"] });
  });
  app.get("/api/unguarded/:patientId", async (c) => {
    await auditPhiRead(c, sink, { patientId: c.req.param("patientId"), resource: "patient" });
    return c.json({ allergies: ["penicillin"] });
  });
  const get = (path: string, token?: string) =>
    app.request(path, {
      headers: { "X-Request-Id": "req-42", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
  return { sink, lines, get };
}

describe("auditPhiRead", () => {
  test("a read of patient data writes who, role, patient, resource, action, time and request id", async () => {
    const { sink, get } = buildApp();
    const res = await get("/api/patients/p-1", "doctor");
    expect(res.status).toBe(200);
    expect(sink.records).toHaveLength(1);
    const record = sink.records[0];
    expect(record).toMatchObject({
      actorUserId: "u-doctor",
      actorRole: "doctor",
      patientId: "p-1",
      resource: "patient",
      action: "read",
      requestId: "req-42",
    });
    expect(record?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(record?.at ?? "")).toBeGreaterThan(Date.now() - 5000);
  });

  test("when the sink fails the request fails with 503 and no PHI in the body", async () => {
    const { sink, get, lines } = buildApp();
    sink.fail();
    const res = await get("/api/patients/p-1", "doctor");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const text = await res.text();
    expect(text).not.toContain("penicillin");
    expect(JSON.parse(text).type).toBe("https://carebridge.dev/problems/audit-unavailable");
    expect(JSON.stringify(lines)).toContain("audit sink unavailable");
  });

  test("without an authenticated caller nothing is served", async () => {
    const { sink, get } = buildApp();
    const res = await get("/api/unguarded/p-1");
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain("penicillin");
    expect(sink.records).toHaveLength(0);
  });
});
