import type { z } from "zod";
import { alertAcknowledgedV1, alertRaisedV1 } from "./events/alerts.ts";
import { windowResultV1 } from "./events/analytics.ts";
import {
  appointmentBookedV1,
  appointmentCancelledV1,
  appointmentCompletedV1,
  appointmentNoShowV1,
  appointmentRescheduledV1,
} from "./events/appointments.ts";
import { userRegisteredV1 } from "./events/auth.ts";
import {
  claimSubmittedV1,
  claimWithdrawnV1,
  invoiceIssuedV1,
  invoicePaidV1,
  invoiceVoidedV1,
} from "./events/billing.ts";
import { bookingConfirmedV1, bookingRejectedV1, bookingRequestedV1 } from "./events/booking.ts";
import { labResultRecordedV1 } from "./events/lab-results.ts";
import { patientRegisteredV1, patientUpdatedV1 } from "./events/patients.ts";
import { TOPIC, type TopicName, topicSpec } from "./topics.ts";

type StringKeys<O> = { [K in keyof O]-?: O[K] extends string ? K : never }[keyof O] & string;

/** One event type of the contract: its current schema version, topic and Kafka key. */
export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly topic: TopicName;
  readonly schema: TSchema;
  /** The data field used as the Kafka key, or null when the key is composite (see keyOf). */
  readonly keyField: StringKeys<z.output<TSchema>> | null;
  /** The Kafka key (and default CloudEvents subject) of an event's data on its topic. */
  keyOf(data: z.output<TSchema>): string;
}

function keyedBy<const TType extends string, TSchema extends z.ZodType>(
  type: TType,
  version: number,
  topic: TopicName,
  schema: TSchema,
  keyField: StringKeys<z.output<TSchema>>,
): EventDefinition<TType, TSchema> {
  return { type, version, topic, schema, keyField, keyOf: (data) => data[keyField] as string };
}

function keyedWith<const TType extends string, TSchema extends z.ZodType>(
  type: TType,
  version: number,
  topic: TopicName,
  schema: TSchema,
  key: (data: z.output<TSchema>) => string,
): EventDefinition<TType, TSchema> {
  return { type, version, topic, schema, keyField: null, keyOf: key };
}

/** Every event type of the contract, by `type`. */
export const EVENT_TYPES = {
  "user.registered": keyedBy("user.registered", 1, TOPIC.authUsers, userRegisteredV1, "id"),
  "patient.registered": keyedBy("patient.registered", 1, TOPIC.patients, patientRegisteredV1, "patientId"),
  "patient.updated": keyedBy("patient.updated", 1, TOPIC.patients, patientUpdatedV1, "patientId"),
  "appointment.booked": keyedBy(
    "appointment.booked",
    1,
    TOPIC.appointments,
    appointmentBookedV1,
    "appointmentId",
  ),
  "appointment.cancelled": keyedBy(
    "appointment.cancelled",
    1,
    TOPIC.appointments,
    appointmentCancelledV1,
    "appointmentId",
  ),
  "appointment.rescheduled": keyedBy(
    "appointment.rescheduled",
    1,
    TOPIC.appointments,
    appointmentRescheduledV1,
    "appointmentId",
  ),
  "appointment.completed": keyedBy(
    "appointment.completed",
    1,
    TOPIC.appointments,
    appointmentCompletedV1,
    "appointmentId",
  ),
  "appointment.no-show": keyedBy(
    "appointment.no-show",
    1,
    TOPIC.appointments,
    appointmentNoShowV1,
    "appointmentId",
  ),
  "booking.requested": keyedBy(
    "booking.requested",
    1,
    TOPIC.bookingRequests,
    bookingRequestedV1,
    "requestId",
  ),
  "booking.confirmed": keyedBy("booking.confirmed", 1, TOPIC.bookingReplies, bookingConfirmedV1, "requestId"),
  "booking.rejected": keyedBy("booking.rejected", 1, TOPIC.bookingReplies, bookingRejectedV1, "requestId"),
  "labresult.recorded": keyedBy("labresult.recorded", 1, TOPIC.labResults, labResultRecordedV1, "patientId"),
  "alert.raised": keyedBy("alert.raised", 1, TOPIC.clinicalAlerts, alertRaisedV1, "patientId"),
  "alert.acknowledged": keyedBy(
    "alert.acknowledged",
    1,
    TOPIC.clinicalAlerts,
    alertAcknowledgedV1,
    "patientId",
  ),
  "invoice.issued": keyedBy("invoice.issued", 1, TOPIC.invoices, invoiceIssuedV1, "invoiceId"),
  "invoice.voided": keyedBy("invoice.voided", 1, TOPIC.invoices, invoiceVoidedV1, "invoiceId"),
  "invoice.paid": keyedBy("invoice.paid", 1, TOPIC.invoices, invoicePaidV1, "invoiceId"),
  "claim.submitted": keyedBy("claim.submitted", 1, TOPIC.insuranceClaims, claimSubmittedV1, "invoiceId"),
  "claim.withdrawn": keyedBy("claim.withdrawn", 1, TOPIC.insuranceClaims, claimWithdrawnV1, "invoiceId"),
  "window.result": keyedWith(
    "window.result",
    1,
    TOPIC.appointmentsPerMinute,
    windowResultV1,
    (data) => `${data.windowStart}/${data.specialty}`,
  ),
} as const;

// Compile-time check: every entry is filed under its own `type`.
({}) as { [K in EventType]: (typeof EVENT_TYPES)[K]["type"] } satisfies { [K in EventType]: K };

/** An event type of the contract, e.g. `appointment.booked`. */
export type EventType = keyof typeof EVENT_TYPES;

/** The validated data of an event type (current version). */
export type EventData<T extends EventType> = z.output<(typeof EVENT_TYPES)[T]["schema"]>;

/** What a producer passes for an event type's data before validation. */
export type EventDataInput<T extends EventType> = z.input<(typeof EVENT_TYPES)[T]["schema"]>;

/** Any event's type and data, discriminated by `type`. */
export type AnyEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/** Every event type name. */
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

/** Whether a string names an event type of the contract. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && Object.hasOwn(EVENT_TYPES, value);
}

/** The CloudEvents `dataschema` of an event type's version, e.g. `urn:carebridge:event:appointment.booked:v1`. */
export function dataschemaOf(type: EventType, version: number = EVENT_TYPES[type].version): string {
  return `urn:carebridge:event:${type}:v${version}`;
}

/** One problem found in event data: where (dotted path, "" for the root) and what. */
export interface DataIssue {
  readonly path: string;
  readonly message: string;
}

/** The outcome of validating event data; never thrown. */
export type ParseResult<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly message: string; readonly issues: readonly DataIssue[] };

/** Turns zod issues into `path: message` pairs. */
export function toDataIssues(error: z.ZodError): DataIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** One line listing every issue as `path: message`. */
export function describeIssues(issues: readonly DataIssue[]): string {
  return issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
}

/** Validates data against an event type's current schema; unknown types and bad data give `ok: false`. */
export function parseEventData<T extends EventType>(type: T, data: unknown): ParseResult<EventData<T>>;
export function parseEventData(type: string, data: unknown): ParseResult<AnyEvent["data"]>;
export function parseEventData(type: string, data: unknown): ParseResult<AnyEvent["data"]> {
  if (!isEventType(type)) return { ok: false, message: `unknown event type "${type}"`, issues: [] };
  const schema: z.ZodType<AnyEvent["data"]> = EVENT_TYPES[type].schema;
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, data: result.data };
  const issues = toDataIssues(result.error);
  const message = `invalid ${type} v${EVENT_TYPES[type].version} data: ${describeIssues(issues)}`;
  return { ok: false, message, issues };
}

/**
 * The Kafka key of an event on a topic: the type's own key on its home topic, `specialty` on
 * `analytics.late-events`. Throws when the topic does not carry the type.
 */
export function topicKeyOf<T extends EventType>(topic: TopicName, type: T, data: EventData<T>): string {
  if (!topicSpec(topic)?.eventTypes.includes(type)) {
    throw new Error(`topic "${topic}" does not carry "${type}"`);
  }
  if (topic === TOPIC.lateEvents) {
    const { specialty } = data as { specialty?: unknown };
    if (typeof specialty !== "string")
      throw new Error(`"${type}" data has no specialty to key late events by`);
    return specialty;
  }
  return keyOf(type, data);
}

/** The Kafka key (and default CloudEvents subject) of an event's data on the type's own topic. */
export function keyOf<T extends EventType>(type: T, data: EventData<T>): string {
  // Method parameters are bivariant, so each definition is usable through this view.
  const definition: { keyOf(data: unknown): string } = EVENT_TYPES[type];
  return definition.keyOf(data);
}
