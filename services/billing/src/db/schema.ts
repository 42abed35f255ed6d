import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { AppointmentFacts } from "../domain/appointment-facts.ts";
import type { Charge, InvoiceLine } from "../domain/money.ts";

const PLAN_IDS = ["none", "basic", "plus", "premium"] as const;

/**
 * One invoice per appointment (the unique constraint is the guarantee, whatever Kafka redelivers).
 * Any event of an appointment creates its invoice, so the invoice row also carries the appointment's
 * facts: one row written per event.
 */
export const invoices = pgTable(
  "invoices",
  {
    id: uuid("id").primaryKey(),
    appointmentId: uuid("appointment_id").notNull().unique("invoices_appointment_id_key"),
    patientId: uuid("patient_id").notNull(),
    status: text("status", { enum: ["open", "paid", "void"] }).notNull(),
    currency: text("currency").notNull(),
    lines: jsonb("lines").$type<InvoiceLine[]>().notNull(),
    totalCents: integer("total_cents").notNull(),
    insuranceCoveredCents: integer("insurance_covered_cents").notNull(),
    patientDueCents: integer("patient_due_cents").notNull(),
    paidCents: integer("paid_cents").notNull().default(0),
    /** Paid, then owed back to the patient (a refund row each), because the amount due dropped. */
    refundedCents: integer("refunded_cents").notNull().default(0),
    /** The consultation charge fixed at issue (plan known then); the outcome derives from it. */
    consultation: jsonb("consultation").$type<Charge>().notNull(),
    planId: text("plan_id", { enum: PLAN_IDS }).notNull(),
    memberId: text("member_id"),
    /** What billing knows of the appointment, from all its events in any order; the invoice derives from it. */
    facts: jsonb("facts").$type<AppointmentFacts>().notNull(),
    /** The standing claim (`claim.submitted` emitted); cleared when `claim.withdrawn` is emitted. */
    claimId: uuid("claim_id"),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "string" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [
    index("invoices_patient_idx").on(t.patientId, t.id),
    index("invoices_status_idx").on(t.status, t.id),
    check("invoices_split", sql`${t.insuranceCoveredCents} + ${t.patientDueCents} = ${t.totalCents}`),
    check(
      "invoices_amounts",
      sql`${t.totalCents} >= 0 AND ${t.insuranceCoveredCents} >= 0 AND ${t.patientDueCents} >= 0 AND ${t.paidCents} >= 0 AND ${t.paidCents} <= ${t.patientDueCents} AND ${t.refundedCents} >= 0`,
    ),
  ],
);

/** Each patient's plan as last learned from `patients` events (the highest record version wins). */
export const patientPlans = pgTable("patient_plans", {
  patientId: uuid("patient_id").primaryKey(),
  planId: text("plan_id", { enum: PLAN_IDS }).notNull(),
  memberId: text("member_id"),
  version: integer("version").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Card payments. A row is written `pending` before the processor is charged (with the row id as
 * the processor's idempotency key), then settled; at most one pending payment per invoice.
 */
export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey(),
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    amountCents: integer("amount_cents").notNull(),
    method: text("method", { enum: ["card"] }).notNull(),
    status: text("status", { enum: ["pending", "succeeded", "declined", "failed"] }).notNull(),
    processorRef: text("processor_ref"),
    failure: text("failure"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [
    uniqueIndex("payments_one_pending_idx").on(t.invoiceId).where(sql`${t.status} = 'pending'`),
    check("payments_positive", sql`${t.amountCents} > 0`),
  ],
);

/**
 * Money owed back to a patient: written `pending` in the transaction that lowered what the invoice
 * asks for (or settled a payment the invoice no longer needed), against one succeeded payment; the
 * refund worker carries it out through the processor, with the row id as its idempotency key.
 */
export const refunds = pgTable(
  "refunds",
  {
    id: uuid("id").primaryKey(),
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => payments.id),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ["pending", "succeeded"] }).notNull(),
    processorRef: text("processor_ref"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** A pending refund is not tried again before this (a worker's lease, or the back-off after a failure). */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "string" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [
    index("refunds_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("refunds_payment_idx").on(t.paymentId),
    check("refunds_positive", sql`${t.amountCents} > 0`),
  ],
);

/** Append-only record of every read of invoices (patients' data); triggers refuse UPDATE, DELETE, TRUNCATE. */
export const billingAudit = pgTable(
  "billing_audit",
  {
    id: uuid("id").primaryKey(),
    actorUserId: uuid("actor_user_id").notNull(),
    actorRole: text("actor_role").notNull(),
    patientId: uuid("patient_id").notNull(),
    resource: text("resource").notNull(),
    action: text("action").notNull(),
    requestId: text("request_id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [index("billing_audit_patient_idx").on(t.patientId, t.at)],
);
