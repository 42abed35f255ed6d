import type { Executor } from "@carebridge/db";
import { and, eq } from "drizzle-orm";
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

/** Renews a pending payment's lease (a retry takes it over). */
export async function touchPayment(db: Executor, id: string, at: string): Promise<void> {
  await db.update(payments).set({ updatedAt: at }).where(eq(payments.id, id));
}

/** Settles a payment with the processor's answer. */
export async function settlePayment(
  db: Executor,
  id: string,
  outcome: { status: "succeeded" | "declined"; processorRef?: string; failure?: string; at: string },
): Promise<void> {
  await db
    .update(payments)
    .set({
      status: outcome.status,
      processorRef: outcome.processorRef ?? null,
      failure: outcome.failure ?? null,
      updatedAt: outcome.at,
    })
    .where(and(eq(payments.id, id), eq(payments.status, "pending")));
}
