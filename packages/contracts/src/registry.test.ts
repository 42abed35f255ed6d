import { describe, expect, test } from "bun:test";
import { EXAMPLES } from "./examples.ts";
import {
  dataschemaOf,
  EVENT_TYPE_NAMES,
  EVENT_TYPES,
  isEventType,
  keyOf,
  parseEventData,
  topicKeyOf,
} from "./registry.ts";
import { TOPIC } from "./topics.ts";

describe("keys", () => {
  test.each([
    ["user.registered", "01935f3c-6f00-7a1b-9c2d-3e4f5a6b7c8d"],
    ["patient.updated", "01935f3c-7a2b-7c1d-8e4f-5a6b7c8d9e0f"],
    ["appointment.cancelled", "01935f3d-0000-7111-8222-333344445555"],
    ["booking.rejected", "01935f3d-1111-7222-9333-444455556666"],
    ["labresult.recorded", "01935f3c-7a2b-7c1d-8e4f-5a6b7c8d9e0f"],
    ["alert.acknowledged", "01935f3c-7a2b-7c1d-8e4f-5a6b7c8d9e0f"],
    ["invoice.paid", "01935f3d-2222-7333-a444-555566667777"],
    ["claim.submitted", "01935f3d-2222-7333-a444-555566667777"],
    ["claim.withdrawn", "01935f3d-2222-7333-a444-555566667777"],
    ["window.result", "2026-11-20T10:15:00Z/Cardiology"],
  ] as const)("%s is keyed by %s", (type, key) => {
    expect(keyOf(type, EXAMPLES[type])).toBe(key);
  });

  test("keyField, when set, names the field keyOf reads", () => {
    for (const type of EVENT_TYPE_NAMES) {
      const { keyField } = EVENT_TYPES[type];
      if (keyField === null) continue;
      expect(keyOf(type, EXAMPLES[type])).toBe(
        (EXAMPLES[type] as Record<string, unknown>)[keyField] as string,
      );
    }
  });

  test("one window and specialty share a key, so a later result replaces the earlier", () => {
    const open = EXAMPLES["window.result"];
    const final = { ...open, booked: 4, final: true, emittedAt: "2026-11-20T10:17:05Z" };
    const other = { ...open, specialty: "Dermatology" };
    expect(keyOf("window.result", final)).toBe(keyOf("window.result", open));
    expect(keyOf("window.result", other)).not.toBe(keyOf("window.result", open));
  });

  test("late appointment events are keyed by specialty, on-time ones by appointment", () => {
    const data = EXAMPLES["appointment.booked"];
    expect(topicKeyOf(TOPIC.lateEvents, "appointment.booked", data)).toBe("Cardiology");
    expect(topicKeyOf(TOPIC.appointments, "appointment.booked", data)).toBe(data.appointmentId);
  });

  test("topicKeyOf refuses a topic that does not carry the type", () => {
    expect(() => topicKeyOf(TOPIC.invoices, "appointment.booked", EXAMPLES["appointment.booked"])).toThrow(
      'topic "billing.invoices" does not carry "appointment.booked"',
    );
  });
});

describe("isEventType", () => {
  test("recognises registered types only", () => {
    expect(isEventType("appointment.no-show")).toBe(true);
    for (const value of ["appointment.deleted", "toString", "__proto__", "", 42, null, undefined]) {
      expect(isEventType(value)).toBe(false);
    }
  });
});

describe("parseEventData", () => {
  test("returns typed data for a valid event", () => {
    const result = parseEventData("booking.rejected", EXAMPLES["booking.rejected"]);
    expect(result.ok && result.data.code).toBe("slot_taken");
  });

  test("reports an unknown type without throwing", () => {
    expect(parseEventData("appointment.deleted", {})).toEqual({
      ok: false,
      message: 'unknown event type "appointment.deleted"',
      issues: [],
    });
  });

  test("never throws on garbage input", () => {
    for (const data of [null, undefined, "text", 42, [], { appointmentId: 1 }, Number.NaN]) {
      const result = parseEventData("appointment.booked", data);
      expect(result.ok).toBe(false);
    }
  });

  test("names the type, version and every bad field", () => {
    const result = parseEventData("alert.raised", {
      ...EXAMPLES["alert.raised"],
      alertId: "x",
      severity: "mild",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(["alertId", "severity"]);
    expect(result.message).toStartWith("invalid alert.raised v1 data: alertId: ");
    expect(result.message).toContain("severity: ");
  });
});

describe("dataschemaOf", () => {
  test("names the type and version as a URN", () => {
    expect(dataschemaOf("appointment.booked")).toBe("urn:carebridge:event:appointment.booked:v1");
    expect(dataschemaOf("appointment.booked", 2)).toBe("urn:carebridge:event:appointment.booked:v2");
  });
});
