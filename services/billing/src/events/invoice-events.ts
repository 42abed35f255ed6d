import {
  type ClaimSubmitted,
  type ClaimWithdrawn,
  type CloudEvent,
  dataschemaOf,
  type EventData,
  type InvoiceIssued,
  keyOf,
} from "@carebridge/contracts";
import type { InvoiceRow } from "../db/invoice-queries.ts";
import { isoString } from "../db/timestamps.ts";

/** The `source` of every event billing emits. */
export const BILLING_SOURCE = "/carebridge/billing";

const EVENT_OF_STATUS = { open: "invoice.issued", void: "invoice.voided", paid: "invoice.paid" } as const;

type BillingEventType =
  | (typeof EVENT_OF_STATUS)[keyof typeof EVENT_OF_STATUS]
  | "claim.submitted"
  | "claim.withdrawn";

/**
 * The envelope `makeEvent` would build, without running the zod schemas again: a consumer batch
 * emits thousands of these, and validating each cost ~15 % of the batch. The data is typed against
 * the contract here; its value rules hold by construction: every invoice event describes the row
 * written in the same transaction, whose CHECK constraints are the schema's refinements (split,
 * non-negative integers, paid ≤ due), its status picks the type, ids are UUIDs billing made or read
 * from validated events, `occurredAt` is `toISOString()`. `invoice-events.test.ts` checks every
 * outcome × plan × payment, and the consumer tests every outbox row, against the contract's schemas.
 */
function billingEvent<T extends BillingEventType>(
  type: T,
  data: EventData<T>,
  correlationId: string | undefined,
): CloudEvent<EventData<T>> {
  return {
    specversion: "1.0",
    id: Bun.randomUUIDv7(),
    source: BILLING_SOURCE,
    type,
    time: new Date().toISOString(),
    subject: keyOf(type, data),
    datacontenttype: "application/json",
    dataschema: dataschemaOf(type),
    ...(correlationId ? { correlationid: correlationId } : {}),
    data,
  };
}

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
  } satisfies InvoiceIssued;
  return billingEvent(EVENT_OF_STATUS[row.status], data, correlationId);
}

/** `claim.submitted`: the insured share of an invoice, claimed from the patient's plan. */
export function claimEvent(
  row: InvoiceRow,
  claimId: string,
  occurredAt: string,
  correlationId?: string,
): CloudEvent {
  if (row.insuranceCoveredCents <= 0) throw new Error(`invoice ${row.id}: nothing to claim`);
  const data = {
    claimId,
    invoiceId: row.id,
    patientId: row.patientId,
    planId: row.planId,
    memberId: row.memberId,
    amountCents: row.insuranceCoveredCents,
    currency: row.currency,
    occurredAt: isoString(occurredAt),
  } satisfies ClaimSubmitted;
  return billingEvent("claim.submitted", data, correlationId);
}

/**
 * `claim.withdrawn`: the claim `claimId` submitted for this invoice is no longer owed by the plan —
 * the invoice was voided, or its coverage was lost (the uncovered late-cancellation / no-show fee).
 */
export function claimWithdrawnEvent(
  row: InvoiceRow,
  claimId: string,
  occurredAt: string,
  correlationId?: string,
): CloudEvent {
  if (row.status !== "void" && row.insuranceCoveredCents > 0)
    throw new Error(`invoice ${row.id}: its claim still stands`);
  const data = {
    claimId,
    invoiceId: row.id,
    appointmentId: row.appointmentId,
    patientId: row.patientId,
    reason: row.status === "void" ? "invoice-voided" : "coverage-lost",
    occurredAt: isoString(occurredAt),
  } satisfies ClaimWithdrawn;
  return billingEvent("claim.withdrawn", data, correlationId);
}
