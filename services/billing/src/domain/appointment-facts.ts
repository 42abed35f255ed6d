import type { AppointmentStatus } from "@carebridge/contracts";
import type { AppointmentMode, FeeReason } from "./money.ts";

/** What one `appointment.*` event says about its appointment. */
export interface Observation {
  eventId: string;
  occurredAt: string;
  patientId: string;
  specialty: string;
  mode: AppointmentMode;
  start: string;
  status: AppointmentStatus;
}

/**
 * Billing's knowledge of one appointment, kept so that any arrival order of its events gives the
 * same result. `latest` is the newest event (by occurredAt, then event id): the current start,
 * specialty and mode. `decisive` decides the outcome: a final status (cancelled, completed,
 * no-show) outranks `booked` whatever the timestamps, as an appointment never leaves a final
 * status; between equals the newest wins. Both are maxima over the set of events seen, so the
 * merge is commutative, associative and idempotent.
 */
export interface AppointmentFacts {
  latest: Observation;
  decisive: Observation;
}

const isFinal = (status: AppointmentStatus) => status !== "booked";

const newer = (a: Observation, b: Observation) => {
  const at = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  return at === 0 ? a.eventId > b.eventId : at > 0;
};

const outranks = (a: Observation, b: Observation) =>
  isFinal(a.status) === isFinal(b.status) ? newer(a, b) : isFinal(a.status);

/** Folds one more event into what is known (null: the first event of the appointment). */
export function mergeFacts(facts: AppointmentFacts | null, next: Observation): AppointmentFacts {
  if (!facts) return { latest: next, decisive: next };
  return {
    latest: newer(next, facts.latest) ? next : facts.latest,
    decisive: outranks(next, facts.decisive) ? next : facts.decisive,
  };
}

/** Whether two merges kept the same events (facts are compared by the events they hold). */
export function sameFacts(a: AppointmentFacts, b: AppointmentFacts): boolean {
  return a.latest.eventId === b.latest.eventId && a.decisive.eventId === b.decisive.eventId;
}

/** What the invoice of an appointment should be. */
export type Outcome = { kind: "charge" } | { kind: "void" } | { kind: "fee"; reason: FeeReason };

/** Free cancellation window: a cancellation more than this before the start voids the invoice. */
export const FREE_CANCELLATION_MS = 24 * 60 * 60 * 1000;

/**
 * The invoice outcome: booked or completed → the consultation; cancelled more than 24 h before
 * the start it had when cancelled → void; a later cancellation or a no-show → the flat fee.
 */
export function outcomeOf(facts: AppointmentFacts): Outcome {
  const decisive = facts.decisive;
  switch (decisive.status) {
    case "booked":
    case "completed":
      return { kind: "charge" };
    case "cancelled":
      return Date.parse(decisive.start) - Date.parse(decisive.occurredAt) > FREE_CANCELLATION_MS
        ? { kind: "void" }
        : { kind: "fee", reason: "late-cancellation" };
    case "no-show":
      return { kind: "fee", reason: "no-show" };
    default:
      return decisive.status satisfies never;
  }
}
