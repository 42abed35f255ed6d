import { type CloudEvent, makeEvent } from "@carebridge/contracts";
import type { Appointment } from "./appointment.ts";

/** The `source` of events this service publishes. */
export const EVENT_SOURCE = "/carebridge/appointments";

const fields = (a: Appointment, occurredAt: string) => ({
  appointmentId: a.id,
  patientId: a.patientId,
  doctorId: a.doctorId,
  specialty: a.specialty,
  start: a.start,
  end: a.end,
  mode: a.mode,
  status: a.status,
  occurredAt,
});

/** What happened to an appointment, with what the event type needs beyond the appointment. */
export type AppointmentChange =
  | { type: "appointment.booked" }
  | { type: "appointment.cancelled"; reason: string | null }
  | { type: "appointment.rescheduled"; previousStart: string }
  | { type: "appointment.completed" }
  | { type: "appointment.no-show" };

/** The contract event of a change, keyed (by the registry) by appointment id; `occurredAt` = updatedAt. */
export function appointmentEvent(
  appointment: Appointment,
  change: AppointmentChange,
  correlationId?: string,
): CloudEvent {
  const base = fields(appointment, appointment.updatedAt);
  const options = { source: EVENT_SOURCE, ...(correlationId ? { correlationId } : {}) };
  switch (change.type) {
    case "appointment.booked":
      return makeEvent(change.type, base, options);
    case "appointment.cancelled":
      return makeEvent(change.type, { ...base, reason: change.reason }, options);
    case "appointment.rescheduled":
      return makeEvent(change.type, { ...base, previousStart: change.previousStart }, options);
    case "appointment.completed":
      return makeEvent(change.type, base, options);
    case "appointment.no-show":
      return makeEvent(change.type, base, options);
    default:
      return change satisfies never;
  }
}
