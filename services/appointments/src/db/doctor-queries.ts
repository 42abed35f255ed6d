import type { Executor } from "@carebridge/db";
import { and, asc, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Availability } from "../domain/availability.ts";
import { doctors, patients } from "./schema.ts";

/** A doctor with availability, as stored. */
export interface DoctorRecord extends Availability {
  id: string;
  name: string;
  specialty: string | null;
}

const columns = {
  id: doctors.id,
  name: doctors.name,
  specialty: doctors.specialty,
  timeZone: doctors.timeZone,
  slotMinutes: doctors.slotMinutes,
  weekly: doctors.weekly,
  exceptions: doctors.exceptions,
};

/** Remembers a doctor from `user.registered`; a repeat changes nothing. True when inserted. */
export async function insertDoctor(
  db: Executor,
  doctor: { id: string; name: string; email: string },
): Promise<boolean> {
  const rows = await db.insert(doctors).values(doctor).onConflictDoNothing().returning({ id: doctors.id });
  return rows.length > 0;
}

/** Remembers a patient from `user.registered`; a repeat changes nothing. */
export async function insertPatient(db: Executor, patient: { id: string; name: string }) {
  await db.insert(patients).values(patient).onConflictDoNothing();
}

/** Whether the patient is known. */
export async function patientExists(db: Executor, id: string): Promise<boolean> {
  const rows = await db.select({ id: patients.id }).from(patients).where(eq(patients.id, id));
  return rows.length > 0;
}

/** The doctor, or undefined. */
export async function findDoctor(db: Executor, id: string): Promise<DoctorRecord | undefined> {
  const [row] = await db.select(columns).from(doctors).where(eq(doctors.id, id));
  return row;
}

/**
 * The doctor, its row locked (FOR NO KEY UPDATE) until the transaction ends: bookings of one
 * doctor then take turns. Without it, concurrent inserts that conflict under the exclusion
 * constraint wait for each other and PostgreSQL breaks the tie by aborting one with a deadlock
 * (after deadlock_timeout): slow, and a 40P01 instead of a clean 23P01. The constraint remains
 * what guarantees no overlap; the lock only orders the writers.
 */
export async function lockDoctor(db: Executor, id: string): Promise<DoctorRecord | undefined> {
  const result: unknown = await db.execute(sql`
    SELECT id, name, specialty, time_zone AS "timeZone", slot_minutes AS "slotMinutes", weekly, exceptions
    FROM doctors WHERE id = ${id} FOR NO KEY UPDATE`);
  const rows = (Array.isArray(result) ? result : (result as { rows: DoctorRecord[] }).rows) as DoctorRecord[];
  return rows[0];
}

/** The doctor id of a demo account, by e-mail. */
export async function findDoctorIdByEmail(db: Executor, email: string): Promise<string | undefined> {
  const [row] = await db.select({ id: doctors.id }).from(doctors).where(eq(doctors.email, email));
  return row?.id;
}

/** Sets specialty and time zone; returns the doctor, or undefined when unknown. */
export async function updateDoctorProfile(
  db: Executor,
  id: string,
  profile: { specialty: string; timeZone: string },
): Promise<DoctorRecord | undefined> {
  const [row] = await db
    .update(doctors)
    .set({ ...profile, updatedAt: sql`now()` })
    .where(eq(doctors.id, id))
    .returning(columns);
  return row;
}

/** Replaces the availability (and time zone); returns the doctor, or undefined when unknown. */
export async function updateAvailability(
  db: Executor,
  id: string,
  availability: Availability,
): Promise<DoctorRecord | undefined> {
  const [row] = await db
    .update(doctors)
    .set({ ...availability, updatedAt: sql`now()` })
    .where(eq(doctors.id, id))
    .returning(columns);
  return row;
}

/** Bookable doctors (specialty set), optionally of one specialty, ordered by name then id, after a cursor. */
export async function listDoctors(
  db: Executor,
  options: { specialty?: string; after?: { name: string; id: string }; limit: number },
): Promise<DoctorRecord[]> {
  const { specialty, after, limit } = options;
  return db
    .select(columns)
    .from(doctors)
    .where(
      and(
        isNotNull(doctors.specialty),
        specialty === undefined ? undefined : eq(doctors.specialty, specialty),
        after
          ? or(gt(doctors.name, after.name), and(eq(doctors.name, after.name), gt(doctors.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(asc(doctors.name), asc(doctors.id))
    .limit(limit);
}

/** Bookable doctors of a specialty (all of them: slot search spans every one). */
export async function doctorsOfSpecialty(db: Executor, specialty: string): Promise<DoctorRecord[]> {
  return db.select(columns).from(doctors).where(eq(doctors.specialty, specialty));
}

/** Every bookable doctor (specialty set). */
export async function bookableDoctors(db: Executor): Promise<DoctorRecord[]> {
  return db.select(columns).from(doctors).where(isNotNull(doctors.specialty));
}

/** Doctors by id. */
export async function doctorsByIds(db: Executor, ids: string[]): Promise<DoctorRecord[]> {
  if (ids.length === 0) return [];
  return db.select(columns).from(doctors).where(inArray(doctors.id, ids));
}
