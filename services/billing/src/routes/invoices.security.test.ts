import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp, Role } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { sql } from "drizzle-orm";
import { applyEvents, appointmentData, buildTestApp, appointmentEvents as ev } from "../test-support.ts";

let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
const owner = crypto.randomUUID();
const stranger = crypto.randomUUID();
let ownInvoice = "";
let strangerInvoice = "";

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer } = await buildTestApp(database));
  const mine = appointmentData({ patientId: owner });
  const theirs = appointmentData({ patientId: stranger });
  await applyEvents(database, [ev.booked(mine), ev.booked(theirs)]);
  const id = async (appointmentId: string) =>
    (
      await database.query<{ id: string }>(
        sql`SELECT id FROM invoices WHERE appointment_id = ${appointmentId}`,
      )
    )[0]!.id;
  ownInvoice = await id(mine.appointmentId);
  strangerInvoice = await id(theirs.appointmentId);
}, 30_000);
afterAll(() => database.close());

type Caller = "anonymous" | "owner" | "other patient" | "doctor" | "analyst" | "admin" | "service";
const subjects: Record<Exclude<Caller, "anonymous">, { sub: string; role: Role }> = {
  owner: { sub: owner, role: "patient" },
  "other patient": { sub: crypto.randomUUID(), role: "patient" },
  doctor: { sub: crypto.randomUUID(), role: "doctor" },
  analyst: { sub: crypto.randomUUID(), role: "analyst" },
  admin: { sub: crypto.randomUUID(), role: "admin" },
  service: { sub: crypto.randomUUID(), role: "service" },
};

interface Route {
  name: string;
  request: () => { path: string; init: RequestInit };
  expected: Record<Caller, number>;
}

const payBody = () => JSON.stringify({ amountCents: 8_000, method: "card" });
const routes: Route[] = [
  {
    name: "GET /api/invoices",
    request: () => ({ path: "/api/invoices", init: {} }),
    expected: {
      anonymous: 401,
      owner: 200,
      "other patient": 200,
      doctor: 403,
      analyst: 403,
      admin: 200,
      service: 403,
    },
  },
  {
    name: "GET /api/invoices/{id}",
    request: () => ({ path: `/api/invoices/${ownInvoice}`, init: {} }),
    expected: {
      anonymous: 401,
      owner: 200,
      "other patient": 404,
      doctor: 403,
      analyst: 403,
      admin: 200,
      service: 403,
    },
  },
  {
    name: "POST /api/invoices/{id}/pay",
    request: () => ({
      path: `/api/invoices/${ownInvoice}/pay`,
      init: {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: payBody(),
      },
    }),
    // the owner's 200 is asserted last (it pays the invoice); everyone else must fail first
    expected: {
      anonymous: 401,
      owner: 200,
      "other patient": 404,
      doctor: 403,
      analyst: 403,
      admin: 403,
      service: 403,
    },
  },
];

const ORDER: Caller[] = ["anonymous", "other patient", "doctor", "analyst", "admin", "service", "owner"];

async function call(route: Route, caller: Caller): Promise<Response> {
  const { path, init } = route.request();
  const headers = new Headers(init.headers);
  if (caller !== "anonymous") headers.set("authorization", `Bearer ${await issuer.sign(subjects[caller])}`);
  return app.request(path, { ...init, headers });
}

describe.each(routes)("$name", (route) => {
  test.each(ORDER)("%s", async (caller) => {
    const res = await call(route, caller);
    expect(res.status).toBe(route.expected[caller]);
    if (res.status >= 400) expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("ownership of data", () => {
  const list = async (sub: string, role: Role, query = "") =>
    (await (
      await app.request(`/api/invoices${query}`, {
        headers: { authorization: `Bearer ${await issuer.sign({ sub, role })}` },
      })
    ).json()) as { items: Array<{ id: string; patientId: string }>; nextCursor: string | null };

  test("a patient's list holds only their own invoices; an admin's holds everyone's", async () => {
    const mine = await list(owner, "patient");
    expect(mine.items.map((i) => i.id)).toEqual([ownInvoice]);
    const theirs = await list(stranger, "patient");
    expect(theirs.items.map((i) => i.id)).toEqual([strangerInvoice]);
    const all = await list(crypto.randomUUID(), "admin");
    expect(all.items.map((i) => i.id).sort()).toEqual([ownInvoice, strangerInvoice].sort());
  });

  test("another patient's invoice cannot be paid; a failed attempt changes nothing", async () => {
    const res = await app.request(`/api/invoices/${strangerInvoice}/pay`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await issuer.sign({ sub: owner, role: "patient" })}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: payBody(),
    });
    expect(res.status).toBe(404);
    const [row] = await database.query<{ status: string }>(
      sql`SELECT status FROM invoices WHERE id = ${strangerInvoice}`,
    );
    expect(row!.status).toBe("open");
  });

  test("an id that is not a UUID → 400; an unknown one → 404 (as another patient's)", async () => {
    const token = await issuer.sign({ sub: owner, role: "patient" });
    const get = (id: string) =>
      app.request(`/api/invoices/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get("not-a-uuid")).status).toBe(400);
    expect((await get(crypto.randomUUID())).status).toBe(404);
  });

  test("every served read is audited (who, role, patient, request id); the audit trail is append-only", async () => {
    const admin = crypto.randomUUID();
    const res = await app.request(`/api/invoices/${ownInvoice}`, {
      headers: { authorization: `Bearer ${await issuer.sign({ sub: admin, role: "admin" })}` },
    });
    expect(res.status).toBe(200);
    const rows = await database.query<Record<string, unknown>>(
      sql`SELECT actor_role, patient_id, resource, action, request_id FROM billing_audit WHERE actor_user_id = ${admin}`,
    );
    expect(rows).toEqual([
      {
        actor_role: "admin",
        patient_id: owner,
        resource: "invoice",
        action: "read",
        request_id: res.headers.get("x-request-id"),
      },
    ]);
    expect(database.query(sql`UPDATE billing_audit SET action = 'x'`)).rejects.toThrow();
    expect(database.query(sql`DELETE FROM billing_audit`)).rejects.toThrow();
  });
});
