import { type CloudEvent, makeEvent } from "@carebridge/contracts";
import type { InvoiceRow } from "../db/invoice-queries.ts";
import { isoString } from "../db/timestamps.ts";

/** The `source` of every event billing emits. */
export const BILLING_SOURCE = "/carebridge/billing";

const EVENT_OF_STATUS = { open: "invoice.issued", void: "invoice.voided", paid: "invoice.paid" } as const;

/**
 * The event for an invoice's current state: `invoice.issued` (open), `invoice.voided` or
 * `invoice.paid`. Each carries the full current amounts, so a consumer upserts by invoiceId
 * (a fee replacing the consultation is a new `invoice.issued` for the same invoice).
 */
export function invoiceEvent(row: InvoiceRow, occurredAt: string, correlationId?: string): CloudEvent {
  const data = {
    invoiceId: row.id,
    appointmentId: row.appointmentId,
    patientId: row.patientId,
    status: row.status,
    currency: row.currency,
    totalCents: row.totalCents,
    insuranceCoveredCents: row.insuranceCoveredCents,
    patientDueCents: row.patientDueCents,
    paidCents: row.paidCents,
    occurredAt: isoString(occurredAt),
  };
  return makeEvent(EVENT_OF_STATUS[row.status], data, { source: BILLING_SOURCE, correlationId });
}

/** `claim.submitted`: the insured share of an invoice, claimed from the patient's plan. */
export function claimEvent(
  row: InvoiceRow,
  claimId: string,
  occurredAt: string,
  correlationId?: string,
): CloudEvent {
  return makeEvent(
    "claim.submitted",
    {
      claimId,
      invoiceId: row.id,
      patientId: row.patientId,
      planId: row.planId,
      memberId: row.memberId,
      amountCents: row.insuranceCoveredCents,
      currency: row.currency,
      occurredAt: isoString(occurredAt),
    },
    { source: BILLING_SOURCE, correlationId },
  );
}
