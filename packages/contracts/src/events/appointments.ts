import { z } from "zod";
import { appointmentMode, isoDateTime, nonEmptyText, uuid } from "../primitives.ts";

/** Statuses an appointment can be in. */
export const APPOINTMENT_STATUSES = ["booked", "cancelled", "completed", "no-show"] as const;

/** An appointment status. */
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** The appointment fields every `appointment.*` event and `booking.confirmed` carry. */
export const appointmentFields = z.object({
  appointmentId: uuid,
  patientId: uuid,
  doctorId: uuid,
  specialty: nonEmptyText,
  start: isoDateTime,
  end: isoDateTime,
  mode: appointmentMode,
  status: z.enum(APPOINTMENT_STATUSES),
});

const appointmentEvent = appointmentFields.extend({
  occurredAt: isoDateTime.describe("When the change happened; the window job's event time."),
});

type AppointmentShape = { start: string; end: string; status: AppointmentStatus };

/** Rejects appointments that end before they start, and (when given) a status the event type cannot carry. */
export function appointmentInvariants<T extends AppointmentShape>(expected?: AppointmentStatus) {
  return (value: T, ctx: z.core.$RefinementCtx<T>) => {
    if (Date.parse(value.end) <= Date.parse(value.start)) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "end must be after start" });
    }
    if (expected !== undefined && value.status !== expected) {
      ctx.addIssue({
        code: "custom",
        path: ["status"],
        message: `status must be "${expected}" for this event`,
      });
    }
  };
}

/** `appointment.booked` v1 on `appointments`. */
export const appointmentBookedV1 = appointmentEvent.superRefine(appointmentInvariants("booked"));

/** `appointment.cancelled` v1 on `appointments`; `reason` is what the canceller gave, if anything. */
export const appointmentCancelledV1 = appointmentEvent
  .extend({ reason: z.string().nullable() })
  .superRefine(appointmentInvariants("cancelled"));

/** `appointment.rescheduled` v1 on `appointments`: moved from `previousStart` to `start`, still booked. */
export const appointmentRescheduledV1 = appointmentEvent
  .extend({ previousStart: isoDateTime })
  .superRefine(appointmentInvariants("booked"));

/** `appointment.completed` v1 on `appointments`. */
export const appointmentCompletedV1 = appointmentEvent.superRefine(appointmentInvariants("completed"));

/** `appointment.no-show` v1 on `appointments`. */
export const appointmentNoShowV1 = appointmentEvent.superRefine(appointmentInvariants("no-show"));

/** Data of `appointment.booked` v1. */
export type AppointmentBooked = z.infer<typeof appointmentBookedV1>;
/** Data of `appointment.cancelled` v1. */
export type AppointmentCancelled = z.infer<typeof appointmentCancelledV1>;
/** Data of `appointment.rescheduled` v1. */
export type AppointmentRescheduled = z.infer<typeof appointmentRescheduledV1>;
/** Data of `appointment.completed` v1. */
export type AppointmentCompleted = z.infer<typeof appointmentCompletedV1>;
/** Data of `appointment.no-show` v1. */
export type AppointmentNoShow = z.infer<typeof appointmentNoShowV1>;
