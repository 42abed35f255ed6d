import { describe, expect, test } from "bun:test";
import { fromRecord, MalformedEventError, type OutgoingEvent, toRecord } from "./cloudevents.ts";

const event: OutgoingEvent = {
  id: "01936b2e-7c1a-7000-8000-000000000001",
  source: "/carebridge/appointments",
  type: "appointment.booked",
  specversion: "1.0",
  time: "2026-11-21T08:00:00Z",
  subject: "a-1",
  dataschema: "urn:carebridge:event:appointment.booked:v1",
  data: { appointmentId: "a-1", reason: "check-up ü" },
};

describe("CloudEvents binary mode", () => {
  test("attributes travel as ce_* headers, the data as the JSON value, and come back unchanged", () => {
    const record = toRecord("appointments", "a-1", {
      ...event,
      correlationid: "req-9",
      traceparent: "00-aa-bb-01",
    });
    expect(record.headers).toMatchObject({
      "content-type": "application/json",
      ce_id: event.id,
      ce_source: event.source,
      ce_type: event.type,
      ce_specversion: "1.0",
      ce_time: event.time,
      ce_subject: "a-1",
      ce_dataschema: event.dataschema,
      ce_correlationid: "req-9",
      traceparent: "00-aa-bb-01",
    });
    expect(JSON.parse(record.value)).toEqual(event.data);
    const back = fromRecord({ ...record, partition: 0, offset: "7", timestamp: 0 });
    expect(back).toMatchObject({ ...event, correlationid: "req-9", traceparent: "00-aa-bb-01", offset: "7" });
  });

  test("an event without correlation id or trace context gets both", () => {
    const { headers } = toRecord("appointments", "a-1", event);
    expect(headers.ce_correlationid).toBe(event.id);
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  test("records that are not CloudEvents are rejected with the reason", () => {
    const base = { topic: "t", key: "k", partition: 0, offset: "0", timestamp: 0 };
    expect(() => fromRecord({ ...base, value: "{}", headers: { ce_id: "x" } })).toThrow(MalformedEventError);
    const headers = toRecord("t", "k", event).headers;
    expect(() => fromRecord({ ...base, value: "{oops", headers })).toThrow(/not JSON/);
    expect(() =>
      fromRecord({ ...base, value: "{}", headers: { ...headers, ce_specversion: "0.3" } }),
    ).toThrow(/specversion/);
  });
});
