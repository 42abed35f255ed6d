import type { AppointmentBooked, CloudEvent } from "@carebridge/contracts";
import type { Tx } from "@carebridge/db";
import { enqueueEvents, type ReceivedEvent } from "@carebridge/kafka";
import {
  findInvoicesByAppointment,
  type InvoiceRow,
  type InvoiceUpdate,
  insertInvoices,
  updateInvoices,
} from "../db/invoice-queries.ts";
import { findPlans, lockAppointments } from "../db/state-queries.ts";
import {
  type AppointmentFacts,
  mergeFacts,
  type Observation,
  outcomeOf,
  sameFacts,
} from "../domain/appointment-facts.ts";
import { deriveInvoice, refundDue, sameInvoiceState } from "../domain/invoice-state.ts";
import { CURRENCY, consultationCharge } from "../domain/money.ts";
import { type RefundOwed, recordRefunds } from "../domain/refunds.ts";
import { claimEvent, claimWithdrawnEvent, invoiceEvent } from "./invoice-events.ts";

/** The clock: RFC 3339 UTC now (injected so tests can fix it). */
export type Clock = () => string;

const observe = (event: ReceivedEvent): Observation => {
  // Validated against its contract schema before the effect runs; every appointment.* carries these.
  const data = event.data as AppointmentBooked;
  return {
    eventId: event.id,
    occurredAt: data.occurredAt,
    patientId: data.patientId,
    specialty: data.specialty,
    mode: data.mode,
    start: data.start,
    status: data.status,
  };
};

/**
 * The effect of `appointment.*` events (in partition order, all new): merge each into its
 * appointment's facts, then bring the appointment's single invoice in line with them, writing
 * `invoice.*` / `claim.*` to the outbox in the same transaction.
 */
export async function applyAppointmentEvents(tx: Tx, events: ReceivedEvent[], now: Clock): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map((e) => (e.data as AppointmentBooked).appointmentId))];
  // Three statements issued together: postgres.js queues them on the transaction's connection and
  // the server runs them in this order (one round trip once the driver prepares statements; see the
  // README's Speed section). The locks come first, so the locked read that follows (its own
  // snapshot, taken once the locks are held) sees any invoice a competing consumer committed
  // (apply-concurrency.int.test.ts). Plans are read for every patient of the batch; new invoices use them.
  const patientIds = [...new Set(events.map((e) => (e.data as AppointmentBooked).patientId))];
  const [, existing, plans] = await settleAll([
    lockAppointments(tx, ids),
    findInvoicesByAppointment(tx, ids, { forUpdate: true }),
    findPlans(tx, patientIds),
  ] as const);
  const facts = new Map<string, AppointmentFacts>();
  for (const [id, row] of existing) facts.set(id, row.facts);
  const correlation = new Map<string, string>();
  for (const event of events) {
    const id = (event.data as AppointmentBooked).appointmentId;
    facts.set(id, mergeFacts(facts.get(id) ?? null, observe(event)));
    correlation.set(id, event.correlationid || event.id);
  }

  const at = now();
  const inserts: InvoiceRow[] = [];
  const updates: InvoiceUpdate[] = [];
  const outgoing: CloudEvent[] = [];
  const owedBack: RefundOwed[] = [];
  for (const id of ids) {
    const known = facts.get(id)!;
    const outcome = outcomeOf(known);
    const before = existing.get(id);
    let row: InvoiceRow;
    if (before) {
      const state = deriveInvoice(before.consultation, outcome, before.paidCents);
      if (sameInvoiceState(before, state)) {
        // Nothing a reader sees changed (a duplicate, a reschedule): keep the facts, emit nothing.
        if (!sameFacts(before.facts, known)) updates.push({ ...before, facts: known });
        continue;
      }
      // What the patient paid beyond what they now owe goes back to them (same transaction).
      const refund = refundDue(before.paidCents, state);
      row = {
        ...before,
        ...state,
        refundedCents: before.refundedCents + refund,
        facts: known,
        updatedAt: at,
      };
      if (refund > 0) owedBack.push({ invoiceId: row.id, currency: row.currency, amountCents: refund });
    } else {
      const { patientId, specialty, mode } = known.latest;
      const plan = plans.get(patientId);
      const planId = plan?.planId ?? "none";
      const consultation = consultationCharge(specialty, mode, planId);
      row = {
        id: Bun.randomUUIDv7(),
        appointmentId: id,
        patientId,
        currency: CURRENCY,
        ...deriveInvoice(consultation, outcome, 0),
        refundedCents: 0,
        consultation,
        facts: known,
        planId,
        memberId: plan?.memberId ?? null,
        claimId: null,
        issuedAt: at,
        updatedAt: at,
      };
    }
    const correlationId = correlation.get(id);
    // Every invoice is issued: one created paid (fully covered) or void (its cancellation came
    // with or before its booking) is first published open, then in its resulting status.
    if (!before && row.status !== "open")
      outgoing.push(invoiceEvent({ ...row, status: "open", paidCents: 0 }, at, correlationId));
    outgoing.push(invoiceEvent(row, at, correlationId));
    // `claimId` is the invoice's standing claim: withdrawn (and cleared) once the invoice is void
    // or no longer covered; a new one is submitted whenever a covered invoice has none.
    const claimable = row.status !== "void" && row.insuranceCoveredCents > 0;
    if (row.claimId !== null && !claimable) {
      outgoing.push(claimWithdrawnEvent(row, row.claimId, at, correlationId));
      row.claimId = null;
    } else if (row.claimId === null && claimable) {
      row.claimId = Bun.randomUUIDv7();
      outgoing.push(claimEvent(row, row.claimId, at, correlationId));
    }
    if (before) updates.push(row);
    else inserts.push(row);
  }
  // Refunds are rare (an invoice paid, then lowered): read the payments they come from, then write.
  if (owedBack.length > 0) await recordRefunds(tx, owedBack, at);
  // Independent writes, issued together; the first failure (in issue order: its cause) rolls the batch back.
  await settleAll([insertInvoices(tx, inserts), updateInvoices(tx, updates), enqueueEvents(tx, outgoing)]);
}

/**
 * `Promise.all` that waits for every statement before rejecting: the transaction must not end
 * (commit or roll back) while statements it pipelined are still in flight.
 */
async function settleAll<T extends readonly unknown[]>(
  pending: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results: PromiseSettledResult<unknown>[] = await Promise.allSettled(pending);
  for (const r of results) if (r.status === "rejected") throw r.reason; // the earliest: later ones only saw an aborted transaction
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
