import { type CloudEvent, makeEvent, parseEvent } from "@carebridge/contracts";
import type { Database } from "@carebridge/db";
import { createLogger, type HttpApp } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import type { ReceivedEvent } from "@carebridge/kafka";
import { sql } from "drizzle-orm";
import { createApp } from "./app.ts";
import { TOKEN_DEFAULTS } from "./config.ts";
import { migrateBilling } from "./db/migrate.ts";
import { type BillingDeps, createBillingDeps } from "./deps.ts";
import type { InsurancePlanId } from "./domain/money.ts";
import {
  type FakePaymentProcessor,
  type FakeProcessorOptions,
  fakePaymentProcessor,
} from "./domain/payment-processor.ts";
import { applyAppointmentEvents } from "./events/apply-appointment-events.ts";
import { applyPatientEvents } from "./events/apply-patient-events.ts";

/** A billing app over a migrated database, with a test token issuer and the fake processor. */
export async function buildTestApp(
  database: Database,
  options: { processor?: FakeProcessorOptions; pendingLeaseMs?: number; now?: () => string } = {},
): Promise<{ app: HttpApp; deps: BillingDeps; issuer: TestIssuer; processor: FakePaymentProcessor }> {
  await migrateBilling(database);
  const issuer = await createTestIssuer({ ...TOKEN_DEFAULTS });
  const processor = fakePaymentProcessor(options.processor);
  const deps = createBillingDeps({
    database,
    logger: createLogger({
      service: "billing",
      level: "silent",
    }),
    keys: issuer.keys,
    claims: { ...TOKEN_DEFAULTS },
    processor,
    pendingLeaseMs: options.pendingLeaseMs,
    now: options.now,
  });
  return { app: createApp(deps), deps, issuer, processor };
}

const HOUR = 3_600_000;

/** The data of an `appointment.*` event: a booking a week ahead unless told otherwise. */
export function appointmentData(overrides: Partial<AppointmentData> = {}): AppointmentData {
  const start = overrides.start ?? new Date(Date.now() + 7 * 24 * HOUR).toISOString();
  // `end` follows `start` unless given
  return {
    appointmentId: crypto.randomUUID(),
    patientId: crypto.randomUUID(),
    doctorId: crypto.randomUUID(),
    specialty: "General Practice",
    start,
    end: new Date(Date.parse(start) + HOUR / 2).toISOString(),
    mode: "in-person",
    status: "booked",
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

/** The same appointment moved to `start` (30 minutes long), the change happening at `occurredAt`. */
export function moveTo(
  d: AppointmentData,
  start: string,
  occurredAt = new Date().toISOString(),
): AppointmentData {
  return { ...d, start, end: new Date(Date.parse(start) + HOUR / 2).toISOString(), occurredAt };
}

/** Fields every `appointment.*` event carries. */
export interface AppointmentData {
  appointmentId: string;
  patientId: string;
  doctorId: string;
  specialty: string;
  start: string;
  end: string;
  mode: "in-person" | "telehealth";
  status: "booked" | "cancelled" | "completed" | "no-show";
  occurredAt: string;
}

const SOURCE = { source: "/carebridge/appointments" };

/** The lifecycle events of one appointment, as the appointments service emits them. */
export const appointmentEvents = {
  booked: (d: AppointmentData) => makeEvent("appointment.booked", { ...d, status: "booked" }, SOURCE),
  rescheduled: (d: AppointmentData, previousStart: string) =>
    makeEvent("appointment.rescheduled", { ...d, status: "booked", previousStart }, SOURCE),
  cancelled: (d: AppointmentData, reason: string | null = null) =>
    makeEvent("appointment.cancelled", { ...d, status: "cancelled", reason }, SOURCE),
  completed: (d: AppointmentData) =>
    makeEvent("appointment.completed", { ...d, status: "completed" }, SOURCE),
  noShow: (d: AppointmentData) => makeEvent("appointment.no-show", { ...d, status: "no-show" }, SOURCE),
};

/** `patient.registered` (version 1) or `patient.updated` (later versions) carrying a plan. */
export function patientEvent(patientId: string, planId: InsurancePlanId, version = 1): CloudEvent {
  const data = {
    patientId,
    userId: patientId,
    name: "Pat Ient",
    email: `p-${patientId.slice(0, 8)}@example.com`,
    insurance: { planId, memberId: planId === "none" ? null : `M-${patientId.slice(0, 6)}` },
    version,
    occurredAt: new Date().toISOString(),
  };
  return version === 1
    ? makeEvent("patient.registered", data, { source: "/carebridge/patients" })
    : makeEvent(
        "patient.updated",
        { ...data, changedFields: ["insurance"] },
        { source: "/carebridge/patients" },
      );
}

/** A contract event as the consumer would receive it (for driving the effects directly). */
export function received(event: CloudEvent, topic: string, offset = 0): ReceivedEvent {
  return { ...event, key: event.subject, topic, partition: 0, offset: String(offset), headers: {} };
}

/** Applies events through billing's own effects, one transaction each, in the order given. */
export async function applyEvents(
  database: Database,
  events: CloudEvent[],
  now = () => new Date().toISOString(),
) {
  for (const event of events) {
    const topic = event.type.startsWith("patient.") ? "patients" : "appointments";
    const one = [received(event, topic)];
    await database.transaction((tx) =>
      topic === "patients" ? applyPatientEvents(tx, one) : applyAppointmentEvents(tx, one, now),
    );
  }
}

/** Polls until `check` holds (or fails after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/**
 * Every event in the outbox, read back as a consumer would (binary-mode headers + JSON payload)
 * and checked against the contract (envelope, dataschema version, data schema): billing builds its
 * events without running the schemas, so the tests do. Returns the problems found (none: []).
 */
export async function outboxContractProblems(database: Database): Promise<string[]> {
  const rows = await database.query<{ headers: Record<string, string>; payload: string; type: string }>(
    sql`SELECT headers, payload, type FROM outbox ORDER BY id`,
  );
  const problems: string[] = [];
  for (const { headers: h, payload, type } of rows) {
    const parsed = parseEvent({
      specversion: h.ce_specversion,
      id: h.ce_id,
      source: h.ce_source,
      type: h.ce_type,
      time: h.ce_time,
      subject: h.ce_subject,
      datacontenttype: h["content-type"],
      dataschema: h.ce_dataschema,
      correlationid: h.ce_correlationid,
      traceparent: h.traceparent,
      data: JSON.parse(payload),
    });
    if (!parsed.ok) problems.push(`${type} ${h.ce_id}: ${parsed.message}`);
    else if (type !== parsed.event.type) problems.push(`${type} ${h.ce_id}: outbox type differs`);
  }
  return problems;
}
