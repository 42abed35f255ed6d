import { parseEventData, TOPIC } from "@carebridge/contracts";
import {
  type ConsumerHandle,
  type EventLog,
  type Logger,
  startIdempotentStoreConsumer,
} from "@carebridge/kafka";
import { careLinkItem, getCareLink } from "../db/care-team-queries.ts";
import type { Store } from "../db/store.ts";
import { registrationItems } from "../domain/patient-commands.ts";
import { dynamoProcessedStore } from "./dynamo-processed-store.ts";

/** Consumer group names (one marker namespace each). */
export const GROUPS = { users: "patients.users", careTeam: "patients.care-team" } as const;

export interface ConsumerOptions {
  store: Store;
  log: EventLog;
  logger: Logger;
  seedDemo: boolean;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * `auth.users` → a patient record per `user.registered` with role patient (plan `none`; the demo
 * patient gets the demo plan with `seedDemo`). Other roles are recorded as processed, nothing more.
 */
export function startUserConsumer(options: ConsumerOptions): Promise<ConsumerHandle> {
  const { store, seedDemo } = options;
  return startIdempotentStoreConsumer({
    groupId: GROUPS.users,
    topics: [TOPIC.authUsers],
    log: options.log,
    logger: options.logger,
    backoff: options.backoff,
    store: dynamoProcessedStore(store, async (event) => {
      if (event.type !== "user.registered") return [];
      const parsed = parseEventData("user.registered", event.data);
      if (!parsed.ok || parsed.data.role !== "patient") return [];
      return registrationItems(store, parsed.data, { seedDemo, occurredAt: event.time });
    }),
  });
}

const APPOINTMENT_TYPES = [
  "appointment.booked",
  "appointment.cancelled",
  "appointment.rescheduled",
  "appointment.completed",
  "appointment.no-show",
] as const;

/**
 * `appointments` → the care team: per appointment, its latest status (by `occurredAt`) between its
 * doctor and patient. Events older than the stored one are recorded as processed without effect.
 */
export function startCareTeamConsumer(options: ConsumerOptions): Promise<ConsumerHandle> {
  const { store } = options;
  return startIdempotentStoreConsumer({
    groupId: GROUPS.careTeam,
    topics: [TOPIC.appointments],
    log: options.log,
    logger: options.logger,
    backoff: options.backoff,
    store: dynamoProcessedStore(store, async (event) => {
      const type = APPOINTMENT_TYPES.find((t) => t === event.type);
      if (!type) return [];
      const parsed = parseEventData(type, event.data);
      if (!parsed.ok) return [];
      const { appointmentId, patientId, doctorId, status, occurredAt } = parsed.data;
      const occurredAtMs = Date.parse(occurredAt);
      const stored = await getCareLink(store, { patientId, doctorId, appointmentId });
      if (stored && stored.occurredAtMs >= occurredAtMs) return [];
      return [careLinkItem({ patientId, doctorId, appointmentId, status, occurredAtMs })];
    }),
  });
}
