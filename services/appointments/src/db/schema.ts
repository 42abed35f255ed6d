import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import type { DateException, WeeklyRule } from "../domain/availability.ts";

const tstzrange = customType<{ data: string }>({ dataType: () => "tstzrange" });

/** Doctors, learned from `user.registered` (role doctor); bookable once `specialty` is set. */
export const doctors = pgTable("doctors", {
  id: uuid("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull(),
  specialty: text("specialty"),
  timeZone: text("time_zone").notNull().default("UTC"),
  slotMinutes: integer("slot_minutes").notNull().default(30),
  weekly: jsonb("weekly").$type<WeeklyRule[]>().notNull().default([]),
  exceptions: jsonb("exceptions").$type<DateException[]>().notNull().default([]),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Patients, learned from `user.registered` (role patient): who may be booked for. */
export const patients = pgTable("patients", {
  id: uuid("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Appointments. `during` is derived from start/end; the EXCLUDE constraint over it (migration
 * 0001) makes two booked appointments of one doctor that overlap impossible.
 */
export const appointments = pgTable(
  "appointments",
  {
    id: uuid("id").primaryKey(),
    patientId: uuid("patient_id").notNull(),
    doctorId: uuid("doctor_id")
      .notNull()
      .references(() => doctors.id),
    specialty: text("specialty").notNull(),
    startAt: timestamp("start_at", { withTimezone: true }).notNull(),
    endAt: timestamp("end_at", { withTimezone: true }).notNull(),
    during: tstzrange("during").notNull().generatedAlwaysAs(sql`tstzrange(start_at, end_at, '[)')`),
    mode: text("mode", { enum: ["in-person", "telehealth"] }).notNull(),
    reason: text("reason"),
    status: text("status", { enum: ["booked", "cancelled", "completed", "no-show"] }).notNull(),
    cancelReason: text("cancel_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("appointments_status_check", sql`${t.status} IN ('booked', 'cancelled', 'completed', 'no-show')`),
    check("appointments_mode_check", sql`${t.mode} IN ('in-person', 'telehealth')`),
    check("appointments_end_after_start", sql`${t.endAt} > ${t.startAt}`),
    index("appointments_patient_start_idx").on(t.patientId, t.startAt),
    index("appointments_doctor_start_idx").on(t.doctorId, t.startAt),
  ],
);

/** Replies to `booking.requested`, by request id: a repeated request gets the same reply. */
export const bookingRequests = pgTable("booking_requests", {
  requestId: uuid("request_id").primaryKey(),
  replyType: text("reply_type", { enum: ["booking.confirmed", "booking.rejected"] }).notNull(),
  reply: jsonb("reply").$type<Record<string, unknown>>().notNull(),
  appointmentId: uuid("appointment_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Append-only record of every read of patient data (a trigger refuses UPDATE, DELETE, TRUNCATE). */
export const phiAudit = pgTable(
  "phi_audit",
  {
    id: uuid("id").primaryKey(),
    actorUserId: text("actor_user_id").notNull(),
    actorRole: text("actor_role").notNull(),
    patientId: uuid("patient_id").notNull(),
    resource: text("resource").notNull(),
    action: text("action").notNull(),
    requestId: text("request_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [index("phi_audit_patient_at_idx").on(t.patientId, t.at)],
);
