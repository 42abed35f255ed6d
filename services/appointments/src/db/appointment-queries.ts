import type { AppointmentStatus } from "@carebridge/contracts";
import type { Executor } from "@carebridge/db";
import { and, asc, eq, gt, gte, inArray, lt, or, sql } from "drizzle-orm";
import { type Appointment, toRfc3339 } from "../domain/appointment.ts";
import { appointments } from "./schema.ts";

const columns = {
  id: appointments.id,
  patientId: appointments.patientId,
  doctorId: appointments.doctorId,
  specialty: appointments.specialty,
  startAt: appointments.startAt,
  endAt: appointments.endAt,
  mode: appointments.mode,
  reason: appointments.reason,
  status: appointments.status,
  createdAt: appointments.createdAt,
  updatedAt: appointments.updatedAt,
};

type Row = { startAt: Date; endAt: Date; createdAt: Date; updatedAt: Date } & Omit<
  Appointment,
  "start" | "end" | "createdAt" | "updatedAt"
>;

const toAppointment = ({ startAt, endAt, createdAt, updatedAt, ...rest }: Row): Appointment => ({
  ...rest,
  start: toRfc3339(startAt),
  end: toRfc3339(endAt),
  createdAt: toRfc3339(createdAt),
  updatedAt: toRfc3339(updatedAt),
});

/** The appointment, or undefined; `forUpdate` locks the row for the rest of the transaction. */
export async function findAppointment(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Appointment | undefined> {
  const query = db.select(columns).from(appointments).where(eq(appointments.id, id));
  const [row] = options.forUpdate ? await query.for("update") : await query;
  return row ? toAppointment(row) : undefined;
}

/** Sets status (and cancel reason) as of `nowMs`; returns the updated appointment. */
export async function updateStatus(
  db: Executor,
  id: string,
  change: { status: AppointmentStatus; cancelReason?: string | null; nowMs: number },
): Promise<Appointment> {
  const { status, cancelReason, nowMs } = change;
  const [row] = await db
    .update(appointments)
    .set({ status, ...(cancelReason === undefined ? {} : { cancelReason }), updatedAt: new Date(nowMs) })
    .where(eq(appointments.id, id))
    .returning(columns);
  if (!row) throw new Error(`appointment ${id} vanished`);
  return toAppointment(row);
}

/** Moves a booked appointment as of `nowMs`; throws an exclusion violation when the new time is taken. */
export async function moveAppointment(
  db: Executor,
  id: string,
  slot: { startMs: number; endMs: number; nowMs: number },
): Promise<Appointment> {
  const [row] = await db
    .update(appointments)
    .set({ startAt: new Date(slot.startMs), endAt: new Date(slot.endMs), updatedAt: new Date(slot.nowMs) })
    .where(eq(appointments.id, id))
    .returning(columns);
  if (!row) throw new Error(`appointment ${id} vanished`);
  return toAppointment(row);
}

/** Filters of {@link listAppointments}; `after` is the last (start, id) already returned. */
export interface AppointmentFilter {
  patientId?: string;
  doctorId?: string;
  fromMs?: number;
  toMs?: number;
  status?: AppointmentStatus;
  after?: { startMs: number; id: string };
  limit: number;
}

/** Appointments by start then id. */
export async function listAppointments(db: Executor, f: AppointmentFilter): Promise<Appointment[]> {
  const t = appointments;
  const rows = await db
    .select(columns)
    .from(t)
    .where(
      and(
        f.patientId === undefined ? undefined : eq(t.patientId, f.patientId),
        f.doctorId === undefined ? undefined : eq(t.doctorId, f.doctorId),
        f.fromMs === undefined ? undefined : gte(t.startAt, new Date(f.fromMs)),
        f.toMs === undefined ? undefined : lt(t.startAt, new Date(f.toMs)),
        f.status === undefined ? undefined : eq(t.status, f.status),
        f.after
          ? or(
              gt(t.startAt, new Date(f.after.startMs)),
              and(eq(t.startAt, new Date(f.after.startMs)), gt(t.id, f.after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(t.startAt), asc(t.id))
    .limit(f.limit);
  return rows.map(toAppointment);
}

/** An appointment lasts one slot, at most 480 minutes (availability's limit); a day bounds it safely. */
const LONGEST_APPOINTMENT_MS = 24 * 3_600_000;

/** Booked intervals of these doctors overlapping `[fromMs, toMs)`. */
export async function bookedIntervals(
  db: Executor,
  doctorIds: string[],
  fromMs: number,
  toMs: number,
): Promise<Array<{ doctorId: string; startMs: number; endMs: number }>> {
  if (doctorIds.length === 0) return [];
  const t = appointments;
  // One JSON value instead of thousands of rows: a slot search over a month of 50 doctors reads
  // this in a fraction of the time the row-by-row decoding takes. The plan (EXPLAIN ANALYZE, one
  // day of 50 doctors among 170 000 appointments) must be a range scan of (doctor_id, start_at):
  // - the lower bound on start_at keeps it from reading every earlier appointment (17 ms → 1 ms);
  // - `status` is filtered in the aggregate, not in WHERE: a WHERE status = 'booked' lets the
  //   planner (with statistics not yet updated after many inserts) AND in the partial GiST index,
  //   which it then reads whole (28 ms → 1 ms).
  const [row] = await db
    .select({
      json: sql<string>`coalesce(json_agg(json_build_array(${t.doctorId},
        (extract(epoch FROM ${t.startAt}) * 1000)::bigint, (extract(epoch FROM ${t.endAt}) * 1000)::bigint))
        FILTER (WHERE ${t.status} = 'booked'), '[]')::text`,
    })
    .from(t)
    .where(
      and(
        inArray(t.doctorId, doctorIds),
        lt(t.startAt, new Date(toMs)),
        gt(t.endAt, new Date(fromMs)),
        gt(t.startAt, new Date(fromMs - LONGEST_APPOINTMENT_MS)),
      ),
    );
  const tuples = JSON.parse(row?.json ?? "[]") as Array<[string, number, number]>;
  return tuples.map(([doctorId, startMs, endMs]) => ({ doctorId, startMs, endMs }));
}
