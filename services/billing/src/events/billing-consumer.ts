import { TOPIC } from "@carebridge/contracts";
import type { Database } from "@carebridge/db";
import {
  type ConsumerHandle,
  type EventAttributes,
  type EventLog,
  type Logger,
  type ReceivedEvent,
  startIdempotentConsumer,
  validateContractEvent,
} from "@carebridge/kafka";
import { applyAppointmentEvents, type Clock } from "./apply-appointment-events.ts";
import { applyPatientEvents } from "./apply-patient-events.ts";

/** The consumer group of billing. */
export const BILLING_GROUP = "billing";

const APPOINTMENT_TYPES = [
  "appointment.booked",
  "appointment.cancelled",
  "appointment.rescheduled",
  "appointment.completed",
  "appointment.no-show",
] as const;
const PATIENT_TYPES = ["patient.registered", "patient.updated"] as const;

/** Where billing reads its input: the contract's topics, or private ones (tests, benches). */
export interface BillingTopics {
  appointments: string;
  patients: string;
}

/** The contract's topics. */
export const BILLING_TOPICS: BillingTopics = { appointments: TOPIC.appointments, patients: TOPIC.patients };

/**
 * The consumer's validator: an event of a type that does not belong on its topic, or whose data
 * fails its contract schema, goes to the DLQ at once.
 */
export function billingEventValidator(topics: BillingTopics = BILLING_TOPICS) {
  const accepted = new Map<string, readonly string[]>([
    [topics.appointments, APPOINTMENT_TYPES],
    [topics.patients, PATIENT_TYPES],
  ]);
  return (event: EventAttributes & { data: unknown; topic?: string }): string | null => {
    const types = event.topic ? accepted.get(event.topic) : undefined;
    if (!types?.includes(event.type)) return `unexpected event type "${event.type}" on ${event.topic}`;
    return validateContractEvent(event);
  };
}

/** Options of {@link startBillingConsumer}. */
export interface BillingConsumerOptions {
  database: Database;
  log: EventLog;
  logger: Logger;
  groupId?: string;
  topics?: BillingTopics;
  now?: Clock;
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  maxBatchSize?: number;
  /** Partitions applied at once, each in order in its own transactions (default 3). */
  partitionsConcurrently?: number;
  onBatch?: (info: { processed: number; duplicates: number; deadLettered: number }) => void;
  onAssigned?: () => void;
}

/**
 * Consumes `appointments` and `patients` with exactly-once effects: each batch (one partition of
 * one topic) is applied set-wise in one transaction with its processed-event ids and outbox rows.
 */
export function startBillingConsumer(options: BillingConsumerOptions): Promise<ConsumerHandle> {
  const now = options.now ?? (() => new Date().toISOString());
  const topics = options.topics ?? BILLING_TOPICS;
  return startIdempotentConsumer({
    groupId: options.groupId ?? BILLING_GROUP,
    topics: [topics.appointments, topics.patients],
    log: options.log,
    database: options.database,
    logger: options.logger,
    validate: billingEventValidator(topics),
    maxAttempts: options.maxAttempts,
    backoff: options.backoff,
    maxBatchSize: options.maxBatchSize,
    partitionsConcurrently: options.partitionsConcurrently,
    fromBeginning: true,
    onBatch: options.onBatch,
    onAssigned: options.onAssigned,
    handleBatch: async (tx, events: ReceivedEvent[]) => {
      const appointments = events.filter((e) => e.topic === topics.appointments);
      const patients = events.filter((e) => e.topic === topics.patients);
      await applyPatientEvents(tx, patients);
      await applyAppointmentEvents(tx, appointments, now);
    },
  });
}
