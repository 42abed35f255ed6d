import { describe, expect, test } from "bun:test";
import { EXAMPLES } from "../examples.ts";
import { toJsonSchema } from "../json-schema.ts";
import { EVENT_TYPE_NAMES, type EventType, parseEventData } from "../registry.ts";

type Path = readonly (string | number)[];

function withValue(data: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  cursor[path.at(-1)!] = value;
  return copy;
}

function without(data: unknown, field: string): unknown {
  const { [field]: _removed, ...rest } = structuredClone(data) as Record<string, unknown>;
  return rest;
}

const accepts = (type: EventType, data: unknown) => parseEventData(type, data).ok;

type Mutation = { path: Path; value: unknown; why: string };

/** Bad values for every uuid, date-time, enum and non-negative integer field, found through the JSON Schema. */
function mutations(schema: unknown, data: unknown, path: Path = []): Mutation[] {
  const node = schema as { properties?: Record<string, unknown>; items?: unknown };
  const out: Mutation[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const at = [...path, name];
    const value = (data as Record<string, unknown>)[name];
    const c = child as {
      format?: string;
      enum?: unknown[];
      type?: unknown;
      minimum?: number;
      items?: unknown;
    };
    if (c.format === "uuid") out.push({ path: at, value: "not-a-uuid", why: "a malformed uuid" });
    if (c.format === "date-time") {
      out.push({ path: at, value: "2026-11-23T10:00:00+01:00", why: "a time with an offset instead of Z" });
      out.push({ path: at, value: "2026-11-23T09:00:00", why: "a time without a zone" });
    }
    if (c.enum) out.push({ path: at, value: "bogus", why: "an unknown enum value" });
    if (c.type === "integer" && c.minimum === 0) out.push({ path: at, value: -1, why: "a negative number" });
    if (c.type === "object") out.push(...mutations(c, value, at));
    if (c.type === "array" && Array.isArray(value) && value.length > 0) {
      out.push(...mutations(c.items, value[0], [...at, 0]));
    }
  }
  return out;
}

describe("every event type", () => {
  for (const type of EVENT_TYPE_NAMES) {
    test(`${type} accepts its realistic example`, () => {
      expect(parseEventData(type, EXAMPLES[type])).toEqual({ ok: true, data: EXAMPLES[type] });
    });

    test(`${type} tolerates unknown additive fields and drops them`, () => {
      const result = parseEventData(type, { ...EXAMPLES[type], addedInV2: "x" });
      expect(result.ok).toBe(true);
      expect(result.ok && "addedInV2" in result.data).toBe(false);
    });

    test(`${type} rejects a missing required field`, () => {
      const required = (toJsonSchema(type) as { required: string[] }).required;
      for (const field of required) expect(accepts(type, without(EXAMPLES[type], field))).toBe(false);
    });

    for (const { path, value, why } of mutations(toJsonSchema(type), EXAMPLES[type])) {
      test(`${type} rejects ${why} in ${path.join(".")}`, () => {
        const result = parseEventData(type, withValue(EXAMPLES[type], path, value));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path.join("."));
      });
    }
  }
});

describe("times", () => {
  const booked = EXAMPLES["appointment.booked"];
  test.each(["2026-11-23T14:00:00Z", "2026-11-23T14:00:00.5Z", "2026-11-23T14:00:00.123456Z"])(
    "accepts RFC 3339 UTC %s",
    (start) => {
      expect(accepts("appointment.booked", { ...booked, start, end: "2026-11-23T15:00:00Z" })).toBe(true);
    },
  );
  test.each([
    "2026-11-23T14:00:00+00:00",
    "2026-11-23 14:00:00Z",
    "2026-11-23",
    "2026-02-30T14:00:00Z",
    "1763906400",
  ])("rejects %s", (start) => {
    expect(accepts("appointment.booked", { ...booked, start })).toBe(false);
  });
});

describe("appointment events", () => {
  test("end must come after start", () => {
    const data = { ...EXAMPLES["appointment.booked"], end: EXAMPLES["appointment.booked"].start };
    const result = parseEventData("appointment.booked", data);
    expect(result.ok ? [] : result.issues).toEqual([{ path: "end", message: "end must be after start" }]);
  });
  test("the status matches the event type", () => {
    expect(accepts("appointment.cancelled", { ...EXAMPLES["appointment.cancelled"], status: "booked" })).toBe(
      false,
    );
    expect(
      accepts("appointment.rescheduled", { ...EXAMPLES["appointment.rescheduled"], status: "cancelled" }),
    ).toBe(false);
    expect(accepts("booking.confirmed", { ...EXAMPLES["booking.confirmed"], status: "no-show" })).toBe(false);
  });
  test("a cancellation reason may be null but not absent", () => {
    expect(accepts("appointment.cancelled", { ...EXAMPLES["appointment.cancelled"], reason: null })).toBe(
      true,
    );
    expect(accepts("appointment.cancelled", without(EXAMPLES["appointment.cancelled"], "reason"))).toBe(
      false,
    );
  });
  test("a booking request's reason is optional", () => {
    const data = EXAMPLES["booking.requested"];
    expect(accepts("booking.requested", data)).toBe(true);
    expect(accepts("booking.requested", { ...data, reason: "Chest pain on exertion" })).toBe(true);
    expect(accepts("booking.requested", { ...data, reason: 42 })).toBe(false);
  });
});

describe("patients and lab results", () => {
  test("a patient's version starts at 1 and an update names what changed", () => {
    expect(accepts("patient.registered", { ...EXAMPLES["patient.registered"], version: 0 })).toBe(false);
    expect(accepts("patient.updated", { ...EXAMPLES["patient.updated"], changedFields: [] })).toBe(false);
  });
  test("a lab result has at least one numeric analyte", () => {
    const data = EXAMPLES["labresult.recorded"];
    expect(accepts("labresult.recorded", { ...data, analytes: [] })).toBe(false);
    expect(accepts("labresult.recorded", withValue(data, ["analytes", 0, "value"], "13.5"))).toBe(false);
    expect(accepts("labresult.recorded", withValue(data, ["analytes", 0, "value"], Number.NaN))).toBe(false);
  });
});

describe("money", () => {
  const issued = EXAMPLES["invoice.issued"];
  test("currency is an upper-case ISO 4217 code", () => {
    for (const currency of ["eur", "EURO", "€"])
      expect(accepts("invoice.issued", { ...issued, currency })).toBe(false);
  });
  test("cents are integers", () => {
    expect(accepts("invoice.issued", { ...issued, totalCents: 150.5 })).toBe(false);
  });
  test("the insured and patient shares add up to the total", () => {
    expect(accepts("invoice.issued", { ...issued, patientDueCents: issued.patientDueCents + 1 })).toBe(false);
  });
  test("a patient never pays more than they owe, and the status matches the event", () => {
    expect(
      accepts("invoice.paid", { ...EXAMPLES["invoice.paid"], paidCents: issued.patientDueCents + 1 }),
    ).toBe(false);
    expect(accepts("invoice.voided", { ...EXAMPLES["invoice.voided"], status: "open" })).toBe(false);
  });
  test("a claim is withdrawn only for a known reason", () => {
    expect(accepts("claim.withdrawn", EXAMPLES["claim.withdrawn"])).toBe(true);
    expect(accepts("claim.withdrawn", { ...EXAMPLES["claim.withdrawn"], reason: "changed-mind" })).toBe(
      false,
    );
  });

  test("a claim is for a positive amount", () => {
    expect(accepts("claim.submitted", { ...EXAMPLES["claim.submitted"], amountCents: 0 })).toBe(false);
  });
});

describe("window results", () => {
  test("a window ends after it starts", () => {
    const data = EXAMPLES["window.result"];
    expect(accepts("window.result", { ...data, windowEnd: data.windowStart })).toBe(false);
  });
});
