import { type CloudEvent, EVENT_TYPES, isEventType, keyOf } from "@carebridge/contracts";
import type { Database, Executor } from "@carebridge/db";
import type { AuditRecord } from "@carebridge/http";
import { toRecord } from "@carebridge/kafka";
import { type SQL, sql } from "drizzle-orm";
import type { Appointment } from "../domain/appointment.ts";
import type { DoctorRecord } from "./doctor-queries.ts";

/** Runs one SQL text with `$n` parameters and returns its rows. */
export type StatementRunner = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * A runner over the database's postgres.js client: named prepared statements (parsed once per
 * connection), no query builder, each statement its own transaction. Undefined for PGlite.
 */
export function preparedRunner(database: Database): StatementRunner | undefined {
  if (database.kind !== "postgres") return undefined;
  const client = (database.db as unknown as { $client?: PreparedClient }).$client;
  if (!client) return undefined;
  return (text, params) => client.unsafe(text, params, { prepare: true });
}

interface PreparedClient {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<Record<string, unknown>[]>;
}

/** A runner over a drizzle executor (a transaction, or PGlite): the same SQL text, bound by drizzle. */
export function executorRunner(executor: Executor): StatementRunner {
  return async (text, params) => {
    const result: unknown = await executor.execute(bind(text, params));
    // postgres.js returns the rows (an array with extra properties); PGlite returns { rows }.
    return Array.isArray(result) ? result : ((result as { rows?: Record<string, unknown>[] }).rows ?? []);
  };
}

/** `$n` placeholders of a fixed SQL text as drizzle parameters. */
function bind(text: string, params: unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (const [i, part] of parts.entries()) {
    chunks.push(i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`);
  }
  return sql.join(chunks);
}

const DOCTOR_COLUMNS = `id, name, specialty, time_zone AS "timeZone", slot_minutes AS "slotMinutes", weekly, exceptions`;

/**
 * The booking in one statement: lock the doctor row (FOR NO KEY UPDATE: bookings of one doctor
 * take turns, so conflicting inserts never wait on each other inside the GiST check and deadlock),
 * insert the appointment only if the locked row still is the doctor the caller checked the start
 * against, and insert the outbox row of its event only if the appointment went in. An overlap
 * fails the whole statement with 23P01 from the exclusion constraint, the only overlap guard.
 */
const bookSql = (withEvent: boolean, withAudit: boolean) => `
WITH d AS (
  SELECT ${DOCTOR_COLUMNS} FROM doctors WHERE id = $1 FOR NO KEY UPDATE
), a AS (
  INSERT INTO appointments
    (id, patient_id, doctor_id, specialty, start_at, end_at, mode, reason, status, created_at, updated_at)
  SELECT $2, $3, d.id, d.specialty, $4, $5, $6, $7, 'booked', $8, $8 FROM d
  WHERE d.specialty = $9 AND d."timeZone" = $10 AND d."slotMinutes" = $11
    AND d.weekly = $12::jsonb AND d.exceptions = $13::jsonb
  RETURNING id
)${
  withEvent
    ? `, o AS (
  INSERT INTO outbox (event_id, topic, key, type, headers, payload)
  SELECT $14, $15, $16, $17, $18::jsonb, $19 FROM a
)`
    : ""
}${
  withAudit
    ? `, au AS (
  INSERT INTO phi_audit (id, actor_user_id, actor_role, patient_id, resource, action, request_id, at)
  SELECT $${AUDIT_AT}, $${AUDIT_AT + 1}, $${AUDIT_AT + 2}, $${AUDIT_AT + 3}, $${AUDIT_AT + 4}, $${AUDIT_AT + 5}, $${AUDIT_AT + 6}, $${AUDIT_AT + 7} FROM a
)`
    : ""
}
SELECT d.*, EXISTS (SELECT 1 FROM a) AS inserted FROM d`;
/** Position of the audit record's first parameter (after the booking's 13 and the event's 6). */
const AUDIT_AT = 20;
/** The four statement texts, built once (each is prepared once per connection). */
const STATEMENTS = new Map(
  [false, true].flatMap((withEvent) =>
    [false, true].map((withAudit) => [`${withEvent}/${withAudit}`, bookSql(withEvent, withAudit)] as const),
  ),
);
const statement = (withEvent: boolean, withAudit: boolean) => STATEMENTS.get(`${withEvent}/${withAudit}`)!;

/** What {@link insertBooking} found: the doctor as locked (undefined: gone) and whether it inserted. */
export interface BookingWrite {
  current: (DoctorRecord & { inserted: boolean }) | undefined;
  inserted: boolean;
}

/**
 * Inserts a booked appointment (built by the caller, timestamps included), the outbox row of its
 * event and the audit record of answering with it (when given), provided the doctor row still
 * equals `seen`, in one statement (one round trip): the three commit or fail together. The
 * outbox row is what `enqueueEvents` writes; its per-key advisory lock is left out because the key
 * is this new appointment's id, which no other transaction can know before this one commits.
 */
export async function insertBooking(
  run: StatementRunner,
  a: Appointment,
  seen: DoctorRecord,
  event?: CloudEvent,
  audit?: AuditRecord,
): Promise<BookingWrite> {
  if (audit && !event) throw new Error("insertBooking: an audited booking carries its event");
  const params: unknown[] = [
    a.doctorId,
    a.id,
    a.patientId,
    a.start,
    a.end,
    a.mode,
    a.reason,
    a.createdAt,
    seen.specialty,
    seen.timeZone,
    seen.slotMinutes,
    JSON.stringify(seen.weekly),
    JSON.stringify(seen.exceptions),
  ];
  if (event) {
    if (!isEventType(event.type)) throw new Error(`not a contract event type: ${event.type}`);
    const topic = EVENT_TYPES[event.type].topic;
    // biome-ignore lint/suspicious/noExplicitAny: the registry pairs each type with its data; makeEvent validated it
    const key = keyOf(event.type, event.data as any);
    const record = toRecord(topic, key, event);
    params.push(event.id, topic, key, event.type, JSON.stringify(record.headers), record.value);
  }
  if (audit) {
    params.push(
      audit.id,
      audit.actorUserId,
      audit.actorRole,
      audit.patientId,
      audit.resource,
      audit.action,
      audit.requestId,
      audit.at,
    );
  }
  const [row] = await run(statement(event !== undefined, audit !== undefined), params);
  const current = row as BookingWrite["current"];
  return { current, inserted: current?.inserted === true };
}
