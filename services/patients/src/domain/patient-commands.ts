import { DEMO_ACCOUNTS } from "@carebridge/runtime";
import {
  appendEvents,
  appendItems,
  getPatient,
  patientEvent,
  VersionConflictError,
} from "../db/patient-queries.ts";
import type { Store, TxItem } from "../db/store.ts";
import {
  type Actor,
  applyEvent,
  changedFields,
  initialRecord,
  normalizePatch,
  type PatientEvent,
  type PatientPatch,
  type PatientRecord,
} from "./patient.ts";

export { VersionConflictError } from "../db/patient-queries.ts";

const SYSTEM: Actor = { userId: null, role: "system" };

/**
 * The items creating a patient record for a newly registered user (none when it exists already):
 * `patient.registered`, and for the demo patient (with `seedDemo`) a `patient.updated` setting the
 * demo insurance plan, in the same transaction.
 */
export async function registrationItems(
  store: Store,
  user: { id: string; name: string; email: string },
  options: { seedDemo: boolean; occurredAt?: string },
): Promise<TxItem[]> {
  if (await getPatient(store, user.id, true)) return [];
  const occurredAt = options.occurredAt ?? new Date().toISOString();
  const events: PatientEvent[] = [
    { seq: 1, type: "patient.registered", occurredAt, actor: SYSTEM, data: initialRecord(user) },
  ];
  const demo = options.seedDemo
    ? DEMO_ACCOUNTS.find((a) => a.role === "patient" && a.email === user.email.toLowerCase())
    : undefined;
  if (demo?.insurancePlan && demo.insurancePlan !== "none") {
    events.push({
      seq: 2,
      type: "patient.updated",
      occurredAt,
      actor: SYSTEM,
      data: { insurance: { planId: demo.insurancePlan, memberId: "DEMO-0001" } },
    });
  }
  let record: PatientRecord | null = null;
  const kafka = events.map((event) => {
    record = applyEvent(record, event);
    return patientEvent(event.type, record, occurredAt, Object.keys(event.data));
  });
  return appendItems({ expectedVersion: 0, events, next: record!, kafka });
}

/** Outcome of {@link updatePatient}. */
export type UpdateOutcome =
  | { kind: "updated"; record: PatientRecord }
  | { kind: "unchanged"; record: PatientRecord }
  | { kind: "not-found" }
  | { kind: "stale"; currentVersion: number };

/**
 * Applies a patch when the record is still at `expectedVersion`: one `patient.updated` event, the
 * projection and the Kafka event in one transaction. A patch changing nothing writes nothing.
 */
export async function updatePatient(
  store: Store,
  patientId: string,
  expectedVersion: number,
  patch: PatientPatch,
  actor: Actor,
): Promise<UpdateOutcome> {
  const current = await getPatient(store, patientId, true);
  if (!current) return { kind: "not-found" };
  if (current.version !== expectedVersion) return { kind: "stale", currentVersion: current.version };
  const changed = changedFields(current, normalizePatch(patch));
  if (Object.keys(changed).length === 0) return { kind: "unchanged", record: current };
  const occurredAt = new Date().toISOString();
  const event: PatientEvent = {
    seq: current.version + 1,
    type: "patient.updated",
    occurredAt,
    actor,
    data: changed,
  };
  const next = applyEvent(current, event);
  try {
    await appendEvents(store, {
      expectedVersion,
      events: [event],
      next,
      kafka: [patientEvent("patient.updated", next, occurredAt, Object.keys(changed))],
    });
  } catch (error) {
    if (error instanceof VersionConflictError) return { kind: "stale", currentVersion: expectedVersion + 1 };
    throw error;
  }
  return { kind: "updated", record: next };
}
