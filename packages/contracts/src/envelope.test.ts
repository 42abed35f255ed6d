import { describe, expect, test } from "bun:test";
import { cloudEventSchema, makeEvent, parseEvent } from "./envelope.ts";
import { EXAMPLES } from "./examples.ts";

const source = "/carebridge/appointments";
const booked = EXAMPLES["appointment.booked"];
const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("makeEvent", () => {
  test("fills the envelope: UUIDv7 id, now, key as subject, versioned dataschema", () => {
    const before = Date.now();
    const event = makeEvent("appointment.booked", booked, { source });
    expect(event).toMatchObject({
      specversion: "1.0",
      source,
      type: "appointment.booked",
      subject: booked.appointmentId,
      datacontenttype: "application/json",
      dataschema: "urn:carebridge:event:appointment.booked:v1",
      data: booked,
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.time).toEndWith("Z");
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(event.time)).toBeLessThanOrEqual(Date.now());
    expect(cloudEventSchema.safeParse(event).success).toBe(true);
  });

  test("gives each event its own id", () => {
    const a = makeEvent("appointment.booked", booked, { source });
    const b = makeEvent("appointment.booked", booked, { source });
    expect(a.id).not.toBe(b.id);
  });

  test("keeps the attributes a producer chooses", () => {
    const options = {
      source,
      id: "01935f3e-0000-7000-8000-000000000001",
      time: "2026-11-20T10:15:42Z",
      subject: "custom-subject",
      correlationId: "req-7f3a",
      traceparent,
    };
    const event = makeEvent("appointment.booked", booked, options);
    expect(event).toMatchObject({
      id: options.id,
      time: options.time,
      subject: "custom-subject",
      correlationid: "req-7f3a",
      traceparent,
    });
  });

  test("leaves optional attributes out instead of setting them undefined", () => {
    const event = makeEvent("appointment.booked", booked, { source });
    expect(Object.keys(event)).not.toContain("correlationid");
    expect(Object.keys(event)).not.toContain("traceparent");
  });

  test("uses the composite key as subject of a window result", () => {
    expect(
      makeEvent("window.result", EXAMPLES["window.result"], { source: "/carebridge/analytics" }).subject,
    ).toBe("2026-11-20T10:15:00Z/Cardiology");
  });

  test("throws an error naming the type and every invalid field", () => {
    const bad = { ...booked, doctorId: "nope", start: "2026-11-23T14:00:00+01:00" };
    expect(() => makeEvent("appointment.booked", bad, { source })).toThrow(
      /invalid appointment\.booked v1 data: doctorId: .*; start: /,
    );
  });

  test("rejects bad envelope attributes", () => {
    expect(() => makeEvent("appointment.booked", booked, { source, id: "42" })).toThrow(/envelope: id: /);
    expect(() =>
      makeEvent("appointment.booked", booked, { source, time: "2026-11-20T11:15:42+01:00" }),
    ).toThrow(/envelope: time: /);
    expect(() => makeEvent("appointment.booked", booked, { source: "" })).toThrow(/envelope: source: /);
    expect(() => makeEvent("appointment.booked", booked, { source, traceparent: "abc" })).toThrow(
      /envelope: traceparent: /,
    );
  });

  test("sends only contract fields", () => {
    const event = makeEvent("appointment.booked", { ...booked, internalNote: "x" } as typeof booked, {
      source,
    });
    expect(Object.keys(event.data)).not.toContain("internalNote");
  });
});

describe("parseEvent", () => {
  test("reads back what makeEvent wrote, through JSON", () => {
    const event = makeEvent("labresult.recorded", EXAMPLES["labresult.recorded"], {
      source: "/carebridge/patients",
    });
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed).toEqual({ ok: true, event });
  });

  test("rejects a broken envelope, an unknown type, an unknown version and bad data", () => {
    const event = makeEvent("appointment.booked", booked, { source });
    const cases = [
      [{ ...event, specversion: "0.3" }, /invalid CloudEvent: specversion/],
      [{ ...event, data: undefined }, /invalid CloudEvent: data: data is required/],
      [{ ...event, type: "appointment.deleted" }, /unknown event type/],
      [{ ...event, dataschema: "urn:carebridge:event:appointment.booked:v9" }, /unsupported dataschema/],
      [
        { ...event, data: { ...booked, mode: "carrier-pigeon" } },
        /invalid appointment\.booked v1 data: mode/,
      ],
      ["not an event", /invalid CloudEvent/],
    ] as const;
    for (const [value, message] of cases) {
      const parsed = parseEvent(value);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
  });
});
