import type { BookingRejectionCode, CloudEvent } from "@carebridge/contracts";
import type { Executor } from "@carebridge/db";
import type { AuditRecord } from "@carebridge/http";
import { executorRunner, insertBooking, type StatementRunner } from "../db/booking-statement.ts";
import type { DoctorCache } from "../db/doctor-cache.ts";
import { type DoctorRecord, lockDoctor, patientExists } from "../db/doctor-queries.ts";
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

/** Where a booking reads and writes. */
export interface BookingStore {
  /** Runs the booking statement outside a transaction (prepared on PostgreSQL). */
  run: StatementRunner;
  /** Reads outside a transaction. */
  db: Executor;
  /** Remembered doctors: with them a booking first tries one statement against the remembered row. */
  doctors?: DoctorCache;
  /** Runs `fn` in a transaction (or the caller's own, already open). */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

/**
 * The booking rules, for HTTP and for Kafka booking requests alike: the doctor exists and has a
 * specialty, the patient is known (unless the caller already proved it, e.g. a patient's own
 * token), and the start passes {@link checkStart}. The booked row (and its event's outbox row)
 * is inserted by one statement that also locks the doctor row (see insertBooking); an overlap is
 * refused by the database's exclusion constraint (SQLSTATE 23P01: callers map it to `slot_taken`).
 *
 * With a doctor cache the rules are first applied to the remembered doctor and the statement
 * inserts only if the locked row still equals it: one round trip. If it does not (the doctor was
 * changed elsewhere), or the remembered doctor refuses the booking, the answer comes from the
 * locked path: lock the doctor row, apply the rules to it, insert, in one transaction.
 */
export async function bookAppointment(
  store: BookingStore,
  input: BookingInput,
  options: BookingOptions,
): Promise<Appointment> {
  const remembered = store.doctors && (await store.doctors.doctor(store.db, input.doctorId));
  if (remembered) {
    try {
      const appointment = plan(remembered, input, options);
      if (options.checkPatient && !(await patientExists(store.db, input.patientId))) {
        throw new BookingRejection("unknown_patient", "No patient has this id.");
      }
      const write = await insertBooking(
        store.run,
        appointment,
        remembered,
        options.event?.(appointment),
        options.audit,
      );
      if (write.inserted) return appointment;
    } catch (error) {
      if (!(error instanceof BookingRejection)) throw error;
    }
  }
  return store.transaction(async (tx) => {
    const doctor = await lockDoctor(tx, input.doctorId);
    if (doctor) store.doctors?.remember(doctor);
    if (!doctor?.specialty) throw new BookingRejection("unknown_doctor", "No bookable doctor has this id.");
    if (options.checkPatient && !(await patientExists(tx, input.patientId))) {
      throw new BookingRejection("unknown_patient", "No patient has this id.");
    }
    const appointment = plan(doctor, input, options);
    const write = await insertBooking(
      executorRunner(tx),
      appointment,
      doctor,
      options.event?.(appointment),
      options.audit,
    );
    // The row is locked by this transaction since it was read: it cannot differ.
    if (!write.inserted) throw new Error(`doctor ${doctor.id} changed under its own lock`);
    return appointment;
  });
}

/** Options of {@link bookAppointment}. */
export interface BookingOptions {
  nowMs: number;
  checkPatient: boolean;
  /** The event to enqueue with the booking, in the same statement. */
  event?: (booked: Appointment) => CloudEvent;
  /** The audit record of answering with the booking (HTTP), written in the same statement. */
  audit?: AuditRecord;
}

/** The appointment a doctor's rules allow for `input`; throws a {@link BookingRejection}. */
function plan(doctor: DoctorRecord, input: BookingInput, options: BookingOptions): Appointment {
  if (!doctor.specialty) throw new BookingRejection("unknown_doctor", "No bookable doctor has this id.");
  const { endMs } = checkStart(doctor, input.startMs, options.nowMs);
  const now = toRfc3339(options.nowMs);
  return {
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
}
