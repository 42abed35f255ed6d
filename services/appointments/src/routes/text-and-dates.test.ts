import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import { sql } from "drizzle-orm";
import type { Appointment } from "../domain/appointment.ts";
import { buildTestApp, call, seedDoctor, seedPatient } from "../test-support.ts";
import { encodeCursor } from "./schemas.ts";

// Text PostgreSQL cannot store (NUL, lone surrogates) and instants outside years 1900–2199, in
// every place a route accepts them: always 400 problem+json with `errors`, never a 5xx, nothing written.
let database: Database;
let app: HttpApp;
let doctorId: string;
let patient: string;
let doctor: string;
let admin: string;
let booked: Appointment;

beforeAll(async () => {
  database = await openPglite();
  let issuer: Awaited<ReturnType<typeof buildTestApp>>["issuer"];
  ({ app, issuer } = await buildTestApp(database));
  doctorId = await seedDoctor(database, { specialty: "Cardiology" });
  const patientId = await seedPatient(database);
  patient = await issuer.sign({ sub: patientId, role: "patient" });
  doctor = await issuer.sign({ sub: doctorId, role: "doctor" });
  admin = await issuer.sign({ sub: Bun.randomUUIDv7(), role: "admin" });
  const res = await app.request(
    call("POST", "/api/appointments", patient, {
      doctorId,
      start: "2026-11-30T08:00:00Z",
      mode: "in-person",
    }),
  );
  expect(res.status).toBe(201);
  booked = (await res.json()) as Appointment;
}, 30_000);
afterAll(() => database.close());

/** Everything a bad request could have written. */
const snapshot = async () =>
  JSON.stringify(
    await Promise.all([
      database.query(sql`SELECT * FROM appointments ORDER BY id`),
      database.query(sql`SELECT count(*) AS n FROM outbox`),
      database.query(
        sql`SELECT id, specialty, time_zone, slot_minutes, weekly, exceptions FROM doctors ORDER BY id`,
      ),
    ]),
  );

const NUL = "\u0000";
const LONE = "\ud800";
const RANGE = "from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z";
const weekly = [{ weekday: 1, start: "09:00", end: "17:00" }];
const availability = { timeZone: "Europe/Berlin", slotMinutes: 30, weekly, exceptions: [] };

type Case = [name: string, request: () => Request];
const textCases = (bad: string): Case[] => [
  [
    "POST /appointments reason",
    () =>
      call("POST", "/api/appointments", patient, {
        doctorId,
        start: "2026-11-30T09:00:00Z",
        mode: "in-person",
        reason: `a${bad}b`,
      }),
  ],
  [
    "PUT /doctors/{id} specialty",
    () => call("PUT", `/api/doctors/${doctorId}`, admin, { specialty: `Cardiology${bad}`, timeZone: "UTC" }),
  ],
  [
    "PUT /doctors/{id} timeZone",
    () => call("PUT", `/api/doctors/${doctorId}`, doctor, { specialty: "Cardiology", timeZone: `UTC${bad}` }),
  ],
  [
    "PUT /doctors/me/availability timeZone",
    () => call("PUT", "/api/doctors/me/availability", doctor, { ...availability, timeZone: `UTC${bad}` }),
  ],
  [
    "PUT /doctors/me/availability weekly start",
    () =>
      call("PUT", "/api/doctors/me/availability", doctor, {
        ...availability,
        weekly: [{ weekday: 1, start: `09:00${bad}`, end: "17:00" }],
      }),
  ],
  [
    "PUT /doctors/me/availability exception date",
    () =>
      call("PUT", "/api/doctors/me/availability", doctor, {
        ...availability,
        exceptions: [{ date: `2026-12-24${bad}`, closed: true }],
      }),
  ],
  ["GET /doctors?specialty", () => call("GET", `/api/doctors?specialty=${encodeURIComponent(bad)}`, patient)],
  [
    "GET /doctors cursor name",
    () => call("GET", `/api/doctors?cursor=${encodeCursor({ name: `Dr.${bad}`, id: doctorId })}`, patient),
  ],
  ["GET /doctors raw cursor", () => call("GET", `/api/doctors?cursor=${encodeURIComponent(bad)}`, patient)],
  [
    "GET /slots?specialty",
    () => call("GET", `/api/slots?specialty=Cardiology${encodeURIComponent(bad)}&${RANGE}`, patient),
  ],
  ["GET /slots cursor", () => call("GET", `/api/slots?${RANGE}&cursor=${encodeURIComponent(bad)}`, patient)],
  [
    "GET /doctors/{id}/slots cursor",
    () => call("GET", `/api/doctors/${doctorId}/slots?${RANGE}&cursor=${encodeURIComponent(bad)}`, patient),
  ],
  [
    "GET /appointments cursor",
    () => call("GET", `/api/appointments?cursor=${encodeURIComponent(bad)}`, patient),
  ],
  [
    "POST /appointments/{id}/cancel reason",
    () => call("POST", `/api/appointments/${booked.id}/cancel`, patient, { reason: `late${bad}` }),
  ],
  [
    "POST /appointments/{id}/reschedule start",
    () =>
      call("POST", `/api/appointments/${booked.id}/reschedule`, patient, {
        start: `2026-12-01T08:00:00Z${bad}`,
      }),
  ],
];

async function expectRefused(request: Request): Promise<void> {
  const before = await snapshot();
  const res = await app.request(request);
  const body = (await res.json()) as { errors?: Record<string, string> };
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(Object.keys(body.errors ?? {}).length).toBeGreaterThan(0);
  expect(await snapshot()).toBe(before);
}

describe("text PostgreSQL cannot store → 400 on every route, nothing written", () => {
  test.each(textCases(NUL))("NUL: %s", async (_name, request) => expectRefused(request()));
  // A URL cannot carry a lone surrogate (its UTF-8 does not exist): only bodies and cursors' JSON can.
  const urlOnly = (name: string) =>
    name.includes("?specialty") || /(raw|slots|appointments) cursor/.test(name);
  test.each(textCases(LONE).filter(([name]) => !urlOnly(name)))(
    "lone surrogate: %s",
    async (_name, request) => expectRefused(request()),
  );

  test("ordinary text, surrogate pairs included, is still accepted", async () => {
    const res = await app.request(
      call("POST", `/api/appointments/${booked.id}/cancel`, patient, { reason: "Reise 🧳 — später" }),
    );
    expect(res.status).toBe(200);
    const rebook = await app.request(
      call("POST", "/api/appointments", patient, {
        doctorId,
        start: "2026-11-30T08:00:00Z",
        mode: "in-person",
        reason: "Herz 🫀",
      }),
    );
    expect(rebook.status).toBe(201);
    expect(((await rebook.json()) as Appointment).reason).toBe("Herz 🫀");
  });
});

describe("instants outside years 1900–2199 → 400, never 5xx", () => {
  const cursorAt = (start: number) => encodeCursor({ start, id: booked.id });
  const cases: Case[] = [
    [
      "GET /appointments from year 0",
      () => call("GET", "/api/appointments?from=0000-01-01T00:00:00Z", patient),
    ],
    ["GET /appointments to 2200", () => call("GET", "/api/appointments?to=2200-01-01T00:00:00Z", patient)],
    ["GET /appointments from 1899", () => call("GET", "/api/appointments?from=1899-12-31T23:59:59Z", doctor)],
    [
      "GET /doctors/{id}/slots at the end of 9999",
      () =>
        call(
          "GET",
          `/api/doctors/${doctorId}/slots?from=9999-12-20T00:00:00Z&to=9999-12-31T23:00:00Z`,
          patient,
        ),
    ],
    [
      "GET /slots at the end of 9999",
      () => call("GET", "/api/slots?from=9999-12-20T00:00:00Z&to=9999-12-31T23:00:00Z", patient),
    ],
    [
      "GET /appointments cursor start 8.7e15",
      () => call("GET", `/api/appointments?cursor=${cursorAt(8.7e15)}`, patient),
    ],
    [
      "GET /appointments cursor start −8.7e15",
      () => call("GET", `/api/appointments?cursor=${cursorAt(-8.7e15)}`, patient),
    ],
    [
      "GET /slots cursor start 8.7e15",
      () => call("GET", `/api/slots?${RANGE}&cursor=${encodeCursor({ start: 8.7e15, doctorId })}`, patient),
    ],
    [
      "GET /doctors/{id}/slots cursor −8.7e15",
      () => call("GET", `/api/doctors/${doctorId}/slots?${RANGE}&cursor=${encodeCursor(-8.7e15)}`, patient),
    ],
    [
      "POST /appointments start year 0",
      () =>
        call("POST", "/api/appointments", patient, {
          doctorId,
          start: "0000-01-01T00:00:00Z",
          mode: "in-person",
        }),
    ],
    [
      "POST reschedule to 2200",
      () =>
        call("POST", `/api/appointments/${booked.id}/reschedule`, patient, { start: "2200-01-01T00:00:00Z" }),
    ],
  ];
  test.each(cases)("%s", async (_name, request) => expectRefused(request()));

  test("the window's edges are accepted", async () => {
    const list = await app.request(
      call("GET", "/api/appointments?from=1900-01-01T00:00:00Z&to=2199-12-31T23:59:59Z", patient),
    );
    expect(list.status).toBe(200);
    const early = await app.request(
      call(
        "GET",
        `/api/doctors/${doctorId}/slots?from=1900-01-01T00:00:00Z&to=1900-01-02T00:00:00Z`,
        patient,
      ),
    );
    expect(early.status).toBe(200);
    const late = await app.request(
      call(
        "GET",
        `/api/doctors/${doctorId}/slots?from=2199-12-30T00:00:00Z&to=2199-12-31T23:59:59Z`,
        patient,
      ),
    );
    expect(late.status).toBe(200);
    const items = ((await late.json()) as { items: Array<{ available: boolean }> }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((s) => !s.available)).toBe(true);
  });
});
