import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import type { Appointment } from "../domain/appointment.ts";
import { buildTestApp, call, seedDoctor, seedPatient } from "../test-support.ts";

// Doctors, availability and slots. Clock: Friday 2026-11-20 08:00Z. The doctor works Mon–Fri 09:00–17:00 Europe/Berlin (CET, +1).
let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
let doctorId: string;
let patientId: string;
let patient: string;
let doctor: string;
let admin: string;

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer } = await buildTestApp(database));
  doctorId = await seedDoctor(database, { name: "Dr. Berlin" });
  patientId = await seedPatient(database);
  patient = await issuer.sign({ sub: patientId, role: "patient" });
  doctor = await issuer.sign({ sub: doctorId, role: "doctor" });
  admin = await issuer.sign({ sub: Bun.randomUUIDv7(), role: "admin" });
}, 30_000);
afterAll(() => database.close());

const book = (start: string) =>
  app.request(call("POST", "/api/appointments", patient, { doctorId, start, mode: "in-person" }));

// What the list and slot tests look at: two bookings on Monday, one cancelled on Tuesday.
beforeAll(async () => {
  for (const start of ["2026-11-23T08:00:00Z", "2026-11-23T08:30:00Z", "2026-11-24T08:00:00Z"]) {
    expect((await book(start)).status).toBe(201);
  }
  const { items } = (await (await app.request(call("GET", "/api/appointments", patient))).json()) as {
    items: Appointment[];
  };
  const tuesday = items.find((a) => a.start === "2026-11-24T08:00:00Z")!;
  expect(
    (await app.request(call("POST", `/api/appointments/${tuesday.id}/cancel`, patient, {}))).status,
  ).toBe(200);
});

describe("lists and slots", () => {
  test("GET /appointments: the patient's own, by start, paged with a cursor", async () => {
    const first = await app.request(call("GET", "/api/appointments?limit=2", patient));
    const page1 = (await first.json()) as { items: Appointment[]; nextCursor: string | null };
    expect(page1.items.length).toBe(2);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = (await (
      await app.request(call("GET", `/api/appointments?limit=200&cursor=${page1.nextCursor}`, patient))
    ).json()) as { items: Appointment[] };
    const all = [...page1.items, ...page2.items];
    expect(all.every((a) => a.patientId === patientId)).toBe(true);
    expect(all.map((a) => a.start)).toEqual([...all.map((a) => a.start)].sort());
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    const booked = (await (
      await app.request(call("GET", "/api/appointments?status=cancelled", doctor))
    ).json()) as {
      items: Appointment[];
    };
    expect(booked.items.every((a) => a.status === "cancelled" && a.doctorId === doctorId)).toBe(true);
    expect((await app.request(call("GET", "/api/appointments?cursor=garbage", patient))).status).toBe(400);
  });

  test("doctor slots carry `available`; slot search lists only free ones, sorted", async () => {
    const res = await app.request(
      call(
        "GET",
        `/api/doctors/${doctorId}/slots?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z`,
        patient,
      ),
    );
    const { items } = (await res.json()) as { items: Array<{ start: string; available: boolean }> };
    expect(items.length).toBe(16);
    expect(items.find((s) => s.start === "2026-11-23T08:00:00Z")?.available).toBe(false);
    expect(items.find((s) => s.start === "2026-11-23T10:00:00Z")?.available).toBe(true);
    const search = await app.request(
      call(
        "GET",
        "/api/slots?specialty=General%20Practice&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z",
        patient,
      ),
    );
    const found = ((await search.json()) as { items: Array<{ start: string; doctorId: string }> }).items;
    expect(found.some((s) => s.start === "2026-11-23T08:00:00Z" && s.doctorId === doctorId)).toBe(false);
    expect(found.some((s) => s.start === "2026-11-23T10:00:00Z" && s.doctorId === doctorId)).toBe(true);
    expect(found.map((s) => s.start)).toEqual([...found.map((s) => s.start)].sort());
  });

  test.each([
    ["over 31 days", "from=2026-11-23T00:00:00Z&to=2026-12-25T00:00:00Z"],
    ["to before from", "from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z"],
    ["not a date", "from=yesterday&to=2026-11-23T00:00:00Z"],
    ["missing to", "from=2026-11-23T00:00:00Z"],
  ])("slot ranges: %s → 400", async (_label, range) => {
    expect((await app.request(call("GET", `/api/slots?specialty=X&${range}`, patient))).status).toBe(400);
    expect((await app.request(call("GET", `/api/doctors/${doctorId}/slots?${range}`, patient))).status).toBe(
      400,
    );
  });

  test("doctors: listed once they have a specialty; PUT by that doctor or an admin; availability by the doctor", async () => {
    const fresh = await seedDoctor(database, { specialty: null, name: "Dr. Fresh" });
    const list = async () =>
      (
        (await (await app.request(call("GET", "/api/doctors?specialty=Neurology", patient))).json()) as {
          items: Array<{ id: string }>;
        }
      ).items.map((d) => d.id);
    expect(await list()).not.toContain(fresh);
    const freshToken = await issuer.sign({ sub: fresh, role: "doctor" });
    const put = await app.request(
      call("PUT", `/api/doctors/${fresh}`, freshToken, {
        specialty: "Neurology",
        timeZone: "America/New_York",
      }),
    );
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      id: fresh,
      name: "Dr. Fresh",
      specialty: "Neurology",
      timeZone: "America/New_York",
    });
    expect(await list()).toEqual([fresh]);
    expect(
      (await app.request(call("PUT", `/api/doctors/${fresh}`, doctor, { specialty: "X", timeZone: "UTC" })))
        .status,
    ).toBe(403);
    expect(
      (
        await app.request(
          call("PUT", `/api/doctors/${fresh}`, admin, { specialty: "Neurology", timeZone: "Mars/Olympus" }),
        )
      ).status,
    ).toBe(400);
    const availability = {
      timeZone: "America/New_York",
      slotMinutes: 20,
      weekly: [{ weekday: 1, start: "08:00", end: "12:00" }],
      exceptions: [{ date: "2026-11-30", closed: true }],
    };
    expect(
      (await app.request(call("PUT", "/api/doctors/me/availability", freshToken, availability))).status,
    ).toBe(200);
    const slots = async (day: string) =>
      (
        (await (
          await app.request(
            call("GET", `/api/doctors/${fresh}/slots?from=${day}T00:00:00Z&to=${day}T23:59:59Z`, patient),
          )
        ).json()) as { items: Array<{ start: string }> }
      ).items;
    expect((await slots("2026-11-23")).map((s) => s.start).slice(0, 2)).toEqual([
      "2026-11-23T13:00:00Z",
      "2026-11-23T13:20:00Z",
    ]);
    expect(await slots("2026-11-30")).toEqual([]);
    const bad = {
      ...availability,
      weekly: [
        { weekday: 1, start: "08:00", end: "12:00" },
        { weekday: 1, start: "11:00", end: "13:00" },
      ],
    };
    expect((await app.request(call("PUT", "/api/doctors/me/availability", freshToken, bad))).status).toBe(
      400,
    );
    expect(
      (
        await app.request(
          call("PUT", "/api/doctors/me/availability", freshToken, {
            ...availability,
            exceptions: [{ date: "2026-02-30", closed: true }],
          }),
        )
      ).status,
    ).toBe(400);
    expect(
      (await app.request(call("PUT", "/api/doctors/me/availability", patient, availability))).status,
    ).toBe(403);
  });
});
