import type { Executor } from "@carebridge/db";
import {
  findRefundablePayments,
  insertRefunds,
  type RefundablePayment,
  type RefundRow,
} from "../db/refund-queries.ts";

/** An amount an invoice owes back to its patient. */
export interface RefundOwed {
  invoiceId: string;
  currency: string;
  amountCents: number;
}

/**
 * Splits what an invoice owes back over its payments, newest first, never refunding more of a
 * payment than is left of it. Throws if the payments cannot cover it (billing's books are wrong).
 */
export function allocateRefund(
  owed: RefundOwed,
  payments: readonly RefundablePayment[],
  at: string,
): RefundRow[] {
  const rows: RefundRow[] = [];
  let left = owed.amountCents;
  for (const payment of payments) {
    if (left <= 0) break;
    const amountCents = Math.min(left, payment.refundableCents);
    if (amountCents <= 0) continue;
    rows.push({
      id: Bun.randomUUIDv7(),
      invoiceId: owed.invoiceId,
      paymentId: payment.paymentId,
      amountCents,
      currency: owed.currency,
      status: "pending",
      processorRef: null,
      attempts: 0,
      lastError: null,
      nextAttemptAt: at,
      createdAt: at,
      updatedAt: at,
    });
    left -= amountCents;
  }
  if (left > 0) throw new Error(`invoice ${owed.invoiceId}: ${left} cents owed back exceed its payments`);
  return rows;
}

/**
 * Writes the pending refunds for these amounts, in the caller's transaction (the one that lowered
 * what the invoices ask for; the invoices must be locked in it). The refund worker carries them out.
 */
export async function recordRefunds(tx: Executor, owed: readonly RefundOwed[], at: string): Promise<void> {
  const due = owed.filter((o) => o.amountCents > 0);
  if (due.length === 0) return;
  const payments = await findRefundablePayments(
    tx,
    due.map((o) => o.invoiceId),
  );
  await insertRefunds(
    tx,
    due.flatMap((o) => allocateRefund(o, payments.get(o.invoiceId) ?? [], at)),
  );
}
