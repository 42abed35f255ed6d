import type { EventDataInput, EventType } from "./registry.ts";

// Realistic data for every event type, for tests and docs. Not exported from the package.

const patientId = "01935f3c-7a2b-7c1d-8e4f-5a6b7c8d9e0f";
const userId = "01935f3c-6f00-7a1b-9c2d-3e4f5a6b7c8d";
const doctorId = "01935f3c-8b11-7d22-a333-444455556666";
const appointmentId = "01935f3d-0000-7111-8222-333344445555";
const requestId = "01935f3d-1111-7222-9333-444455556666";
const invoiceId = "01935f3d-2222-7333-a444-555566667777";
const labResultId = "01935f3d-3333-7444-b555-666677778888";
const alertId = "01935f3d-4444-7555-8666-777788889999";

const appointmentFields = {
  appointmentId,
  patientId,
  doctorId,
  specialty: "Cardiology",
  start: "2026-11-23T14:00:00Z",
  end: "2026-11-23T14:30:00Z",
  mode: "in-person",
} as const;

const appointment = { ...appointmentFields, occurredAt: "2026-11-20T10:15:42.123Z" } as const;

const invoice = {
  invoiceId,
  appointmentId,
  patientId,
  currency: "EUR",
  totalCents: 15000,
  insuranceCoveredCents: 7800,
  patientDueCents: 7200,
  occurredAt: "2026-11-20T10:15:43Z",
} as const;

/** One valid data example per event type. */
export const EXAMPLES: { readonly [T in EventType]: EventDataInput<T> } = {
  "user.registered": { id: userId, email: "patient@example.com", name: "Pat Example", role: "patient" },
  "patient.registered": {
    patientId,
    userId,
    name: "Pat Example",
    email: "patient@example.com",
    insurance: { planId: "none", memberId: null },
    version: 1,
    occurredAt: "2026-11-01T08:00:00Z",
  },
  "patient.updated": {
    patientId,
    userId,
    name: "Pat Example",
    email: "patient@example.com",
    insurance: { planId: "basic", memberId: "BAS-0042-17" },
    version: 2,
    occurredAt: "2026-11-02T09:30:00Z",
    changedFields: ["insurance"],
  },
  "appointment.booked": { ...appointment, status: "booked" },
  "appointment.cancelled": { ...appointment, status: "cancelled", reason: "Feeling better" },
  "appointment.rescheduled": { ...appointment, status: "booked", previousStart: "2026-11-22T14:00:00Z" },
  "appointment.completed": { ...appointment, status: "completed" },
  "appointment.no-show": { ...appointment, status: "no-show" },
  "booking.requested": { requestId, patientId, doctorId, start: "2026-11-23T14:00:00Z", mode: "telehealth" },
  "booking.confirmed": { ...appointmentFields, requestId, status: "booked" },
  "booking.rejected": { requestId, code: "slot_taken", reason: "The slot 2026-11-23T14:00:00Z is taken" },
  "labresult.recorded": {
    labResultId,
    reportId: "01935f3d-5555-7666-9777-888899990000",
    patientId,
    collectedAt: "2026-11-20T08:30:00Z",
    receivedAt: "2026-11-20T11:02:17Z",
    analytes: [
      { name: "Hemoglobin", value: 13.5, unit: "g/dL", refLow: 12, refHigh: 16, flag: "N" },
      { name: "Glucose (fasting)", value: 180, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" },
      { name: "Vitamin D", value: 41, unit: "ng/mL", refLow: 30, refHigh: null, flag: "N" },
    ],
  },
  "alert.raised": {
    alertId,
    patientId,
    labResultId,
    severity: "critical",
    summary: "Glucose (fasting) 180 mg/dL above 99",
    createdAt: "2026-11-20T11:02:18Z",
  },
  "alert.acknowledged": {
    alertId,
    patientId,
    acknowledgedBy: doctorId,
    acknowledgedAt: "2026-11-20T12:00:00Z",
  },
  "invoice.issued": { ...invoice, status: "open", paidCents: 0 },
  "invoice.voided": { ...invoice, status: "void", paidCents: 0 },
  "invoice.paid": { ...invoice, status: "paid", paidCents: 7200 },
  "claim.submitted": {
    claimId: "01935f3d-6666-7777-a888-999900001111",
    invoiceId,
    patientId,
    planId: "basic",
    memberId: "BAS-0042-17",
    amountCents: 7800,
    currency: "EUR",
    occurredAt: "2026-11-20T10:15:44Z",
  },
  "claim.withdrawn": {
    claimId: "01935f3d-6666-7777-a888-999900001111",
    invoiceId,
    appointmentId,
    patientId,
    reason: "coverage-lost",
    occurredAt: "2026-11-21T09:00:00Z",
  },
  "window.result": {
    windowStart: "2026-11-20T10:15:00Z",
    windowEnd: "2026-11-20T10:16:00Z",
    specialty: "Cardiology",
    booked: 3,
    cancelled: 1,
    final: false,
    emittedAt: "2026-11-20T10:16:05Z",
  },
};
