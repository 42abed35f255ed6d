import type { Tx } from "@carebridge/db";
import { conflict } from "@carebridge/http";
import { enqueueEvents } from "@carebridge/kafka";
import { moveAppointment, updateStatus } from "../db/appointment-queries.ts";
import { lockDoctor } from "../db/doctor-queries.ts";
import type { Appointment } from "./appointment.ts";
import { appointmentEvent } from "./appointment-events.ts";
import { BookingRejection, checkStart } from "./booking.ts";
import { type AppointmentCommand, transition } from "./state-machine.ts";

/**
 * A reschedule is allowed only while the current start is more than this far away; later the
 * patient can still cancel, which billing charges as a late cancellation (so moving the
 * appointment first cannot dodge the late-cancellation fee).
 */
export const RESCHEDULE_CUTOFF_MS = 24 * 3_600_000;

/** Why `command` cannot be done now, by time (with its problem code): null when it can. */
export function timingProblem(
  command: AppointmentCommand,
  appointment: Appointment,
  nowMs: number,
): { code: "invalid-transition" | "reschedule-window-closed"; message: string } | null {
  const startMs = Date.parse(appointment.start);
  const started = startMs <= nowMs;
  const alreadyStarted = {
    code: "invalid-transition",
    message: "The appointment has already started; it can only be completed or marked a no-show.",
  } as const;
  switch (command) {
    case "cancel":
      return started ? alreadyStarted : null;
    case "reschedule":
      if (started) return alreadyStarted;
      return startMs - nowMs > RESCHEDULE_CUTOFF_MS
        ? null
        : {
            code: "reschedule-window-closed",
            message:
              "An appointment can only be rescheduled more than 24 hours before its start; it can still be cancelled.",
          };
    case "complete":
    case "no-show":
      return started ? null : { code: "invalid-transition", message: "The appointment has not started yet." };
    default:
      return command satisfies never;
  }
}

/** 409 unless the state machine and the clock allow `command`. */
function assertAllowed(command: AppointmentCommand, appointment: Appointment, nowMs: number): void {
  const result = transition(appointment.status, command);
  if (!result.ok) throw conflict(result.reason, { code: "invalid-transition" });
  const problem = timingProblem(command, appointment, nowMs);
  if (problem) throw conflict(problem.message, { code: problem.code });
}

/** Cancels, completes or marks no-show (the row locked by the caller) with its event, in `tx`. */
export async function applyStatusCommand(
  tx: Tx,
  appointment: Appointment,
  command: "cancel" | "complete" | "no-show",
  options: { nowMs: number; reason?: string | null },
): Promise<Appointment> {
  assertAllowed(command, appointment, options.nowMs);
  const next = transition(appointment.status, command);
  if (!next.ok) throw new Error("unreachable");
  const reason = options.reason ?? null;
  const updated = await updateStatus(tx, appointment.id, {
    status: next.next,
    cancelReason: command === "cancel" ? reason : undefined,
    nowMs: options.nowMs,
  });
  const change =
    command === "cancel"
      ? ({ type: "appointment.cancelled", reason } as const)
      : command === "complete"
        ? ({ type: "appointment.completed" } as const)
        : ({ type: "appointment.no-show" } as const);
  await enqueueEvents(tx, [appointmentEvent(updated, change)]);
  return updated;
}

/**
 * Moves a booked appointment (row locked by the caller) to another slot of its doctor, with its
 * event, in `tx`. A taken slot raises the exclusion violation, which rolls the whole transaction
 * back: the old time stays.
 */
export async function reschedule(
  tx: Tx,
  appointment: Appointment,
  startMs: number,
  nowMs: number,
): Promise<Appointment> {
  assertAllowed("reschedule", appointment, nowMs);
  if (startMs === Date.parse(appointment.start)) {
    throw new BookingRejection("invalid_slot", "The appointment is already at this time.");
  }
  const doctor = await lockDoctor(tx, appointment.doctorId);
  if (!doctor) throw new BookingRejection("unknown_doctor", "The doctor is no longer known.");
  const { endMs } = checkStart(doctor, startMs, nowMs);
  const moved = await moveAppointment(tx, appointment.id, { startMs, endMs, nowMs });
  await enqueueEvents(tx, [
    appointmentEvent(moved, { type: "appointment.rescheduled", previousStart: appointment.start }),
  ]);
  return moved;
}
