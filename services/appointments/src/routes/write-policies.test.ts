import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { sql } from "drizzle-orm";
import type { Appointment } from "../domain/appointment.ts";
import { buildTestApp, call, seedDoctor, seedPatient, type TestClock } from "../test-support.ts";

// Clock: Friday 2026-11-20 08:00Z. The doctor works Mon–Fri 09:00–17:00 Europe/Berlin (CET, +1).
let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
let clock: TestClock;
let doctorId: string;
let patientId: string;
let patient: string;
let doctor: string;

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer, clock } = await buildTestApp(database));
  doctorId = await seedDoctor(database);
  patientId = await seedPatient(database);
  patient = await issuer.sign({ sub: patientId, role: "patient" });
  doctor = await issuer.sign({ sub: doctorId, role: "doctor" });
}, 30_000);
afterAll(() => database.close());

const post = (path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(call("POST", path, token, body, headers));
const book = async (start: string): Promise<Appointment> => {
  const res = await post("/api/appointments", patient, { doctorId, start, mode: "in-person" });
  expect(res.status).toBe(201);
  return (await res.json()) as Appointment;
};
const HOUR = 3_600_000;
const outboxTypes = async (id: string) =>
  (await database.query<{ type: string }>(sql`SELECT type FROM outbox WHERE key = ${id} ORDER BY id`)).map(
    (r) => r.type,
  );
const at = (iso: string, offsetMs: number) => {
  clock.now = Date.parse(iso) + offsetMs;
};

describe("reschedule window: only while the start is more than 24 h away", () => {
  test("24 h before the start and later → 409 reschedule-window-closed, old time kept; cancel still allowed", async () => {
    const saved = clock.now;
    try {
      const a = await book("2026-11-23T08:00:00Z");
      for (const offset of [-24 * HOUR, -HOUR, -1000]) {
        at(a.start, offset);
        const res = await post(`/api/appointments/${a.id}/reschedule`, patient, {
          start: "2026-11-30T08:00:00Z",
        });
        expect(res.status).toBe(409);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(((await res.json()) as { type: string }).type).toBe(
          "https://carebridge.dev/problems/reschedule-window-closed",
        );
      }
      const kept = (await (
        await app.request(call("GET", `/api/appointments/${a.id}`, patient))
      ).json()) as Appointment;
      expect(kept.start).toBe("2026-11-23T08:00:00Z");
      expect(kept.status).toBe("booked");
      // The late cancellation stays possible (and is billed as one): no move first.
      expect((await post(`/api/appointments/${a.id}/cancel`, patient, { reason: "ill" })).status).toBe(200);
      expect(await outboxTypes(a.id)).toEqual(["appointment.booked", "appointment.cancelled"]);
    } finally {
      clock.now = saved;
    }
  });

  test("just over 24 h before the start the move is allowed", async () => {
    const saved = clock.now;
    try {
      const a = await book("2026-11-24T08:00:00Z");
      at(a.start, -24 * HOUR - 1000);
      const res = await post(`/api/appointments/${a.id}/reschedule`, patient, {
        start: "2026-12-01T08:00:00Z",
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Appointment).start).toBe("2026-12-01T08:00:00Z");
    } finally {
      clock.now = saved;
    }
  });
});

describe("state-changing responses are audited like reads", () => {
  const auditRows = () =>
    database.query<{ actor_user_id: string; action: string; resource: string; patient_id: string }>(
      sql`SELECT actor_user_id, action, resource, patient_id FROM phi_audit WHERE patient_id = ${patientId} ORDER BY at, id`,
    );

  test("one record per response carrying the appointment: create, cancel, reschedule, complete, no-show", async () => {
    const before = (await auditRows()).length;
    const saved = clock.now;
    try {
      const key = { "Idempotency-Key": "audited-once" };
      const body = { doctorId, start: "2026-11-25T08:00:00Z", mode: "in-person" };
      const created = await post("/api/appointments", patient, body, key);
      expect(created.status).toBe(201);
      const a = (await created.json()) as Appointment;
      // A replay returns the response already audited above: no second record.
      const replay = await post("/api/appointments", patient, body, key);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      // Refusals carry no patient data: no record.
      expect(
        (await post("/api/appointments", patient, { ...body, start: "2026-11-25T08:10:00Z" })).status,
      ).toBe(400);
      expect((await post(`/api/appointments/${a.id}/complete`, doctor)).status).toBe(409);
      expect(
        (await post(`/api/appointments/${a.id}/reschedule`, patient, { start: "2026-12-02T08:00:00Z" }))
          .status,
      ).toBe(200);
      expect((await post(`/api/appointments/${a.id}/cancel`, doctor, { reason: "away" })).status).toBe(200);
      const b = await book("2026-11-25T09:00:00Z");
      const c = await book("2026-11-25T09:30:00Z");
      at(c.start, 60_000);
      expect((await post(`/api/appointments/${b.id}/complete`, doctor)).status).toBe(200);
      expect((await post(`/api/appointments/${c.id}/no-show`, doctor)).status).toBe(200);
    } finally {
      clock.now = saved;
    }
    const rows = (await auditRows()).slice(before);
    expect(rows.map((r) => [r.actor_user_id, r.action, r.resource])).toEqual([
      [patientId, "create", "appointment"],
      [patientId, "update", "appointment"],
      [doctorId, "update", "appointment"],
      [patientId, "create", "appointment"],
      [patientId, "create", "appointment"],
      [doctorId, "update", "appointment"],
      [doctorId, "update", "appointment"],
    ]);
  });

  test("a change whose audit record cannot be written is not made (503 problem, nothing changed)", async () => {
    const a = await book("2026-11-26T08:00:00Z");
    const outboxBefore = await outboxTypes(a.id);
    // The audit table refuses update records (as a failing audit store would)…
    await database.query(
      sql`ALTER TABLE phi_audit ADD CONSTRAINT refuse_update CHECK (action <> 'update') NOT VALID`,
    );
    let res: Response;
    try {
      res = await post(`/api/appointments/${a.id}/cancel`, patient, { reason: "x" });
    } finally {
      await database.query(sql`ALTER TABLE phi_audit DROP CONSTRAINT refuse_update`);
    }
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const text = await res.text();
    expect(text).not.toContain(patientId);
    expect(text).toContain("audit-unavailable");
    // …so the cancellation rolled back with it: still booked, no event, and a retry works.
    const after = await app.request(call("GET", `/api/appointments/${a.id}`, patient));
    expect(((await after.json()) as Appointment).status).toBe("booked");
    expect(await outboxTypes(a.id)).toEqual(outboxBefore);
    expect((await post(`/api/appointments/${a.id}/cancel`, patient, { reason: "x" })).status).toBe(200);
  });

  test("a booking, its event and its audit record commit together or not at all", async () => {
    const count = async (table: string) =>
      (await database.query<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n;
    const counts = async () => [await count("appointments"), await count("outbox"), await count("phi_audit")];
    const before = await counts();
    // The audit table refuses the booking's record (as a failing audit store would)…
    await database.query(
      sql`ALTER TABLE phi_audit ADD CONSTRAINT refuse_create CHECK (action <> 'create') NOT VALID`,
    );
    try {
      const res = await post("/api/appointments", patient, {
        doctorId,
        start: "2026-11-27T08:00:00Z",
        mode: "in-person",
      });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(await res.text()).not.toContain(patientId);
    } finally {
      await database.query(sql`ALTER TABLE phi_audit DROP CONSTRAINT refuse_create`);
    }
    // …so nothing was booked, nothing enqueued: no unaudited booking exists.
    expect(await counts()).toEqual(before);
    const booked = await post("/api/appointments", patient, {
      doctorId,
      start: "2026-11-27T08:00:00Z",
      mode: "in-person",
    });
    expect(booked.status).toBe(201);
    expect(await counts()).toEqual([before[0]! + 1, before[1]! + 1, before[2]! + 1]);
  });
});
