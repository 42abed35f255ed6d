import { isUniqueViolation } from "@carebridge/db";
import { AppError, badRequest, conflict, serviceUnavailable } from "@carebridge/http";
import { findInvoice, type InvoiceRow } from "../db/invoice-queries.ts";
import { findPendingPayment, insertPendingPayment, type PaymentRow } from "../db/payment-queries.ts";
import type { BillingDeps } from "../deps.ts";
import { settleCharge, sweepStalePayments } from "./settle-payment.ts";

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

const inProgress = (retryAfterMs: number) =>
  conflict("A payment of this invoice is in progress.", {
    code: "payment-in-progress",
    headers: { "Retry-After": String(Math.ceil(Math.max(1_000, retryAfterMs) / 1000)) },
  });

const unreachable = (deps: BillingDeps) =>
  serviceUnavailable("The card processor could not be reached; try again shortly.", {
    code: "processor-unavailable",
    headers: { "Retry-After": String(Math.ceil(deps.pendingLeaseMs / 1000)) },
  });

/**
 * Step 1, in its own transaction: the pending payment row. Its id is the processor's idempotency
 * key, so a crash after charging never charges twice: a pending payment whose lease ended (its
 * request died) is finished under that key by {@link finishStale} or the refund worker's sweep.
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
      if (pending) throw inProgress(deps.pendingLeaseMs - (Date.parse(at) - Date.parse(pending.updatedAt)));
      return insertPendingPayment(tx, { id: Bun.randomUUIDv7(), invoiceId, amountCents, at });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw inProgress(deps.pendingLeaseMs);
    throw error;
  }
}

/**
 * Finishes this invoice's pending payment whose lease ended (its request died with the outcome
 * unknown) before a new request is judged. Returns the invoice if that payment paid it (the
 * client's earlier attempt went through: its retry gets the paid invoice), else the invoice as it
 * now is. A processor still unreachable → 503, the payment left pending.
 */
async function finishStale(
  deps: BillingDeps,
  invoice: InvoiceRow,
): Promise<{ paid?: InvoiceRow; now: InvoiceRow }> {
  const { finished, failed } = await sweepStalePayments(deps, { invoiceId: invoice.id, limit: 1 });
  if (failed > 0) throw unreachable(deps);
  if (finished.length === 0) return { now: invoice };
  const [done] = finished;
  if (done?.kind === "counted" && done.invoice.status === "paid")
    return { paid: done.invoice, now: done.invoice };
  const now = await findInvoice(deps.database.db, invoice.id);
  if (!now) throw new Error(`invoice ${invoice.id} vanished`);
  return { now };
}

/**
 * Pays an invoice: a stranded payment of it is finished first; then pending payment row → charge
 * (outside any transaction) → {@link settleCharge}: payment settled, invoice paid and
 * `invoice.paid` in the outbox, in one transaction. If the appointment's events changed the
 * invoice meanwhile (a late-cancellation fee, a void), the payment counts up to the new patient
 * share and any excess becomes a pending refund.
 */
export async function payInvoice(
  deps: BillingDeps,
  invoice: InvoiceRow,
  amountCents: number,
): Promise<InvoiceRow> {
  const stale = await finishStale(deps, invoice);
  if (stale.paid) return stale.paid;
  assertPayable(stale.now, amountCents);
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
    // Outcome unknown: the payment stays pending; after its lease a retry or the worker re-sends it under the same key.
    deps.logger.warn({ err: error, paymentId: payment.id }, "card processor failed; payment left pending");
    throw unreachable(deps);
  }
  const settled = await settleCharge(deps, payment, result);
  switch (settled.kind) {
    case "declined":
      throw paymentDeclined(settled.reason);
    case "counted":
      return settled.invoice;
    case "refunded":
      throw conflict(
        `The invoice became ${settled.invoice.status} while it was being paid; the payment will be refunded.`,
        { code: `invoice-${settled.invoice.status}` },
      );
    case "settled-already": {
      // Our lease ran out mid-charge and a sweep finished the payment: answer from what it did.
      const now = await findInvoice(deps.database.db, invoice.id);
      if (now?.status === "paid") return now;
      throw conflict("This payment was settled by another attempt; check the invoice.", {
        code: "payment-settled",
      });
    }
    default:
      throw new Error(`unexpected settlement ${settled satisfies never}`);
  }
}
