import { z } from "zod";
import { appointmentMode, isoDateTime, uuid } from "../primitives.ts";
import { appointmentFields, appointmentInvariants } from "./appointments.ts";

/** Why a booking request was rejected. */
export const BOOKING_REJECTION_CODES = [
  "slot_taken",
  "invalid_slot",
  "in_past",
  "unknown_doctor",
  "unknown_patient",
  "invalid_request",
] as const;

/** `booking.requested` v1 on `appointments.booking-requests`: an external system asks for a slot. */
export const bookingRequestedV1 = z.object({
  requestId: uuid,
  patientId: uuid,
  doctorId: uuid,
  start: isoDateTime,
  mode: appointmentMode,
  reason: z.string().optional(),
});

/** `booking.confirmed` v1 on `appointments.booking-replies`: the request became this appointment. */
export const bookingConfirmedV1 = appointmentFields
  .extend({ requestId: uuid })
  .superRefine(appointmentInvariants("booked"));

/** `booking.rejected` v1 on `appointments.booking-replies`. */
export const bookingRejectedV1 = z.object({
  requestId: uuid,
  code: z.enum(BOOKING_REJECTION_CODES),
  reason: z.string().min(1),
});

/** Data of `booking.requested` v1. */
export type BookingRequested = z.infer<typeof bookingRequestedV1>;
/** Data of `booking.confirmed` v1. */
export type BookingConfirmed = z.infer<typeof bookingConfirmedV1>;
/** Data of `booking.rejected` v1. */
export type BookingRejected = z.infer<typeof bookingRejectedV1>;
/** A booking rejection code. */
export type BookingRejectionCode = (typeof BOOKING_REJECTION_CODES)[number];
