import type { Executor } from "@carebridge/db";
import { and, asc, eq, inArray, lte } from "drizzle-orm";
import { payments } from "./schema.ts";

/** A payment row as stored. */
export type PaymentRow = typeof payments.$inferSelect;

/** The invoice's pending payment, if any (locked). */
export async function findPendingPayment(db: Executor, invoiceId: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.invoiceId, invoiceId), eq(payments.status, "pending")))
    .for("update");
  return row;
}

/** Records a pending payment; a second pending one for the invoice is a unique violation. */
export async function insertPendingPayment(
  db: Executor,
  payment: { id: string; invoiceId: string; amountCents: number; at: string },
): Promise<PaymentRow> {
  const [row] = await db
    .insert(payments)
    .values({
      id: payment.id,
      invoiceId: payment.invoiceId,
      amountCents: payment.amountCents,
      method: "card",
      status: "pending",
      createdAt: payment.at,
      updatedAt: payment.at,
    })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** Settles a still pending payment with the processor's answer; false if it was settled already. */
export async function settlePayment(
  db: Executor,
  id: string,
  outcome: { status: "succeeded" | "declined"; processorRef?: string; failure?: string; at: string },
): Promise<boolean> {
  const rows = await db
    .update(payments)
    .set({
      status: outcome.status,
      processorRef: outcome.processorRef ?? null,
      failure: outcome.failure ?? null,
      updatedAt: outcome.at,
    })
    .where(and(eq(payments.id, id), eq(payments.status, "pending")))
    .returning({ id: payments.id });
  return rows.length > 0;
}

/**
 * Claims up to `limit` pending payments whose lease ended (`updatedAt` at or before `staleBefore`),
 * of one invoice or of all: each lease is renewed to `at`, so another claimer skips them until it
 * ends again (locked rows are skipped, never waited for). The claimer then finishes them.
 */
export async function claimStalePayments(
  db: Executor,
  {
    staleBefore,
    at,
    limit,
    invoiceId,
  }: { staleBefore: string; at: string; limit: number; invoiceId?: string },
): Promise<PaymentRow[]> {
  const stale = db
    .select({ id: payments.id })
    .from(payments)
    .where(
      and(
        eq(payments.status, "pending"),
        lte(payments.updatedAt, staleBefore),
        invoiceId === undefined ? undefined : eq(payments.invoiceId, invoiceId),
      ),
    )
    .orderBy(asc(payments.updatedAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db.update(payments).set({ updatedAt: at }).where(inArray(payments.id, stale)).returning();
}
