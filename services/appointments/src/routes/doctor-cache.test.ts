import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { sql } from "drizzle-orm";
import { updateAvailability } from "../db/doctor-queries.ts";
import type { Appointment } from "../domain/appointment.ts";
import { BERLIN_WEEKDAYS, buildTestApp, call, seedDoctor, seedPatient } from "../test-support.ts";

// The app remembers doctors per process. A change made elsewhere (another replica, written here
// straight to the database) must never let a booking through on the old availability, nor refuse
// one the new availability allows. Clock: Fri 2026-11-20 08:00Z; Berlin is UTC+1.
let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
let patient: string;

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer } = await buildTestApp(database));
  patient = await issuer.sign({ sub: await seedPatient(database), role: "patient" });
}, 30_000);
afterAll(() => database.close());

const book = (doctorId: string, start: string) =>
  app.request(call("POST", "/api/appointments", patient, { doctorId, start, mode: "in-person" }));

test("a doctor's grid changed elsewhere: bookings follow the grid as stored, not as remembered", async () => {
  const doctorId = await seedDoctor(database);
  // Remembered with 30-minute slots.
  expect((await book(doctorId, "2026-11-23T08:00:00Z")).status).toBe(201);
  await updateAvailability(database.db, doctorId, { ...BERLIN_WEEKDAYS, slotMinutes: 45 });

  // 10:00 Berlin: only on the old grid (the statement finds the row changed; the stored one refuses).
  const old = await book(doctorId, "2026-11-25T09:00:00Z");
  expect(old.status).toBe(400);
  expect(((await old.json()) as { type: string }).type).toBe("https://carebridge.dev/problems/invalid-slot");
  // 09:45 Berlin: on the new grid.
  const moved = await book(doctorId, "2026-11-24T08:45:00Z");
  expect(moved.status).toBe(201);
  expect(((await moved.json()) as Appointment).end).toBe("2026-11-24T09:30:00Z");
  // Back to 30 minutes elsewhere: 10:00 Berlin is refused by the remembered (45) grid, allowed by the stored one.
  await updateAvailability(database.db, doctorId, BERLIN_WEEKDAYS);
  const back = await book(doctorId, "2026-11-26T09:00:00Z");
  expect(back.status).toBe(201);
  expect(((await back.json()) as Appointment).end).toBe("2026-11-26T09:30:00Z");
  const rows = await database.query<{ start_at: string }>(
    sql`SELECT start_at::text FROM appointments WHERE doctor_id = ${doctorId} ORDER BY start_at`,
  );
  expect(rows).toHaveLength(3);
});

test("a doctor whose specialty is gone elsewhere cannot be booked from memory", async () => {
  const doctorId = await seedDoctor(database);
  expect((await book(doctorId, "2026-11-23T08:00:00Z")).status).toBe(201);
  await database.query(sql`UPDATE doctors SET specialty = NULL WHERE id = ${doctorId}`);
  const res = await book(doctorId, "2026-11-23T09:00:00Z");
  expect(res.status).toBe(400);
  expect(((await res.json()) as { type: string }).type).toBe(
    "https://carebridge.dev/problems/unknown-doctor",
  );
});

test("an availability PUT here shows in slot search at once", async () => {
  const doctorId = await seedDoctor(database, { specialty: "Cache Check" });
  const doctorToken = await issuer.sign({ sub: doctorId, role: "doctor" });
  const search = async () => {
    const res = await app.request(
      call(
        "GET",
        "/api/slots?specialty=Cache%20Check&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z",
        patient,
      ),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Array<{ start: string; end: string }> }).items;
  };
  expect(await search()).toHaveLength(16);
  const put = await app.request(
    call("PUT", "/api/doctors/me/availability", doctorToken, { ...BERLIN_WEEKDAYS, slotMinutes: 60 }),
  );
  expect(put.status).toBe(200);
  const items = await search();
  expect(items).toHaveLength(8);
  expect(items[0]).toMatchObject({ start: "2026-11-23T08:00:00Z", end: "2026-11-23T09:00:00Z" });
});
