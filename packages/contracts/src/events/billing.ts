import { z } from "zod";
import { cents, currencyCode, insurancePlanId, isoDateTime, uuid } from "../primitives.ts";

/** Statuses an invoice can be in. */
export const INVOICE_STATUSES = ["open", "paid", "void"] as const;

/** An invoice status. */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

const invoiceEvent = z.object({
  invoiceId: uuid,
  appointmentId: uuid,
  patientId: uuid,
  status: z.enum(INVOICE_STATUSES),
  currency: currencyCode,
  totalCents: cents,
  insuranceCoveredCents: cents,
  patientDueCents: cents,
  paidCents: cents,
  occurredAt: isoDateTime,
});

type InvoiceShape = z.infer<typeof invoiceEvent>;

function invoiceInvariants(expected: InvoiceStatus) {
  return (value: InvoiceShape, ctx: z.core.$RefinementCtx<InvoiceShape>) => {
    if (value.insuranceCoveredCents + value.patientDueCents !== value.totalCents) {
      ctx.addIssue({
        code: "custom",
        path: ["patientDueCents"],
        message: "insuranceCoveredCents + patientDueCents must equal totalCents",
      });
    }
    if (value.paidCents > value.patientDueCents) {
      ctx.addIssue({
        code: "custom",
        path: ["paidCents"],
        message: "paidCents must not exceed patientDueCents",
      });
    }
    if (value.status !== expected) {
      ctx.addIssue({
        code: "custom",
        path: ["status"],
        message: `status must be "${expected}" for this event`,
      });
    }
  };
}

/** `invoice.issued` v1 on `billing.invoices`: an open invoice for an appointment. */
export const invoiceIssuedV1 = invoiceEvent.superRefine(invoiceInvariants("open"));

/** `invoice.voided` v1 on `billing.invoices`. */
export const invoiceVoidedV1 = invoiceEvent.superRefine(invoiceInvariants("void"));

/** `invoice.paid` v1 on `billing.invoices`. */
export const invoicePaidV1 = invoiceEvent.superRefine(invoiceInvariants("paid"));

/** `claim.submitted` v1 on `billing.insurance-claims`: the insured share of an invoice, claimed from the plan. */
export const claimSubmittedV1 = z.object({
  claimId: uuid,
  invoiceId: uuid,
  patientId: uuid,
  planId: insurancePlanId,
  memberId: z.string().min(1).nullable(),
  amountCents: z.int().positive(),
  currency: currencyCode,
  occurredAt: isoDateTime,
});

/** Why a submitted claim is withdrawn. */
export const CLAIM_WITHDRAWAL_REASONS = ["invoice-voided", "coverage-lost"] as const;

/**
 * `claim.withdrawn` v1 on `billing.insurance-claims` (keyed by invoiceId, so it follows its
 * `claim.submitted`): the claim is no longer owed by the plan — its invoice was voided
 * (`invoice-voided`) or replaced by an uncovered charge such as the late-cancellation fee (`coverage-lost`).
 */
export const claimWithdrawnV1 = z.object({
  claimId: uuid,
  invoiceId: uuid,
  appointmentId: uuid,
  patientId: uuid,
  reason: z.enum(CLAIM_WITHDRAWAL_REASONS),
  occurredAt: isoDateTime,
});

/** Data of `invoice.issued` v1. */
export type InvoiceIssued = z.infer<typeof invoiceIssuedV1>;
/** Data of `invoice.voided` v1. */
export type InvoiceVoided = z.infer<typeof invoiceVoidedV1>;
/** Data of `invoice.paid` v1. */
export type InvoicePaid = z.infer<typeof invoicePaidV1>;
/** Data of `claim.submitted` v1. */
export type ClaimSubmitted = z.infer<typeof claimSubmittedV1>;
/** Data of `claim.withdrawn` v1. */
export type ClaimWithdrawn = z.infer<typeof claimWithdrawnV1>;
