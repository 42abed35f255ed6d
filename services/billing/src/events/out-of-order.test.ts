import { afterAll, beforeAll, expect, test } from "bun:test";
import { type CloudEvent, INSURANCE_PLAN_IDS } from "@carebridge/contracts";
import { type Database, openPglite } from "@carebridge/db";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { migrateBilling } from "../db/migrate.ts";
import { mergeFacts, type Observation, outcomeOf } from "../domain/appointment-facts.ts";
import { deriveInvoice } from "../domain/invoice-state.ts";
import { consultationCharge } from "../domain/money.ts";
import {
  type AppointmentData,
  applyEvents,
  appointmentData,
  appointmentEvents as ev,
  moveTo,
  outboxContractProblems,
  patientEvent,
} from "../test-support.ts";

let database: Database;
beforeAll(async () => {
  database = await openPglite();
  await migrateBilling(database);
}, 30_000);
afterAll(() => database.close());

const HOUR = 3_600_000;
const BASE = Date.parse("2027-03-01T09:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** A lifecycle the appointments service can emit: booked, reschedules, maybe a final event. */
const lifecycle = fc.record({
  plan: fc.constantFrom(...INSURANCE_PLAN_IDS),
  specialty: fc.constantFrom("General Practice", "Cardiology", "Dermatology", "Oncology"),
  mode: fc.constantFrom("in-person" as const, "telehealth" as const),
  bookedHoursBefore: fc.integer({ min: 1, max: 200 }),
  moves: fc.array(fc.integer({ min: -48, max: 96 }), { maxLength: 2 }),
  final: fc.constantFrom("none", "cancelled", "completed", "no-show"),
  finalHoursLater: fc.integer({ min: 0, max: 60 }),
});

test("any arrival order (duplicates included) leaves exactly one invoice, the one the events describe", async () => {
  await fc.assert(
    fc.asyncProperty(lifecycle, fc.infiniteStream(fc.nat()), async (life, randomness) => {
      const patientId = crypto.randomUUID();
      await applyEvents(database, [patientEvent(patientId, life.plan)]);
      let at = BASE - life.bookedHoursBefore * HOUR;
      const base = appointmentData({
        patientId,
        specialty: life.specialty,
        mode: life.mode,
        start: iso(BASE),
        end: iso(BASE + HOUR / 2),
        occurredAt: iso(at),
      });
      const datas: AppointmentData[] = [base];
      const events: CloudEvent[] = [ev.booked(base)];
      let start = BASE;
      for (const move of life.moves) {
        at += HOUR;
        const previous = iso(start);
        start += move * HOUR;
        const moved = moveTo(base, iso(start), iso(at));
        datas.push(moved);
        events.push(ev.rescheduled(moved, previous));
      }
      if (life.final !== "none") {
        at += life.finalHoursLater * HOUR;
        const last = moveTo(base, iso(start), iso(at));
        events.push(
          life.final === "cancelled"
            ? ev.cancelled(last)
            : life.final === "completed"
              ? ev.completed(last)
              : ev.noShow(last),
        );
      }
      // Shuffle (with some events delivered twice), deterministic from fast-check's stream.
      const it = randomness[Symbol.iterator]();
      const shuffled = [...events, ...events.filter(() => it.next().value % 3 === 0)];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = it.next().value % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      await applyEvents(database, shuffled);

      const facts = events.reduce<ReturnType<typeof mergeFacts> | null>(
        (f, e) => mergeFacts(f, { eventId: e.id, ...(e.data as Omit<Observation, "eventId">) }),
        null,
      )!;
      const expected = deriveInvoice(
        consultationCharge(life.specialty, life.mode, life.plan),
        outcomeOf(facts),
        0,
      );
      const rows = await database.query<Record<string, unknown>>(
        sql`SELECT status, lines, total_cents, insurance_covered_cents, patient_due_cents, paid_cents
            FROM invoices WHERE appointment_id = ${base.appointmentId}`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toEqual({
        status: expected.status,
        lines: expected.lines,
        total_cents: expected.totalCents,
        insurance_covered_cents: expected.insuranceCoveredCents,
        patient_due_cents: expected.patientDueCents,
        paid_cents: expected.paidCents,
      });
    }),
    { numRuns: 60 },
  );
}, 60_000);

test("every event of those lifecycles (issued, voided, paid, fee re-issues, claims) matches its contract schema", async () => {
  const types = await database.query<{ type: string }>(sql`SELECT DISTINCT type FROM outbox ORDER BY type`);
  expect(types.map((t) => t.type)).toEqual([
    "claim.submitted",
    "claim.withdrawn",
    "invoice.issued",
    "invoice.paid",
    "invoice.voided",
  ]);
  expect(await outboxContractProblems(database)).toEqual([]);
});
