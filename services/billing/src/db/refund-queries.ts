import type { Executor } from "@carebridge/db";
import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { payments, refunds } from "./schema.ts";
import { uuidArray } from "./state-queries.ts";

/** A refund row as stored. */
export type RefundRow = typeof refunds.$inferSelect;

/** A succeeded payment and how much of it can still be refunded. */
export interface RefundablePayment {
  paymentId: string;
  invoiceId: string;
  refundableCents: number;
}

/**
 * The succeeded payments of these invoices with something left to refund, newest first per invoice.
 * Call with the invoices locked: refunds of an invoice are written under its row lock.
 */
export async function findRefundablePayments(
  db: Executor,
  invoiceIds: string[],
): Promise<Map<string, RefundablePayment[]>> {
  const result = new Map<string, RefundablePayment[]>();
  if (invoiceIds.length === 0) return result;
  const rows = await db
    .select({
      paymentId: payments.id,
      invoiceId: payments.invoiceId,
      refundableCents: sql<number>`(${payments.amountCents} - coalesce(
        (SELECT sum(r.amount_cents) FROM refunds r WHERE r.payment_id = ${payments.id}), 0))::int`,
    })
    .from(payments)
    .where(and(sql`${payments.invoiceId} = ANY(${uuidArray(invoiceIds)})`, eq(payments.status, "succeeded")))
    .orderBy(payments.invoiceId, desc(payments.createdAt), desc(payments.id));
  for (const row of rows) {
    const refundableCents = Number(row.refundableCents);
    if (refundableCents <= 0) continue;
    const list = result.get(row.invoiceId) ?? [];
    list.push({ ...row, refundableCents });
    result.set(row.invoiceId, list);
  }
  return result;
}

/** Records pending refunds. */
export async function insertRefunds(db: Executor, rows: RefundRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(refunds).values(rows);
}

/**
 * Claims up to `limit` pending refunds that are due at `at`: each gets a lease until `leaseUntil`
 * (another worker skips it meanwhile; if this one dies, the refund is due again after the lease),
 * its attempt counted. Returns them with the processor's reference of the charge they refund.
 */
export async function claimDueRefunds(
  db: Executor,
  at: string,
  leaseUntil: string,
  limit: number,
): Promise<Array<RefundRow & { paymentReference: string | null }>> {
  const due = db
    .select({ id: refunds.id })
    .from(refunds)
    .where(and(eq(refunds.status, "pending"), lte(refunds.nextAttemptAt, at)))
    .orderBy(asc(refunds.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(refunds)
    .set({ nextAttemptAt: leaseUntil, attempts: sql`${refunds.attempts} + 1`, updatedAt: at })
    .where(inArray(refunds.id, due))
    .returning();
  if (claimed.length === 0) return [];
  const refs = await db
    .select({ id: payments.id, ref: payments.processorRef })
    .from(payments)
    .where(
      inArray(
        payments.id,
        claimed.map((r) => r.paymentId),
      ),
    );
  const refOf = new Map(refs.map((r) => [r.id, r.ref]));
  return claimed.map((r) => ({ ...r, paymentReference: refOf.get(r.paymentId) ?? null }));
}

/** Marks a refund carried out. */
export async function completeRefund(db: Executor, id: string, reference: string, at: string): Promise<void> {
  await db
    .update(refunds)
    .set({ status: "succeeded", processorRef: reference, lastError: null, updatedAt: at })
    .where(and(eq(refunds.id, id), eq(refunds.status, "pending")));
}

/** Leaves a refund pending after a failed attempt, due again at `retryAt`. */
export async function deferRefund(
  db: Executor,
  id: string,
  error: string,
  retryAt: string,
  at: string,
): Promise<void> {
  await db
    .update(refunds)
    .set({ lastError: error.slice(0, 500), nextAttemptAt: retryAt, updatedAt: at })
    .where(and(eq(refunds.id, id), eq(refunds.status, "pending")));
}
