import { isUniqueViolation, type Tx } from "@carebridge/db";
import { AppError, badRequest, conflict, serviceUnavailable } from "@carebridge/http";
import { enqueueEvents } from "@carebridge/kafka";
import { findInvoice, type InvoiceRow, markPaid } from "../db/invoice-queries.ts";
import {
  findPendingPayment,
  insertPendingPayment,
  type PaymentRow,
  settlePayment,
  touchPayment,
} from "../db/payment-queries.ts";
import type { BillingDeps } from "../deps.ts";
import { invoiceEvent } from "../events/invoice-events.ts";
import { recordRefunds } from "./refunds.ts";

const refundExcess = (tx: Tx, invoice: InvoiceRow, amountCents: number, at: string) =>
  recordRefunds(tx, [{ invoiceId: invoice.id, currency: invoice.currency, amountCents }], at);

/** 402: the card processor declined the charge. */
export const paymentDeclined = (reason: string) =>
  new AppError({
    status: 402,
    code: "payment-declined",
    title: "Payment Required",
    detail: `The card was declined: ${reason}.`,
  });

/** Throws unless `amountCents` settles exactly the open balance of an open invoice. */
export function assertPayable(invoice: InvoiceRow, amountCents: number): void {
  if (invoice.status === "paid") throw conflict("This invoice is already paid.", { code: "invoice-paid" });
  if (invoice.status === "void") throw conflict("This invoice is void.", { code: "invoice-void" });
  const balance = invoice.patientDueCents - invoice.paidCents;
  if (amountCents !== balance) {
    throw badRequest(`The amount must be exactly the open balance, ${balance} cents.`, {
      code: "amount-mismatch",
      errors: { amountCents: `must equal the open balance (${balance})` },
    });
  }
}

/**
 * Step 1, in its own transaction: the pending payment row. Its id is the processor's idempotency
 * key, so a crash after charging never charges twice: a pending payment older than the lease (its
 * request died) is taken over by the next attempt and charged again under the same key.
 */
async function reservePayment(
  deps: BillingDeps,
  invoiceId: string,
  amountCents: number,
): Promise<PaymentRow> {
  try {
    return await deps.database.transaction(async (tx) => {
      const invoice = await findInvoice(tx, invoiceId, true);
      if (!invoice) throw new Error(`invoice ${invoiceId} vanished`);
      assertPayable(invoice, amountCents);
      const at = deps.now();
      const pending = await findPendingPayment(tx, invoiceId);
      if (pending) {
        const age = Date.parse(at) - Date.parse(pending.updatedAt);
        if (age < deps.pendingLeaseMs || pending.amountCents !== amountCents) {
          throw conflict("A payment of this invoice is in progress.", {
            code: "payment-in-progress",
            headers: { "Retry-After": String(Math.ceil(Math.max(1, deps.pendingLeaseMs - age) / 1000)) },
          });
        }
        await touchPayment(tx, pending.id, at);
        return pending;
      }
      return insertPendingPayment(tx, { id: Bun.randomUUIDv7(), invoiceId, amountCents, at });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict("A payment of this invoice is in progress.", { code: "payment-in-progress" });
    throw error;
  }
}

/**
 * Pays an invoice: pending payment row → charge (outside any transaction) → payment settled,
 * invoice paid and `invoice.paid` in the outbox, in one transaction. The invoice is re-read and
 * locked at the end: if the appointment's events changed it meanwhile (a late-cancellation fee),
 * the payment counts up to the new patient share and any excess becomes a pending refund.
 */
export async function payInvoice(
  deps: BillingDeps,
  invoice: InvoiceRow,
  amountCents: number,
): Promise<InvoiceRow> {
  assertPayable(invoice, amountCents);
  const payment = await reservePayment(deps, invoice.id, amountCents);
  let result: Awaited<ReturnType<BillingDeps["processor"]["charge"]>>;
  try {
    result = await deps.processor.charge({
      paymentId: payment.id,
      invoiceId: invoice.id,
      amountCents: payment.amountCents,
      currency: invoice.currency,
      method: "card",
    });
  } catch (error) {
    // Outcome unknown: the payment stays pending; a retry after the lease re-sends it under the same key.
    deps.logger.warn({ err: error, paymentId: payment.id }, "card processor failed; payment left pending");
    throw serviceUnavailable("The card processor could not be reached; try again shortly.", {
      code: "processor-unavailable",
      headers: { "Retry-After": String(Math.ceil(deps.pendingLeaseMs / 1000)) },
    });
  }
  if (result.status === "declined") {
    await settlePayment(deps.database.db, payment.id, {
      status: "declined",
      failure: result.reason,
      at: deps.now(),
    });
    throw paymentDeclined(result.reason);
  }
  const settled = await deps.database.transaction(async (tx) => {
    const at = deps.now();
    // Locks in the same order as the reservation (invoice, then payment): no deadlock between them.
    const current = await findInvoice(tx, invoice.id, true);
    if (!current) throw new Error(`invoice ${invoice.id} vanished`);
    await settlePayment(tx, payment.id, { status: "succeeded", processorRef: result.reference, at });
    // Voided or settled meanwhile: the whole charge is owed back (a pending refund); nothing else changes.
    if (current.status !== "open") {
      await refundExcess(tx, current, payment.amountCents, at);
      await markPaid(tx, current.id, {
        paidCents: current.paidCents,
        refundedCents: current.refundedCents + payment.amountCents,
        status: current.status,
        updatedAt: at,
      });
      return { ok: false as const, changed: current.status };
    }
    // A fee lowered the balance meanwhile: the payment counts up to it, the rest is refunded.
    const paidCents = Math.min(current.patientDueCents, current.paidCents + payment.amountCents);
    const excess = current.paidCents + payment.amountCents - paidCents;
    await refundExcess(tx, current, excess, at);
    const status = paidCents >= current.patientDueCents ? "paid" : "open";
    const row = await markPaid(tx, current.id, {
      paidCents,
      refundedCents: current.refundedCents + excess,
      status,
      updatedAt: at,
    });
    await enqueueEvents(tx, [invoiceEvent(row, at)]);
    return { ok: true as const, row };
  });
  if (settled.ok) return settled.row;
  throw conflict(
    `The invoice became ${settled.changed} while it was being paid; the payment will be refunded.`,
    {
      code: `invoice-${settled.changed}`,
    },
  );
}
