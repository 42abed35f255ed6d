import { describe, expect, test } from "bun:test";
import { assertAccess, requireRole } from "./access.ts";
import { createHttpApp } from "./app.ts";
import { AppError } from "./errors.ts";
import type { JwtVerifier } from "./jwt-verifier.ts";
import { invalidToken } from "./jwt-verifier.ts";
import type { Principal } from "./principal.ts";
import { getPrincipal, requireAuth } from "./require-auth.ts";
import { captureLogger } from "./test-support.ts";

const principals: Record<string, Principal> = {
  patient: { userId: "u-patient", role: "patient", tokenId: "t1" },
  doctor: { userId: "u-doctor", role: "doctor", tokenId: "t2" },
  admin: { userId: "u-admin", role: "admin", tokenId: "t3" },
};

/** Token "<role>" → that principal; the real jose verifier has its own security tests. */
const verifier: JwtVerifier = {
  async verify(token) {
    const principal = principals[token];
    if (!principal) throw invalidToken("unknown test token");
    return principal;
  },
};

function buildApp() {
  const app = createHttpApp({ service: "test", logger: captureLogger().logger });
  app.use("/api/*", requireAuth(verifier));
  app.get("/api/alerts", requireRole("doctor", "admin"), (c) => c.json({ role: c.var.principal.role }));
  app.get("/api/patients/:patientId", (c) => {
    // Patient u-patient's record: the patient, admins, and doctors with an appointment may read it.
    assertAccess(getPrincipal(c), {
      ownerUserId: "u-patient",
      allowRoles: ["admin"],
      allow: c.var.principal?.role === "doctor" && c.req.query("hasAppointment") === "yes",
      deny: "not-found",
    });
    return c.json({ ok: true });
  });
  return app;
}

const get = (path: string, token?: string) =>
  buildApp().request(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

describe("requireRole", () => {
  test.each([
    ["doctor", 200],
    ["admin", 200],
    ["patient", 403],
  ] as const)("%s → %i", async (role, status) => {
    const res = await get("/api/alerts", role);
    expect(res.status).toBe(status);
    if (status === 403) {
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { type: string }).type).toBe("https://carebridge.dev/problems/forbidden");
    }
  });

  test("no token is 401 before any role check", async () => {
    expect((await get("/api/alerts")).status).toBe(401);
  });
});

describe("assertAccess in a handler", () => {
  test.each([
    ["the owner", "patient", "", 200],
    ["an allowed role", "admin", "", 200],
    ["a related doctor", "doctor", "?hasAppointment=yes", 200],
    ["an unrelated doctor sees 404 (existence is PHI)", "doctor", "", 404],
  ] as const)("%s", async (_, role, query, status) => {
    expect((await get(`/api/patients/p1${query}`, role)).status).toBe(status);
  });
});

describe("assertAccess", () => {
  const stranger: Principal = { userId: "u-x", role: "patient", tokenId: "t" };
  const denied = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return err instanceof AppError ? err.status : -1;
    }
    return 0;
  };

  test("denies with 403 by default", () => {
    expect(denied(() => assertAccess(stranger, { ownerUserId: "u-owner" }))).toBe(403);
  });

  test("denies with 404 when asked to hide existence", () => {
    expect(denied(() => assertAccess(stranger, { ownerUserId: "u-owner", deny: "not-found" }))).toBe(404);
  });

  test("a null owner never matches", () => {
    expect(denied(() => assertAccess(stranger, { ownerUserId: null }))).toBe(403);
  });

  test("an empty rule denies", () => {
    expect(denied(() => assertAccess(stranger, {}))).toBe(403);
  });

  test("allow: true grants", () => {
    expect(denied(() => assertAccess(stranger, { allow: true }))).toBe(0);
  });
});
