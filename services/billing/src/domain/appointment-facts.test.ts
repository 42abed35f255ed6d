import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type AppointmentFacts, mergeFacts, type Observation, outcomeOf } from "./appointment-facts.ts";
import { deriveInvoice, refundDue, sameInvoiceState } from "./invoice-state.ts";
import { consultationCharge } from "./money.ts";

const HOUR = 3_600_000;
const START = Date.parse("2026-12-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;
const obs = (status: Observation["status"], occurredAt: number, start = START): Observation => ({
  eventId: `e-${String(++seq).padStart(6, "0")}`,
  occurredAt: iso(occurredAt),
  patientId: "p",
  specialty: "Cardiology",
  mode: "in-person",
  start: iso(start),
  status,
});
const fold = (events: Observation[]) =>
  events.reduce<AppointmentFacts | null>((facts, e) => mergeFacts(facts, e), null)!;

describe("outcome", () => {
  test("booked and completed charge the consultation", () => {
    expect(outcomeOf(fold([obs("booked", START - 72 * HOUR)]))).toEqual({ kind: "charge" });
    expect(outcomeOf(fold([obs("booked", START - 72 * HOUR), obs("completed", START + HOUR)]))).toEqual({
      kind: "charge",
    });
  });

  test("a cancellation more than 24 h before the start voids; at 24 h or later it is the fee", () => {
    const booked = obs("booked", START - 72 * HOUR);
    expect(outcomeOf(fold([booked, obs("cancelled", START - 25 * HOUR)]))).toEqual({ kind: "void" });
    expect(outcomeOf(fold([booked, obs("cancelled", START - 24 * HOUR)]))).toEqual({
      kind: "fee",
      reason: "late-cancellation",
    });
    expect(outcomeOf(fold([booked, obs("cancelled", START - HOUR)]))).toEqual({
      kind: "fee",
      reason: "late-cancellation",
    });
  });

  test("the 24 h rule uses the start current at the cancellation (after a reschedule)", () => {
    const later = START + 48 * HOUR;
    const events = [
      obs("booked", START - 72 * HOUR),
      obs("booked", START - 30 * HOUR, later), // rescheduled two days later
      obs("cancelled", START - 2 * HOUR, later), // 50 h before the new start
    ];
    expect(outcomeOf(fold(events))).toEqual({ kind: "void" });
  });

  test("a no-show is the fee", () => {
    expect(outcomeOf(fold([obs("booked", START - HOUR), obs("no-show", START + HOUR)]))).toEqual({
      kind: "fee",
      reason: "no-show",
    });
  });

  test("a final status wins over a booked event stamped later (clock skew)", () => {
    const events = [obs("cancelled", START - 48 * HOUR), obs("booked", START - 47 * HOUR)];
    expect(outcomeOf(fold(events))).toEqual({ kind: "void" });
  });
});

/** Lifecycles the appointments service can produce: booked, reschedules, then maybe a final status. */
const lifecycle = fc
  .record({
    bookedAt: fc.integer({ min: 0, max: 200 }),
    reschedules: fc.array(
      fc.record({ gap: fc.integer({ min: 1, max: 20 }), shift: fc.integer({ min: -40, max: 80 }) }),
      {
        maxLength: 3,
      },
    ),
    final: fc.constantFrom("none", "cancelled", "completed", "no-show"),
    finalGap: fc.integer({ min: 0, max: 30 }),
  })
  .map(({ bookedAt, reschedules, final, finalGap }) => {
    let at = START - bookedAt * HOUR;
    let start = START;
    const events = [obs("booked", at, start)];
    for (const r of reschedules) {
      at += r.gap * HOUR;
      start += r.shift * HOUR;
      events.push(obs("booked", at, start));
    }
    if (final !== "none") {
      at += finalGap * HOUR;
      events.push(obs(final as Observation["status"], at, start));
    }
    return events;
  });

describe("property: any arrival order converges", () => {
  test("every permutation (with duplicates) gives the same facts, outcome and invoice", () => {
    const consultation = consultationCharge("Cardiology", "in-person", "basic");
    fc.assert(
      fc.property(
        lifecycle.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }),
          ),
        ),
        ([events, shuffled]) => {
          const inOrder = fold(events);
          const anyOrder = fold(shuffled);
          expect(anyOrder).toEqual(inOrder);
          expect(deriveInvoice(consultation, outcomeOf(anyOrder), 0)).toEqual(
            deriveInvoice(consultation, outcomeOf(inOrder), 0),
          );
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe("invoice state", () => {
  const consultation = consultationCharge("General Practice", "in-person", "basic"); // 8000: 3600 / 4400
  test("a fee after a full payment keeps paidCents ≤ patientDueCents and stays paid", () => {
    const none = consultationCharge("General Practice", "in-person", "none"); // 8000 due, all paid
    const state = deriveInvoice(none, { kind: "fee", reason: "no-show" }, 8_000);
    expect(state).toMatchObject({
      status: "paid",
      totalCents: 5_000,
      patientDueCents: 5_000,
      paidCents: 5_000,
    });
    expect(state.lines).toEqual([{ description: "No-show fee", amountCents: 5_000 }]);
    expect(refundDue(8_000, state)).toBe(3_000); // the rest is owed back
  });
  test("a fee larger than what was paid leaves the rest open", () => {
    const state = deriveInvoice(consultation, { kind: "fee", reason: "late-cancellation" }, 4_400);
    expect(state).toMatchObject({ status: "open", patientDueCents: 5_000, paidCents: 4_400 });
  });
  test("a fully covered consultation is settled at once", () => {
    const premium = consultationCharge("Cardiology", "in-person", "premium");
    expect(deriveInvoice(premium, { kind: "charge" }, 0)).toMatchObject({
      status: "paid",
      patientDueCents: 0,
    });
  });
  test("void keeps the consultation amounts", () => {
    expect(deriveInvoice(consultation, { kind: "void" }, 0)).toMatchObject({
      status: "void",
      totalCents: 8_000,
    });
  });
  test("a paid invoice voided owes nothing any more: everything paid is refunded", () => {
    const state = deriveInvoice(consultation, { kind: "void" }, 4_400);
    expect(state).toMatchObject({ status: "void", patientDueCents: 4_400, paidCents: 0 });
    expect(refundDue(4_400, state)).toBe(4_400);
  });
  test("nothing is refunded while the patient share covers what was paid", () => {
    expect(refundDue(4_400, deriveInvoice(consultation, { kind: "fee", reason: "no-show" }, 4_400))).toBe(0);
  });
});

describe("sameInvoiceState", () => {
  test("compares lines by value, not by key order (jsonb reorders keys)", () => {
    const fee = deriveInvoice(
      consultationCharge("Cardiology", "in-person", "none"),
      { kind: "fee", reason: "no-show" },
      0,
    );
    const fromJsonb = {
      ...fee,
      lines: fee.lines.map((l) => ({ amountCents: l.amountCents, description: l.description })),
    };
    expect(sameInvoiceState(fee, fromJsonb)).toBe(true);
    expect(sameInvoiceState(fee, { ...fee, lines: [{ description: "x", amountCents: 5_000 }] })).toBe(false);
    expect(sameInvoiceState(fee, { ...fee, paidCents: 1 })).toBe(false);
  });
});
