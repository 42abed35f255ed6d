import type { ConsumedMessage, ProduceRecord } from "./port.ts";

/** The CloudEvents attributes carried in Kafka headers (binary content mode). */
export interface EventAttributes {
  id: string;
  source: string;
  type: string;
  specversion: string;
  time: string;
  subject?: string;
  dataschema?: string;
  correlationid?: string;
  traceparent?: string;
}

/** An event to publish: attributes plus its JSON data. */
export interface OutgoingEvent extends EventAttributes {
  data: unknown;
}

/** A consumed event, decoded from binary mode, with where it came from. */
export interface ReceivedEvent<TData = unknown> extends EventAttributes {
  data: TData;
  key: string;
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

const ATTRIBUTE_HEADERS = [
  "id",
  "source",
  "type",
  "specversion",
  "time",
  "subject",
  "dataschema",
  "correlationid",
] as const;

/**
 * Maps an event to a Kafka record: `ce_*` headers, `traceparent`, the JSON data as value. An event
 * without a correlation id starts its own chain (its id); one without a trace context starts a trace.
 */
export function toRecord(topic: string, key: string, event: OutgoingEvent): ProduceRecord {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const name of ATTRIBUTE_HEADERS) {
    const value = event[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  headers.ce_correlationid ??= event.id;
  headers.traceparent = event.traceparent ?? newTraceparent();
  return { topic, key, value: JSON.stringify(event.data), headers };
}

const hex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");

/** A W3C trace context for a new, sampled trace: `00-<trace id>-<span id>-01`. */
export function newTraceparent(): string {
  return `00-${hex(16)}-${hex(8)}-01`;
}

/** Thrown for records that can never be processed (not a CloudEvent, not JSON). */
export class MalformedEventError extends Error {
  override readonly name = "MalformedEventError";
}

/** Decodes a binary-mode record; throws MalformedEventError when required attributes or JSON are missing. */
export function fromRecord(message: ConsumedMessage): ReceivedEvent {
  const h = message.headers;
  const missing = ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time"].filter((k) => !h[k]);
  if (missing.length > 0) throw new MalformedEventError(`missing CloudEvents headers: ${missing.join(", ")}`);
  if (h.ce_specversion !== "1.0")
    throw new MalformedEventError(`unsupported specversion ${h.ce_specversion}`);
  let data: unknown;
  try {
    data = JSON.parse(message.value);
  } catch (error) {
    throw new MalformedEventError(`value is not JSON: ${(error as Error).message}`);
  }
  return {
    id: h.ce_id!,
    source: h.ce_source!,
    type: h.ce_type!,
    specversion: h.ce_specversion!,
    time: h.ce_time!,
    subject: h.ce_subject,
    dataschema: h.ce_dataschema,
    correlationid: h.ce_correlationid,
    traceparent: h.traceparent,
    data,
    key: message.key,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    headers: h,
  };
}
