import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import { listAudit } from "../db/audit-sink.ts";
import { careLinkItem } from "../db/care-team-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { authed, buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";

let aws: LocalAws;
let app: HttpApp;
let deps: PatientsDeps;
let issuer: TestIssuer;
let owner: string;
const ids = {
  otherPatient: Bun.randomUUIDv7(),
  careDoctor: Bun.randomUUIDv7(),
  completedDoctor: Bun.randomUUIDv7(),
  cancelledDoctor: Bun.randomUUIDv7(),
  strangerDoctor: Bun.randomUUIDv7(),
  admin: Bun.randomUUIDv7(),
  analyst: Bun.randomUUIDv7(),
};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  aws = await startLocalAws();
  ({ app, deps, issuer } = await buildTestApp(aws));
  owner = await createPatient(deps);
  await createPatient(deps, { id: ids.otherPatient });
  const link = (doctorId: string, status: "booked" | "completed" | "cancelled") =>
    careLinkItem({
      patientId: owner,
      doctorId,
      appointmentId: Bun.randomUUIDv7(),
      status,
      occurredAtMs: Date.now(),
    });
  await deps.store.transact([
    link(ids.careDoctor, "booked"),
    link(ids.completedDoctor, "completed"),
    link(ids.cancelledDoctor, "cancelled"),
  ]);
  const forger = await createTestIssuer();
  Object.assign(tokens, {
    owner: await issuer.sign({ sub: owner, role: "patient" }),
    otherPatient: await issuer.sign({ sub: ids.otherPatient, role: "patient" }),
    careDoctor: await issuer.sign({ sub: ids.careDoctor, role: "doctor" }),
    completedDoctor: await issuer.sign({ sub: ids.completedDoctor, role: "doctor" }),
    cancelledDoctor: await issuer.sign({ sub: ids.cancelledDoctor, role: "doctor" }),
    strangerDoctor: await issuer.sign({ sub: ids.strangerDoctor, role: "doctor" }),
    admin: await issuer.sign({ sub: ids.admin, role: "admin" }),
    analyst: await issuer.sign({ sub: ids.analyst, role: "analyst" }),
    service: await issuer.sign({ sub: "lab-results", role: "service" }),
    forged: await forger.sign({ sub: owner, role: "admin" }),
    expired: await issuer.sign({ sub: owner, role: "patient" }, { expiresInSec: -120 }),
  });
}, 30_000);
afterAll(async () => {
  deps.close();
  await aws.stop();
});

type Caller =
  | "owner"
  | "otherPatient"
  | "careDoctor"
  | "completedDoctor"
  | "cancelledDoctor"
  | "strangerDoctor"
  | "admin"
  | "analyst"
  | "service";
const CALLERS: Caller[] = [
  "owner",
  "otherPatient",
  "careDoctor",
  "completedDoctor",
  "cancelledDoctor",
  "strangerDoctor",
  "admin",
  "analyst",
  "service",
];

/** Route → expected status per caller (a doctor outside the care team and other patients always get 404). */
const MATRIX: Array<{ name: string; request: (token: string) => Request; expect: Record<Caller, number> }> = [
  ...(["", "/history", "/fhir"] as const).map((suffix) => ({
    name: `GET /{patientId}${suffix}`,
    request: (t: string) => authed(t, `/api/patients/${owner}${suffix}`),
    expect: {
      owner: 200,
      otherPatient: 404,
      careDoctor: 200,
      completedDoctor: 200,
      cancelledDoctor: 404,
      strangerDoctor: 404,
      admin: 200,
      analyst: 403,
      service: 403,
    },
  })),
  {
    name: "GET /{patientId}/lab-results",
    request: (t) => authed(t, `/api/patients/${owner}/lab-results`),
    expect: {
      owner: 200,
      otherPatient: 404,
      careDoctor: 200,
      completedDoctor: 200,
      cancelledDoctor: 404,
      strangerDoctor: 404,
      admin: 403,
      analyst: 403,
      service: 403,
    },
  },
  {
    name: "POST /{patientId}/lab-reports",
    request: (t) =>
      authed(t, `/api/patients/${owner}/lab-reports`, {
        method: "POST",
        body: { fileName: "a.pdf", contentType: "application/pdf" },
      }),
    expect: {
      owner: 201,
      otherPatient: 404,
      careDoctor: 201,
      completedDoctor: 201,
      cancelledDoctor: 404,
      strangerDoctor: 404,
      admin: 403,
      analyst: 403,
      service: 403,
    },
  },
  {
    name: "GET /me",
    request: (t) => authed(t, "/api/patients/me"),
    expect: {
      owner: 200,
      otherPatient: 200,
      careDoctor: 403,
      completedDoctor: 403,
      cancelledDoctor: 403,
      strangerDoctor: 403,
      admin: 403,
      analyst: 403,
      service: 403,
    },
  },
  {
    name: "PATCH /me (no change)",
    request: (t) =>
      authed(t, "/api/patients/me", { method: "PATCH", body: {}, headers: { "If-Match": '"1"' } }),
    expect: {
      owner: 200,
      otherPatient: 200,
      careDoctor: 403,
      completedDoctor: 403,
      cancelledDoctor: 403,
      strangerDoctor: 403,
      admin: 403,
      analyst: 403,
      service: 403,
    },
  },
  {
    name: "GET /alerts",
    request: (t) => authed(t, "/api/patients/alerts?status=open"),
    expect: {
      owner: 403,
      otherPatient: 403,
      careDoctor: 200,
      completedDoctor: 200,
      cancelledDoctor: 200,
      strangerDoctor: 200,
      admin: 403,
      analyst: 403,
      service: 403,
    },
  },
  {
    name: "POST /internal/{patientId}/lab-results (unissued report)",
    request: (t) =>
      authed(t, `/api/patients/internal/${owner}/lab-results`, {
        method: "POST",
        body: {
          reportId: Bun.randomUUIDv7(),
          patientId: owner,
          collectedAt: "2026-11-20T08:00:00Z",
          receivedAt: "2026-11-20T09:00:00Z",
          analytes: [{ name: "K", value: 4, unit: "mmol/L", refLow: 3.5, refHigh: 5.1, flag: "N" }],
        },
      }),
    expect: {
      owner: 403,
      otherPatient: 403,
      careDoctor: 403,
      completedDoctor: 403,
      cancelledDoctor: 403,
      strangerDoctor: 403,
      admin: 403,
      analyst: 403,
      service: 422,
    },
  },
];

describe("role × route × ownership", () => {
  for (const row of MATRIX) {
    for (const caller of CALLERS) {
      test(`${row.name} as ${caller} → ${row.expect[caller]}; an audit record only when data is served`, async () => {
        const patientOf = caller === "otherPatient" && row.name.includes("/me") ? ids.otherPatient : owner;
        const before = (await listAudit(deps.store, patientOf)).length;
        const res = await app.request(row.request(tokens[caller]!));
        expect(res.status).toBe(row.expect[caller]);
        if (res.status >= 400) expect(res.headers.get("content-type")).toContain("application/problem+json");
        const after = (await listAudit(deps.store, patientOf)).length;
        // GET /alerts with no alerts serves no patient data.
        const served = res.status < 300 && !row.name.startsWith("GET /alerts");
        expect(after - before).toBe(served ? 1 : 0);
      });
    }
  }

  test("missing, forged and expired tokens → 401 on every route", async () => {
    for (const row of MATRIX) {
      for (const token of ["", tokens.forged!, tokens.expired!]) {
        const req = row.request(token);
        if (token === "") req.headers.delete("authorization");
        expect({ route: row.name, status: (await app.request(req)).status }).toEqual({
          route: row.name,
          status: 401,
        });
      }
    }
  });

  test("a 404 for a stranger looks exactly like a patient that does not exist", async () => {
    const stranger = await app.request(authed(tokens.strangerDoctor!, `/api/patients/${owner}`));
    const missing = await app.request(authed(tokens.careDoctor!, `/api/patients/${Bun.randomUUIDv7()}`));
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined, requestId: undefined });
    expect(strip((await stranger.json()) as Record<string, unknown>)).toEqual(
      strip((await missing.json()) as Record<string, unknown>),
    );
  });

  test("path words and malformed ids: `me` is never an id; a non-UUID id is a 400", async () => {
    expect((await app.request(authed(tokens.admin!, "/api/patients/not-a-uuid"))).status).toBe(400);
    expect((await app.request(authed(tokens.owner!, "/api/patients/me"))).status).toBe(200);
  });
});
