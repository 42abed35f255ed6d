import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import { buildTestApp, call, seedDoctor, seedPatient } from "../test-support.ts";

// GET /api/slots without `specialty`: every bookable doctor's free slots, by start, paged.
// Clock: Friday 2026-11-20 08:00Z.
let database: Database;
let app: HttpApp;
let patient: string;
let berlin: string;
let tokyo: string;

interface FreeSlot {
  doctorId: string;
  specialty: string;
  start: string;
  end: string;
}

beforeAll(async () => {
  database = await openPglite();
  let issuer: Awaited<ReturnType<typeof buildTestApp>>["issuer"];
  ({ app, issuer } = await buildTestApp(database));
  berlin = await seedDoctor(database, { specialty: "General Practice" });
  tokyo = await seedDoctor(database, {
    specialty: "Dermatology",
    availability: {
      timeZone: "Asia/Tokyo",
      slotMinutes: 20,
      weekly: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "10:00", end: "18:00" })),
      exceptions: [],
    },
  });
  await seedDoctor(database, { specialty: null }); // not bookable: never listed
  const patientId = await seedPatient(database);
  patient = await issuer.sign({ sub: patientId, role: "patient" });
  const booked = await app.request(
    call("POST", "/api/appointments", patient, {
      doctorId: berlin,
      start: "2026-11-23T08:00:00Z",
      mode: "in-person",
    }),
  );
  expect(booked.status).toBe(201);
}, 30_000);
afterAll(() => database.close());

const RANGE = "from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z";
const get = async (query: string) => {
  const res = await app.request(call("GET", `/api/slots?${query}`, patient));
  return { status: res.status, body: (await res.json()) as { items: FreeSlot[]; nextCursor: string | null } };
};

test("without specialty: all bookable doctors' free slots, sorted by start, paged with limit/cursor", async () => {
  const all = await get(`${RANGE}&limit=200`);
  expect(all.status).toBe(200);
  const { items } = all.body;
  expect(all.body.nextCursor).toBeNull();
  // Tokyo Mon 10:00–18:00 JST = 01:00–09:00Z, 24 × 20 min; Berlin 08:00–16:00Z, 16 × 30 min less the booked one.
  expect(items.filter((s) => s.doctorId === tokyo).length).toBe(24);
  expect(items.filter((s) => s.doctorId === berlin).length).toBe(15);
  expect(items.length).toBe(39);
  expect(new Set(items.map((s) => s.specialty))).toEqual(new Set(["General Practice", "Dermatology"]));
  expect(items.some((s) => s.doctorId === berlin && s.start === "2026-11-23T08:00:00Z")).toBe(false);
  const keys = items.map((s) => `${s.start} ${s.doctorId}`);
  expect(keys).toEqual([...keys].sort());

  // Page by page (7 at a time) gives exactly the same list.
  const paged: FreeSlot[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(`${RANGE}&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(7);
    paged.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(paged).toEqual(items);
});

test("with specialty: only that specialty; the 31-day rule holds either way", async () => {
  const derm = await get(`${RANGE}&specialty=Dermatology&limit=200`);
  expect(derm.status).toBe(200);
  expect(derm.body.items.length).toBe(24);
  expect(derm.body.items.every((s) => s.doctorId === tokyo)).toBe(true);
  for (const query of [
    "from=2026-11-23T00:00:00Z&to=2026-12-24T00:00:01Z",
    "specialty=Dermatology&from=2026-11-23T00:00:00Z&to=2026-12-24T00:00:01Z",
  ]) {
    expect((await get(query)).status).toBe(400);
  }
  expect((await get("from=2026-11-23T00:00:00Z&to=2026-12-24T00:00:00Z")).status).toBe(200);
});
