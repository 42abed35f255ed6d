import { expect, test } from "bun:test";
import { INSURANCE_PLAN_IDS, makeEvent, parseEvent } from "@carebridge/contracts";
import fc from "fast-check";
import type { InvoiceRow } from "../db/invoice-queries.ts";
import type { Outcome } from "../domain/appointment-facts.ts";
import { deriveInvoice } from "../domain/invoice-state.ts";
import { CURRENCY, consultationCharge } from "../domain/money.ts";
import { BILLING_SOURCE, claimEvent, invoiceEvent } from "./invoice-events.ts";

const outcomes: Outcome[] = [
  { kind: "charge" },
  { kind: "void" },
  { kind: "fee", reason: "late-cancellation" },
  { kind: "fee", reason: "no-show" },
];

/** Any invoice billing can hold: every plan, specialty, mode, outcome and amount paid so far. */
const invoiceRow = fc
  .record({
    plan: fc.constantFrom(...INSURANCE_PLAN_IDS),
    specialty: fc.constantFrom("General Practice", "Cardiology", "Dermatology", "Oncology", "x"),
    mode: fc.constantFrom("in-person" as const, "telehealth" as const),
    outcome: fc.constantFrom(...outcomes),
    paid: fc.integer({ min: 0, max: 20_000 }),
    at: fc.date({
      min: new Date("2020-01-01T00:00:00Z"),
      max: new Date("2040-01-01T00:00:00Z"),
      noInvalidDate: true,
    }),
    correlationId: fc.option(fc.uuid(), { nil: undefined }),
  })
  .map(({ plan, specialty, mode, outcome, paid, at, correlationId }) => {
    const consultation = consultationCharge(specialty, mode, plan);
    const row: InvoiceRow = {
      id: Bun.randomUUIDv7(),
      appointmentId: crypto.randomUUID(),
      patientId: crypto.randomUUID(),
      currency: CURRENCY,
      ...deriveInvoice(consultation, outcome, paid),
      refundedCents: 0,
      consultation,
      facts: {} as InvoiceRow["facts"],
      planId: plan,
      memberId: plan === "none" ? null : "M-123456",
      claimId: null,
      // As PostgreSQL returns a timestamptz (a test clock may give either form).
      issuedAt: at.toISOString().replace("T", " ").replace("Z", "+00"),
      updatedAt: at.toISOString(),
    };
    return { row, correlationId };
  });

test("every invoice event billing can emit matches its contract schema, as makeEvent would build it", () => {
  fc.assert(
    fc.property(invoiceRow, ({ row, correlationId }) => {
      const event = invoiceEvent(row, row.issuedAt, correlationId);
      const parsed = parseEvent(event);
      if (!parsed.ok) throw new Error(parsed.message);
      const reference = makeEvent(event.type as "invoice.issued", event.data as never, {
        source: BILLING_SOURCE,
        correlationId,
        id: event.id,
        time: event.time,
      });
      expect(event).toEqual(reference);
      expect(event.type).toBe(`invoice.${{ open: "issued", void: "voided", paid: "paid" }[row.status]}`);
    }),
    { numRuns: 500 },
  );
});

test("every claim billing can submit matches claim.submitted, as makeEvent would build it", () => {
  fc.assert(
    fc.property(
      invoiceRow.filter(({ row }) => row.insuranceCoveredCents > 0),
      ({ row, correlationId }) => {
        const event = claimEvent(row, Bun.randomUUIDv7(), row.updatedAt, correlationId);
        const parsed = parseEvent(event);
        if (!parsed.ok) throw new Error(parsed.message);
        const reference = makeEvent("claim.submitted", event.data as never, {
          source: BILLING_SOURCE,
          correlationId,
          id: event.id,
          time: event.time,
        });
        expect(event).toEqual(reference);
      },
    ),
    { numRuns: 300 },
  );
});

test("an invoice with nothing insured has no claim to submit", () => {
  const consultation = consultationCharge("Cardiology", "in-person", "none");
  const row = { ...deriveInvoice(consultation, { kind: "charge" }, 0), id: Bun.randomUUIDv7() } as InvoiceRow;
  expect(() => claimEvent(row, Bun.randomUUIDv7(), new Date().toISOString())).toThrow(/nothing to claim/);
});
