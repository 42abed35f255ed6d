import type { EventType } from "./registry.ts";

/** Topic names of the contract. */
export const TOPIC = {
  authUsers: "auth.users",
  patients: "patients",
  appointments: "appointments",
  bookingRequests: "appointments.booking-requests",
  bookingReplies: "appointments.booking-replies",
  labResults: "patients.lab-results",
  clinicalAlerts: "clinical.alerts",
  invoices: "billing.invoices",
  insuranceClaims: "billing.insurance-claims",
  appointmentsPerMinute: "analytics.appointments-per-minute",
  lateEvents: "analytics.late-events",
} as const;

/** A topic name of the contract. */
export type TopicName = (typeof TOPIC)[keyof typeof TOPIC];

/** How a topic is created, locally and on Confluent. */
export interface TopicSpec {
  readonly name: TopicName;
  /** What the record key is (the aggregate whose events stay ordered). */
  readonly key: string;
  readonly eventTypes: readonly EventType[];
  readonly partitions: number;
  readonly cleanupPolicy: "delete" | "compact";
  /** `retention.ms`; -1 keeps records with no time limit (compacted topics). */
  readonly retentionMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Partitions of every topic: a few consumers per group can share the load; the local broker is a single node. */
export const PARTITIONS = 3;
/** Retention of domain events: a consumer can catch up after a week-long outage; PHI does not stay in the log forever. */
export const EVENT_RETENTION_MS = 7 * DAY_MS;
/** Retention of dead letters: time to investigate and re-drive. */
export const DLQ_RETENTION_MS = 14 * DAY_MS;

const APPOINTMENT_EVENTS = [
  "appointment.booked",
  "appointment.cancelled",
  "appointment.rescheduled",
  "appointment.completed",
  "appointment.no-show",
] as const satisfies readonly EventType[];

/** Every topic of the contract; the single source of truth for topic creation. */
export const TOPICS: readonly TopicSpec[] = [
  {
    name: TOPIC.authUsers,
    key: "userId",
    eventTypes: ["user.registered"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.patients,
    key: "patientId",
    eventTypes: ["patient.registered", "patient.updated"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.appointments,
    key: "appointmentId",
    eventTypes: APPOINTMENT_EVENTS,
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.bookingRequests,
    key: "requestId",
    eventTypes: ["booking.requested"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.bookingReplies,
    key: "requestId",
    eventTypes: ["booking.confirmed", "booking.rejected"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.labResults,
    key: "patientId",
    eventTypes: ["labresult.recorded"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.clinicalAlerts,
    key: "patientId",
    eventTypes: ["alert.raised", "alert.acknowledged"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.invoices,
    key: "invoiceId",
    eventTypes: ["invoice.issued", "invoice.voided", "invoice.paid"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.insuranceClaims,
    key: "invoiceId",
    eventTypes: ["claim.submitted", "claim.withdrawn"],
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
  {
    name: TOPIC.appointmentsPerMinute,
    key: "windowStart/specialty",
    eventTypes: ["window.result"],
    partitions: PARTITIONS,
    cleanupPolicy: "compact",
    retentionMs: -1,
  },
  {
    name: TOPIC.lateEvents,
    key: "specialty",
    eventTypes: APPOINTMENT_EVENTS,
    partitions: PARTITIONS,
    cleanupPolicy: "delete",
    retentionMs: EVENT_RETENTION_MS,
  },
];

/** The dead-letter twin of a topic, shared by its consuming groups. */
export const dlqTopic = (topic: string): string => `${topic}.dlq`;

/** The spec of a contract topic, or undefined for an unknown name. */
export function topicSpec(name: string): TopicSpec | undefined {
  return TOPICS.find((t) => t.name === name);
}

/** What topic creation needs for one topic (a contract topic or a DLQ twin). */
export interface TopicToCreate {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: "delete" | "compact";
  readonly retentionMs: number;
}

/** Every topic to create: the contract's topics, each with its dead-letter twin (the contract gives every topic one). */
export function topicsToCreate(): TopicToCreate[] {
  return TOPICS.flatMap((t): TopicToCreate[] => {
    const { name, partitions, cleanupPolicy, retentionMs } = t;
    const topic = { name, partitions, cleanupPolicy, retentionMs };
    return [
      topic,
      { name: dlqTopic(name), partitions, cleanupPolicy: "delete", retentionMs: DLQ_RETENTION_MS },
    ];
  });
}

/** Every topic name, including the DLQ twins. */
export function allTopicNames(): string[] {
  return TOPICS.flatMap((t) => [t.name, dlqTopic(t.name)]);
}
