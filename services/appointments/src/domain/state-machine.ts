import type { AppointmentStatus } from "@carebridge/contracts";

/** What can be done to an appointment. */
export type AppointmentCommand = "cancel" | "reschedule" | "complete" | "no-show";

/** The outcome of a command in a status: the next status, or why it is refused. */
export type Transition = { ok: true; next: AppointmentStatus } | { ok: false; reason: string };

const refuse = (status: AppointmentStatus, command: AppointmentCommand): Transition => ({
  ok: false,
  reason: `An appointment that is ${status} cannot be ${PAST[command]}.`,
});

const PAST: Record<AppointmentCommand, string> = {
  cancel: "cancelled",
  reschedule: "rescheduled",
  complete: "completed",
  "no-show": "marked as a no-show",
};

/**
 * The appointment life cycle, the only place it is defined: a booked appointment can be
 * cancelled, rescheduled (stays booked), completed or marked no-show; every other status is final.
 */
export function transition(status: AppointmentStatus, command: AppointmentCommand): Transition {
  switch (status) {
    case "booked":
      switch (command) {
        case "cancel":
          return { ok: true, next: "cancelled" };
        case "reschedule":
          return { ok: true, next: "booked" };
        case "complete":
          return { ok: true, next: "completed" };
        case "no-show":
          return { ok: true, next: "no-show" };
        default:
          return command satisfies never;
      }
    case "cancelled":
    case "completed":
    case "no-show":
      return refuse(status, command);
    default:
      return status satisfies never;
  }
}
