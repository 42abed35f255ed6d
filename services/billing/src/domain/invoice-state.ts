import type { InvoiceStatus } from "@carebridge/contracts";
import type { Outcome } from "./appointment-facts.ts";
import { type Charge, lateFeeCharge } from "./money.ts";

/** The part of an invoice that follows from the appointment's events and the payments. */
export interface InvoiceState extends Charge {
  status: InvoiceStatus;
  paidCents: number;
}

/**
 * The invoice for an outcome. `consultation` is the charge fixed when the invoice was first
 * issued (with the plan known then); `paidCents` what the patient has paid so far.
 * - charge: the consultation; void: the consultation amounts, status void;
 * - fee: the single flat-fee line, not covered.
 * Paid amounts are kept up to what the patient still owes — the new patient share, nothing once
 * void — so paidCents ≤ patientDueCents (the contract's invariant); the excess (`paidCents` given
 * minus the result's) is owed back: a refund (see {@link refundDue}). An invoice is `paid` once
 * nothing is left to pay, including an invoice whose patient share is 0 (fully covered).
 */
export function deriveInvoice(consultation: Charge, outcome: Outcome, paidCents: number): InvoiceState {
  const charge = outcome.kind === "fee" ? lateFeeCharge(outcome.reason) : consultation;
  const owed = outcome.kind === "void" ? 0 : charge.patientDueCents;
  const paid = Math.min(paidCents, owed);
  const status: InvoiceStatus =
    outcome.kind === "void" ? "void" : paid >= charge.patientDueCents ? "paid" : "open";
  return { ...charge, lines: charge.lines.map((l) => ({ ...l })), status, paidCents: paid };
}

/** Whether two states differ in anything a reader of the invoice would see. */
export function sameInvoiceState(a: InvoiceState, b: InvoiceState): boolean {
  return (
    a.status === b.status &&
    a.totalCents === b.totalCents &&
    a.insuranceCoveredCents === b.insuranceCoveredCents &&
    a.patientDueCents === b.patientDueCents &&
    a.paidCents === b.paidCents &&
    a.lines.length === b.lines.length &&
    a.lines.every(
      (line, i) =>
        line.description === b.lines[i]?.description && line.amountCents === b.lines[i]?.amountCents,
    )
  );
}

/** What becomes a refund when an invoice that had `paidBefore` takes the state `after`. */
export function refundDue(paidBefore: number, after: InvoiceState): number {
  return Math.max(0, paidBefore - after.paidCents);
}
