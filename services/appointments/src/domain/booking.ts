import type { BookingRejectionCode, CloudEvent } from "@carebridge/contracts";
import type { Executor } from "@carebridge/db";
import { enqueueEvents } from "@carebridge/kafka";
import { insertAppointment } from "../db/appointment-queries.ts";
import { lockDoctor, patientExists } from "../db/doctor-queries.ts";
import { type Appointment, toRfc3339 } from "./appointment.ts";
import { DAY_MS, slotAt } from "./availability.ts";

/** How far ahead an appointment can be booked. */
export const BOOKING_HORIZON_DAYS = 180;

/** A booking rule refused the request; `code` is the contract's rejection code. */
export class BookingRejection extends Error {
  override readonly name = "BookingRejection";
  constructor(
    readonly code: BookingRejectionCode,
    message: string,
  ) {
    super(message);
  }
}

/** What is asked for: one patient, one doctor, one start (epoch ms). */
export interface BookingInput {
  patientId: string;
  doctorId: string;
  startMs: number;
  mode: Appointment["mode"];
  reason: string | null;
}

/**
 * Checks a start against a doctor's rules: in the future, within the horizon, exactly on one of
 * the doctor's slots. Returns the slot's end; throws a {@link BookingRejection}.
 */
export function checkStart(
  doctor: Parameters<typeof slotAt>[0],
  startMs: number,
  nowMs: number,
): { endMs: number } {
  if (startMs <= nowMs) throw new BookingRejection("in_past", "The start is in the past.");
  if (startMs > nowMs + BOOKING_HORIZON_DAYS * DAY_MS) {
    throw new BookingRejection(
      "invalid_slot",
      `Appointments can be booked at most ${BOOKING_HORIZON_DAYS} days ahead.`,
    );
  }
  const slot = slotAt(doctor, startMs);
  if (!slot) throw new BookingRejection("invalid_slot", "The start is not one of the doctor's slots.");
  return { endMs: slot.endMs };
}

/**
 * The booking rules, for HTTP and for Kafka booking requests alike: the doctor exists and has a
 * specialty, the patient is known (unless the caller already proved it, e.g. a patient's own
 * token), and the start passes {@link checkStart}. Then the booked row is inserted; an overlap is
 * refused by the database's exclusion constraint (SQLSTATE 23P01, which aborts the transaction:
 * callers map it to `slot_taken`).
 */
export async function bookAppointment(
  tx: Executor,
  input: BookingInput,
  options: {
    nowMs: number;
    checkPatient: boolean;
    /** Events to enqueue with the booking: sent together with the insert (one round trip less). */
    events?: (booked: Appointment) => CloudEvent[];
  },
): Promise<Appointment> {
  const doctor = await lockDoctor(tx, input.doctorId);
  if (!doctor?.specialty) throw new BookingRejection("unknown_doctor", "No bookable doctor has this id.");
  if (options.checkPatient && !(await patientExists(tx, input.patientId))) {
    throw new BookingRejection("unknown_patient", "No patient has this id.");
  }
  const { endMs } = checkStart(doctor, input.startMs, options.nowMs);
  const now = toRfc3339(options.nowMs);
  const appointment: Appointment = {
    id: Bun.randomUUIDv7(),
    patientId: input.patientId,
    doctorId: doctor.id,
    specialty: doctor.specialty,
    start: toRfc3339(input.startMs),
    end: toRfc3339(endMs),
    mode: input.mode,
    reason: input.reason,
    status: "booked",
    createdAt: now,
    updatedAt: now,
  };
  if (options.events) {
    // Issued together, so the driver pipelines them; a 23P01 from the insert rejects first.
    await Promise.all([insertAppointment(tx, appointment), enqueueEvents(tx, options.events(appointment))]);
  } else {
    await insertAppointment(tx, appointment);
  }
  return appointment;
}
