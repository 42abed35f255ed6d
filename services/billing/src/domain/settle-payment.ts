import type { Database } from "@carebridge/db";
import { enqueueEvents } from "@carebridge/kafka";
import type { Logger } from "pino";
import { findInvoice, type InvoiceRow, markPaid } from "../db/invoice-queries.ts";
import { claimStalePayments, type PaymentRow, settlePayment } from "../db/payment-queries.ts";
import { invoiceEvent } from "../events/invoice-events.ts";
import type { ChargeResult, PaymentProcessor } from "./payment-processor.ts";
import { recordRefunds } from "./refund-allocation.ts";

/** What settling a charge needs. */
export interface SettleDeps {
  database: Database;
  processor: PaymentProcessor;
  logger: Logger;
  now: () => string;
}

/** What became of a charged payment. */
export type Settlement =
  | { kind: "declined"; reason: string }
  /** Counted toward the invoice (up to what is due; any excess is a pending refund). */
  | { kind: "counted"; invoice: InvoiceRow }
  /** The invoice was void or paid meanwhile: the whole charge is a pending refund. */
  | { kind: "refunded"; invoice: InvoiceRow }
  /** Someone else settled this payment first: nothing done. */
  | { kind: "settled-already" };

/**
 * Records the processor's answer for a pending payment, once: a decline marks it declined; a
 * charge is recorded succeeded in one transaction with the invoice (locked first, then the
 * payment): it counts up to the current amount due, the excess (all of it if the invoice is no
 * longer open) becomes pending refunds, and `invoice.paid`/`updated` goes to the outbox if it counted.
 */
export async function settleCharge(
  deps: SettleDeps,
  payment: PaymentRow,
  result: ChargeResult,
): Promise<Settlement> {
  if (result.status === "declined") {
    const done = await settlePayment(deps.database.db, payment.id, {
      status: "declined",
      failure: result.reason,
      at: deps.now(),
    });
    return done ? { kind: "declined", reason: result.reason } : { kind: "settled-already" };
  }
  return deps.database.transaction(async (tx): Promise<Settlement> => {
    const at = deps.now();
    const current = await findInvoice(tx, payment.invoiceId, true);
    if (!current) throw new Error(`invoice ${payment.invoiceId} vanished`);
    const done = await settlePayment(tx, payment.id, {
      status: "succeeded",
      processorRef: result.reference,
      at,
    });
    if (!done) return { kind: "settled-already" };
    const refund = (amountCents: number) =>
      recordRefunds(tx, [{ invoiceId: current.id, currency: current.currency, amountCents }], at);
    if (current.status !== "open") {
      await refund(payment.amountCents);
      const invoice = await markPaid(tx, current.id, {
        paidCents: current.paidCents,
        refundedCents: current.refundedCents + payment.amountCents,
        status: current.status,
        updatedAt: at,
      });
      return { kind: "refunded", invoice };
    }
    // A fee lowered the balance meanwhile: the payment counts up to it, the rest is refunded.
    const paidCents = Math.min(current.patientDueCents, current.paidCents + payment.amountCents);
    const excess = current.paidCents + payment.amountCents - paidCents;
    await refund(excess);
    const invoice = await markPaid(tx, current.id, {
      paidCents,
      refundedCents: current.refundedCents + excess,
      status: paidCents >= current.patientDueCents ? "paid" : "open",
      updatedAt: at,
    });
    await enqueueEvents(tx, [invoiceEvent(invoice, at)]);
    return { kind: "counted", invoice };
  });
}

/**
 * Finishes a claimed payment whose outcome is unknown: re-sends the charge under its own id (the
 * processor answers a repeat with the original result, never charging twice) and settles it.
 * Throws if the processor is still unreachable: the payment stays pending and is due again after its lease.
 */
export async function finishPayment(deps: SettleDeps, payment: PaymentRow): Promise<Settlement> {
  const invoice = await findInvoice(deps.database.db, payment.invoiceId);
  if (!invoice) throw new Error(`invoice ${payment.invoiceId} vanished`);
  const result = await deps.processor.charge({
    paymentId: payment.id,
    invoiceId: payment.invoiceId,
    amountCents: payment.amountCents,
    currency: invoice.currency,
    method: "card",
  });
  return settleCharge(deps, payment, result);
}

/**
 * Claims the pending payments of `invoiceId` (or of every invoice) whose lease ended, and finishes
 * them. Returns what became of each finished one; those the processor could not be asked stay pending.
 */
export async function sweepStalePayments(
  deps: SettleDeps & { pendingLeaseMs?: number },
  { invoiceId, limit = 50 }: { invoiceId?: string; limit?: number } = {},
): Promise<{ finished: Settlement[]; failed: number }> {
  const at = deps.now();
  const staleBefore = new Date(Date.parse(at) - (deps.pendingLeaseMs ?? 30_000)).toISOString();
  const claimed = await deps.database.transaction((tx) =>
    claimStalePayments(tx, { staleBefore, at, limit, invoiceId }),
  );
  const finished: Settlement[] = [];
  let failed = 0;
  for (const payment of claimed) {
    try {
      finished.push(await finishPayment(deps, payment));
    } catch (error) {
      failed++;
      deps.logger.warn({ err: error, paymentId: payment.id }, "stale payment not finished; retried later");
    }
  }
  return { finished, failed };
}
