import { parseEventData, TOPIC } from "@carebridge/contracts";
import {
  type ConsumerHandle,
  type EventLog,
  type Logger,
  PoisonEventError,
  type ReceivedEvent,
  startIdempotentStoreConsumer,
} from "@carebridge/kafka";
import type { CareTeamCheck } from "../db/care-team-cache.ts";
import { careLinkItem, getCareLink } from "../db/care-team-queries.ts";
import type { Store, TxItem } from "../db/store.ts";
import { registrationItems } from "../domain/patient-commands.ts";
import { dynamoProcessedStore, type EffectPlan } from "./dynamo-processed-store.ts";

/** Consumer group names (one marker namespace each). */
export const GROUPS = { users: "patients.users", careTeam: "patients.care-team" } as const;

export interface ConsumerOptions {
  store: Store;
  log: EventLog;
  logger: Logger;
  seedDemo: boolean;
  /** This process's care-team cache: a committed care-link change invalidates its pair. */
  careTeam?: Pick<CareTeamCheck, "invalidate">;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * The effect of one `auth.users` event: a patient record per `user.registered` with role patient
 * (plan `none`; the demo patient gets the demo plan with `seedDemo`); nothing for other types and
 * roles. A `user.registered` whose data breaks the contract is a {@link PoisonEventError} (→ DLQ).
 */
export function userEffect(store: Store, seedDemo: boolean) {
  return async (event: ReceivedEvent): Promise<TxItem[]> => {
    if (event.type !== "user.registered") return [];
    const parsed = parseEventData("user.registered", event.data);
    if (!parsed.ok) throw new PoisonEventError(`user.registered breaks the contract: ${parsed.message}`);
    if (parsed.data.role !== "patient") return [];
    return registrationItems(store, parsed.data, { seedDemo, occurredAt: event.time });
  };
}

/** `auth.users` → patient records ({@link userEffect}). */
export function startUserConsumer(options: ConsumerOptions): Promise<ConsumerHandle> {
  const { store, seedDemo } = options;
  return startIdempotentStoreConsumer({
    groupId: GROUPS.users,
    topics: [TOPIC.authUsers],
    log: options.log,
    logger: options.logger,
    backoff: options.backoff,
    store: dynamoProcessedStore(store, userEffect(store, seedDemo)),
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
 * The effect of one `appointments` event on the care team: the appointment's latest status (by
 * `occurredAt`) between its doctor and patient; an older event than the stored one changes nothing.
 * Once committed, the pair's cached grant in this process is dropped. Contract-breaking data → DLQ.
 */
export function careTeamEffect(store: Store, careTeam?: Pick<CareTeamCheck, "invalidate">) {
  return async (event: ReceivedEvent): Promise<EffectPlan> => {
    const type = APPOINTMENT_TYPES.find((t) => t === event.type);
    if (!type) return { items: [] };
    const parsed = parseEventData(type, event.data);
    if (!parsed.ok) throw new PoisonEventError(`${type} breaks the contract: ${parsed.message}`);
    const { appointmentId, patientId, doctorId, status, occurredAt } = parsed.data;
    const occurredAtMs = Date.parse(occurredAt);
    const stored = await getCareLink(store, { patientId, doctorId, appointmentId });
    if (stored && stored.occurredAtMs >= occurredAtMs) return { items: [] };
    return {
      items: [careLinkItem({ patientId, doctorId, appointmentId, status, occurredAtMs })],
      onCommitted: () => careTeam?.invalidate(doctorId, patientId),
    };
  };
}

/** `appointments` → the care team ({@link careTeamEffect}). */
export function startCareTeamConsumer(options: ConsumerOptions): Promise<ConsumerHandle> {
  const { store } = options;
  return startIdempotentStoreConsumer({
    groupId: GROUPS.careTeam,
    topics: [TOPIC.appointments],
    log: options.log,
    logger: options.logger,
    backoff: options.backoff,
    store: dynamoProcessedStore(store, careTeamEffect(store, options.careTeam)),
  });
}
