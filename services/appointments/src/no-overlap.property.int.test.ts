import { afterAll, beforeAll, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { updateAvailability } from "./db/doctor-queries.ts";
import type { Appointment } from "./domain/appointment.ts";
import { BERLIN_WEEKDAYS, buildTestApp, call, seedDoctor } from "./test-support.ts";

// 32 patients book, cancel and reschedule at once on two doctors whose slot length changes
// under them (20/30/45 minutes), so requests overlap without starting at the same time. Whatever
// the interleaving, no two booked appointments of one doctor may overlap.
const CLIENTS = 32;
let testDb: TestDatabase;
let app: HttpApp;
let doctors: string[];
let tokens: string[];

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false, max: 20 });
  const built = await buildTestApp(testDb.database);
  app = built.app;
  doctors = [await seedDoctor(testDb.database), await seedDoctor(testDb.database)];
  tokens = await Promise.all(
    Array.from({ length: CLIENTS }, () => built.issuer.sign({ sub: Bun.randomUUIDv7(), role: "patient" })),
  );
}, 60_000);
afterAll(() => testDb?.drop());

// Mon 2026-11-23, 09:00–11:00 Berlin (08:00Z–10:00Z), every 5 minutes: many starts, few on every grid.
const startAt = (k: number) =>
  new Date(Date.parse("2026-11-23T08:00:00Z") + k * 5 * 60_000).toISOString().replace(".000Z", "Z");
const op = fc.oneof(
  fc.record({ kind: fc.constant("book" as const), doctor: fc.nat(1), slot: fc.nat(23) }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat(9) }),
  fc.record({ kind: fc.constant("reschedule" as const), pick: fc.nat(9), slot: fc.nat(23) }),
  fc.record({
    kind: fc.constant("regrid" as const),
    doctor: fc.nat(1),
    minutes: fc.constantFrom(20, 30, 45),
  }),
);

test("random book / cancel / reschedule interleavings of 32 clients never leave overlapping booked appointments", async () => {
  const statuses = new Set<number>();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(op, { maxLength: 6 }), { minLength: CLIENTS, maxLength: CLIENTS }),
      async (plans) => {
        runs++;
        await testDb.database.query(sql`TRUNCATE appointments, outbox`);
        for (const d of doctors) await updateAvailability(testDb.database.db, d, BERLIN_WEEKDAYS);
        await Promise.all(
          plans.map(async (plan, client) => {
            const token = tokens[client]!;
            const mine: string[] = [];
            for (const step of plan) {
              let res: Response;
              switch (step.kind) {
                case "book":
                  res = await app.request(
                    call("POST", "/api/appointments", token, {
                      doctorId: doctors[step.doctor],
                      start: startAt(step.slot),
                      mode: "in-person",
                    }),
                  );
                  if (res.status === 201) mine.push(((await res.clone().json()) as Appointment).id);
                  break;
                case "cancel":
                  if (mine.length === 0) continue;
                  res = await app.request(
                    call("POST", `/api/appointments/${mine[step.pick % mine.length]}/cancel`, token, {}),
                  );
                  break;
                case "reschedule":
                  if (mine.length === 0) continue;
                  res = await app.request(
                    call("POST", `/api/appointments/${mine[step.pick % mine.length]}/reschedule`, token, {
                      start: startAt(step.slot),
                    }),
                  );
                  break;
                case "regrid":
                  await updateAvailability(testDb.database.db, doctors[step.doctor]!, {
                    ...BERLIN_WEEKDAYS,
                    slotMinutes: step.minutes,
                  });
                  continue;
                default:
                  step satisfies never;
                  continue;
              }
              await res.arrayBuffer();
              statuses.add(res.status);
              if (res.status >= 500) throw new Error(`${step.kind} → ${res.status}`);
            }
          }),
        );
        const overlaps = await testDb.database.query<{ n: string }>(sql`
        SELECT count(*) AS n FROM appointments a JOIN appointments b
          ON a.doctor_id = b.doctor_id AND a.id < b.id AND a.during && b.during
        WHERE a.status = 'booked' AND b.status = 'booked'`);
        expect(Number(overlaps[0]?.n)).toBe(0);
      },
    ),
    { numRuns: 25 },
  );
  expect(runs).toBe(25);
  // The runs really contended: some bookings won, some lost to the constraint, some were off the grid.
  expect([...statuses]).toEqual(expect.arrayContaining([200, 201, 400, 409]));
}, 300_000);

test("the constraint itself: overlapping booked rows cannot be written even by hand", async () => {
  const d = doctors[0]!;
  const insert = (id: string, start: string, end: string, status = "booked") =>
    testDb.database.query(sql`
      INSERT INTO appointments (id, patient_id, doctor_id, specialty, start_at, end_at, mode, status)
      VALUES (${id}, ${Bun.randomUUIDv7()}, ${d}, 'GP', ${start}, ${end}, 'in-person', ${status})`);
  await testDb.database.query(sql`TRUNCATE appointments`);
  await insert(Bun.randomUUIDv7(), "2027-01-04T08:00:00Z", "2027-01-04T08:30:00Z");
  await expect(
    insert(Bun.randomUUIDv7(), "2027-01-04T08:15:00Z", "2027-01-04T08:45:00Z"),
  ).rejects.toMatchObject({
    cause: expect.objectContaining({ code: "23P01" }),
  });
  // Back-to-back and cancelled rows are fine.
  await insert(Bun.randomUUIDv7(), "2027-01-04T08:30:00Z", "2027-01-04T09:00:00Z");
  await insert(Bun.randomUUIDv7(), "2027-01-04T08:15:00Z", "2027-01-04T08:45:00Z", "cancelled");
});
