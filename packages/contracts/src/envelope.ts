import { z } from "zod";
import { isoDateTime, uuid } from "./primitives.ts";
import {
  type AnyEvent,
  type DataIssue,
  dataschemaOf,
  describeIssues,
  EVENT_TYPES,
  type EventData,
  type EventDataInput,
  type EventType,
  isEventType,
  keyOf,
  parseEventData,
  toDataIssues,
} from "./registry.ts";

// W3C trace context: version-traceid-parentid-flags (later versions may append fields).
const traceparent = z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$/);

/** The CloudEvents 1.0 envelope of every Carebridge event (data not checked against its type here). */
export const cloudEventSchema = z.object({
  specversion: z.literal("1.0"),
  id: uuid,
  source: z.string().min(1),
  type: z.string().min(1),
  time: isoDateTime,
  subject: z.string().min(1),
  datacontenttype: z.literal("application/json"),
  dataschema: z.string().regex(/^urn:carebridge:event:[a-z][a-z.-]*:v[1-9][0-9]*$/),
  correlationid: z.string().min(1).optional(),
  traceparent: traceparent.optional(),
  data: z.unknown().refine((value) => value !== undefined, "data is required"),
});

/** A CloudEvents 1.0 envelope carrying `data`. */
export type CloudEvent<TData = unknown> = Omit<z.output<typeof cloudEventSchema>, "data"> & { data: TData };

/** A CloudEvent of a known type, with its data typed. */
export type TypedCloudEvent<T extends EventType> = CloudEvent<EventData<T>> & { type: T };

/** Envelope attributes a producer chooses; everything else is derived. */
export interface MakeEventOptions {
  /** Producer URI reference, e.g. `/carebridge/appointments`. */
  source: string;
  /** Defaults to the event's key (the aggregate id). */
  subject?: string;
  correlationId?: string;
  traceparent?: string;
  /** Defaults to a new UUIDv7. */
  id?: string;
  /** Defaults to now. */
  time?: string;
}

/** Builds a CloudEvent after validating `data` against the type's schema; throws an Error naming every bad field. */
export function makeEvent<T extends EventType>(
  type: T,
  data: EventDataInput<T>,
  options: MakeEventOptions,
): TypedCloudEvent<T> {
  const parsed = parseEventData(type, data);
  if (!parsed.ok) throw new Error(parsed.message);
  const envelope = cloudEventSchema.safeParse({
    specversion: "1.0",
    id: options.id ?? Bun.randomUUIDv7(),
    source: options.source,
    type,
    time: options.time ?? new Date().toISOString(),
    subject: options.subject ?? keyOf(type, parsed.data),
    datacontenttype: "application/json",
    dataschema: dataschemaOf(type, EVENT_TYPES[type].version),
    ...(options.correlationId === undefined ? {} : { correlationid: options.correlationId }),
    ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
    data: parsed.data,
  });
  if (!envelope.success)
    throw new Error(`invalid ${type} envelope: ${describeIssues(toDataIssues(envelope.error))}`);
  return { ...envelope.data, type, data: parsed.data };
}

/** The outcome of reading an event: envelope and data checked; never thrown. */
export type ParsedEvent =
  | { readonly ok: true; readonly event: CloudEvent<AnyEvent["data"]> & { type: EventType } }
  | { readonly ok: false; readonly message: string; readonly issues: readonly DataIssue[] };

/**
 * Checks a whole CloudEvent: the envelope, that its type is known, that `dataschema` names the
 * version this build reads, and the data against that schema.
 */
export function parseEvent(value: unknown): ParsedEvent {
  const envelope = cloudEventSchema.safeParse(value);
  if (!envelope.success) {
    const issues = toDataIssues(envelope.error);
    return { ok: false, message: `invalid CloudEvent: ${describeIssues(issues)}`, issues };
  }
  const { type, dataschema } = envelope.data;
  if (!isEventType(type)) return { ok: false, message: `unknown event type "${type}"`, issues: [] };
  if (dataschema !== dataschemaOf(type)) {
    return {
      ok: false,
      message: `unsupported dataschema ${dataschema}, expected ${dataschemaOf(type)}`,
      issues: [],
    };
  }
  const data = parseEventData(type, envelope.data.data);
  if (!data.ok) return data;
  return { ok: true, event: { ...envelope.data, type, data: data.data } };
}
