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
let admin: string;

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer, clock } = await buildTestApp(database));
  doctorId = await seedDoctor(database, { name: "Dr. Berlin" });
  patientId = await seedPatient(database);
  patient = await issuer.sign({ sub: patientId, role: "patient" });
  doctor = await issuer.sign({ sub: doctorId, role: "doctor" });
  admin = await issuer.sign({ sub: Bun.randomUUIDv7(), role: "admin" });
}, 30_000);
afterAll(() => database.close());

const count = async (q: ReturnType<typeof sql>) => Number((await database.query<{ n: string }>(q))[0]?.n);
const appointmentsCount = () => count(sql`SELECT count(*) AS n FROM appointments`);
const outboxTypes = async (id: string) =>
  (await database.query<{ type: string }>(sql`SELECT type FROM outbox WHERE key = ${id} ORDER BY id`)).map(
    (r) => r.type,
  );
const book = (start: string, token = patient, extra: Record<string, unknown> = {}, headers = {}) =>
  app.request(
    call("POST", "/api/appointments", token, { doctorId, start, mode: "in-person", ...extra }, headers),
  );

describe("booking", () => {
  test("a patient books a slot: 201, the stored appointment, one appointment.booked in the outbox", async () => {
    const res = await book("2026-11-23T08:00:00Z", patient, { reason: "Checkup" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Appointment;
    expect(body).toMatchObject({
      patientId,
      doctorId,
      specialty: "General Practice",
      start: "2026-11-23T08:00:00Z",
      end: "2026-11-23T08:30:00Z",
      mode: "in-person",
      reason: "Checkup",
      status: "booked",
    });
    expect(res.headers.get("location")).toBe(`/api/appointments/${body.id}`);
    expect(await outboxTypes(body.id)).toEqual(["appointment.booked"]);
    const [row] = await database.query<{ payload: string; headers: Record<string, string> }>(
      sql`SELECT payload, headers FROM outbox WHERE key = ${body.id}`,
    );
    expect(JSON.parse(row?.payload ?? "{}")).toEqual({
      appointmentId: body.id,
      patientId,
      doctorId,
      specialty: "General Practice",
      start: "2026-11-23T08:00:00Z",
      end: "2026-11-23T08:30:00Z",
      mode: "in-person",
      status: "booked",
      occurredAt: body.updatedAt,
    });
    expect(row?.headers.ce_type).toBe("appointment.booked");
  });

  test("the same slot again → 409 problem, nothing written (the exclusion constraint, on PGlite)", async () => {
    const before = await appointmentsCount();
    const res = await book("2026-11-23T08:00:00Z", admin, { patientId });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await appointmentsCount()).toBe(before);
  });

  test("Idempotency-Key: a repeat replays the first 201; another body → 422", async () => {
    const key = { "Idempotency-Key": "book-once-1" };
    const first = await book("2026-11-23T09:00:00Z", patient, {}, key);
    expect(first.status).toBe(201);
    const again = await book("2026-11-23T09:00:00Z", patient, {}, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as Appointment).id).toBe(((await first.json()) as Appointment).id);
    expect((await book("2026-11-23T09:30:00Z", patient, {}, key)).status).toBe(422);
  });

  test.each([
    ["malformed JSON", '{"doctorId": '],
    ["unknown mode", { start: "2026-11-24T08:00:00Z", mode: "carrier-pigeon" }],
    ["impossible date", { start: "2026-02-30T08:00:00Z" }],
    ["local time without zone", { start: "2026-11-24T09:00:00" }],
    ["misaligned start", { start: "2026-11-24T08:10:00Z" }],
    ["outside the hours", { start: "2026-11-24T18:00:00Z" }],
    ["a Sunday", { start: "2026-11-22T08:00:00Z" }],
    ["in the past", { start: "2026-11-20T07:30:00Z" }],
    ["beyond 180 days", { start: "2027-06-01T07:00:00Z" }],
    ["unknown doctor", { doctorId: "01900000-0000-7000-8000-000000000000", start: "2026-11-24T08:00:00Z" }],
    ["wrong types", { doctorId: 7, start: true }],
    ["over 1 MiB", { start: "2026-11-24T08:00:00Z", reason: "x".repeat(1024 * 1024 + 1) }],
  ])("%s → 4xx problem+json, nothing written", async (_label, body) => {
    const before = await appointmentsCount();
    const payload = typeof body === "string" ? body : { doctorId, mode: "in-person", ...body };
    const res = await app.request(call("POST", "/api/appointments", patient, payload));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await appointmentsCount()).toBe(before);
  });

  test("an admin must name a known patient", async () => {
    expect((await book("2026-11-24T08:00:00Z", admin)).status).toBe(400);
    const unknown = await book("2026-11-24T08:00:00Z", admin, { patientId: Bun.randomUUIDv7() });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { errors: Record<string, string> }).errors.patientId).toBeDefined();
    expect((await book("2026-11-24T08:00:00Z", admin, { patientId })).status).toBe(201);
  });

  test("a doctor without a specialty is not bookable", async () => {
    const unlisted = await seedDoctor(database, { specialty: null });
    const res = await app.request(
      call("POST", "/api/appointments", patient, {
        doctorId: unlisted,
        start: "2026-11-24T08:00:00Z",
        mode: "telehealth",
      }),
    );
    expect(res.status).toBe(400);
  });
});

describe("life cycle", () => {
  const post = (path: string, token: string, body?: unknown) => app.request(call("POST", path, token, body));

  test("reschedule moves atomically; to a taken slot → 409 and the old time stays", async () => {
    const a = (await (await book("2026-11-25T08:00:00Z")).json()) as Appointment;
    const b = (await (await book("2026-11-25T08:30:00Z")).json()) as Appointment;
    const taken = await post(`/api/appointments/${a.id}/reschedule`, patient, { start: b.start });
    expect(taken.status).toBe(409);
    const still = (await (
      await app.request(call("GET", `/api/appointments/${a.id}`, patient))
    ).json()) as Appointment;
    expect(still.start).toBe("2026-11-25T08:00:00Z");
    const moved = await post(`/api/appointments/${a.id}/reschedule`, patient, {
      start: "2026-11-25T10:00:00Z",
    });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as Appointment).start).toBe("2026-11-25T10:00:00Z");
    expect(await outboxTypes(a.id)).toEqual(["appointment.booked", "appointment.rescheduled"]);
    // The freed slot can be booked again.
    expect((await book("2026-11-25T08:00:00Z")).status).toBe(201);
    expect(
      (await post(`/api/appointments/${a.id}/reschedule`, patient, { start: "2026-11-25T10:10:00Z" })).status,
    ).toBe(400);
  });

  test("cancel frees the slot; a second cancel is an invalid transition (409)", async () => {
    const a = (await (await book("2026-11-26T08:00:00Z")).json()) as Appointment;
    const res = await post(`/api/appointments/${a.id}/cancel`, doctor, { reason: "Ill" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Appointment).status).toBe("cancelled");
    expect((await post(`/api/appointments/${a.id}/cancel`, patient, {})).status).toBe(409);
    expect((await post(`/api/appointments/${a.id}/complete`, doctor)).status).toBe(409);
    expect((await book("2026-11-26T08:00:00Z")).status).toBe(201);
    const [row] = await database.query<{ payload: string }>(
      sql`SELECT payload FROM outbox WHERE key = ${a.id} AND type = 'appointment.cancelled'`,
    );
    expect(JSON.parse(row?.payload ?? "{}")).toMatchObject({ status: "cancelled", reason: "Ill" });
  });

  test("complete and no-show: only by the doctor, only after the start", async () => {
    const a = (await (await book("2026-11-27T08:00:00Z")).json()) as Appointment;
    const b = (await (await book("2026-11-27T08:30:00Z")).json()) as Appointment;
    expect((await post(`/api/appointments/${a.id}/complete`, doctor)).status).toBe(409);
    expect((await post(`/api/appointments/${a.id}/complete`, patient)).status).toBe(403);
    const saved = clock.now;
    clock.now = Date.parse("2026-11-27T09:00:00Z");
    try {
      expect((await post(`/api/appointments/${a.id}/cancel`, patient, {})).status).toBe(409);
      expect(
        (await post(`/api/appointments/${a.id}/reschedule`, patient, { start: "2026-11-30T08:00:00Z" }))
          .status,
      ).toBe(409);
      const done = await post(`/api/appointments/${a.id}/complete`, doctor);
      expect(done.status).toBe(200);
      expect(((await done.json()) as Appointment).status).toBe("completed");
      const missed = await post(`/api/appointments/${b.id}/no-show`, doctor);
      expect(((await missed.json()) as Appointment).status).toBe("no-show");
      expect((await post(`/api/appointments/${b.id}/complete`, doctor)).status).toBe(409);
    } finally {
      clock.now = saved;
    }
    expect(await outboxTypes(b.id)).toEqual(["appointment.booked", "appointment.no-show"]);
  });

  test("FHIR R4 Appointment", async () => {
    const a = (await (
      await book("2026-11-30T08:00:00Z", patient, { mode: "telehealth", reason: "Rash" })
    ).json()) as Appointment;
    const res = await app.request(call("GET", `/api/appointments/${a.id}/fhir`, doctor));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/fhir+json");
    expect(await res.json()).toMatchObject({
      resourceType: "Appointment",
      id: a.id,
      status: "booked",
      start: "2026-11-30T08:00:00Z",
      end: "2026-11-30T08:30:00Z",
      minutesDuration: 30,
      description: "Rash",
      serviceType: [{ text: "General Practice" }],
      appointmentType: { text: "telehealth" },
      participant: [
        { actor: { reference: `Patient/${patientId}` } },
        { actor: { reference: `Practitioner/${doctorId}` } },
      ],
    });
  });
});

describe("service surface", () => {
  test("the OpenAPI 3.1 document is public and lists every route", async () => {
    const res = await app.request("/api/appointments/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/api/appointments",
        "/api/appointments/{id}",
        "/api/appointments/{id}/cancel",
        "/api/appointments/{id}/complete",
        "/api/appointments/{id}/fhir",
        "/api/appointments/{id}/no-show",
        "/api/appointments/{id}/reschedule",
        "/api/doctors",
        "/api/doctors/me/availability",
        "/api/doctors/{doctorId}",
        "/api/doctors/{doctorId}/slots",
        "/api/slots",
      ].sort(),
    );
  });

  test("no token → 401; unknown appointment → 404; a non-UUID id → 400", async () => {
    expect((await app.request("/api/appointments")).status).toBe(401);
    expect((await app.request(call("GET", `/api/appointments/${Bun.randomUUIDv7()}`, admin))).status).toBe(
      404,
    );
    expect((await app.request(call("GET", "/api/appointments/not-a-uuid", admin))).status).toBe(400);
  });

  test("every read of an appointment is audited; the audit trail cannot be changed", async () => {
    const a = (await (await book("2026-12-01T08:00:00Z")).json()) as Appointment;
    const audited = () =>
      database.query<{ actor_user_id: string; resource: string }>(
        sql`SELECT actor_user_id, resource FROM phi_audit WHERE patient_id = ${patientId} ORDER BY at`,
      );
    const before = (await audited()).length;
    expect((await app.request(call("GET", `/api/appointments/${a.id}`, doctor))).status).toBe(200);
    expect((await app.request(call("GET", `/api/appointments/${a.id}/fhir`, patient))).status).toBe(200);
    expect((await app.request(call("GET", "/api/appointments", doctor))).status).toBe(200);
    const rows = (await audited()).slice(before);
    expect(rows.map((r) => [r.actor_user_id, r.resource])).toEqual([
      [doctorId, "appointment"],
      [patientId, "fhir-appointment"],
      [doctorId, "appointments"],
    ]);
    await expect(database.query(sql`UPDATE phi_audit SET resource = 'x'`)).rejects.toThrow();
    await expect(database.query(sql`DELETE FROM phi_audit`)).rejects.toThrow();
    expect((await audited()).length).toBe(before + 3);
  });
});
