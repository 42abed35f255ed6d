import { describe, expect, test } from "bun:test";
import {
  applyEvent,
  changedFields,
  initialRecord,
  normalizePatch,
  type PatientEvent,
  patientPatchSchema,
  replay,
} from "./patient.ts";

const id = "01a1fb00-0000-7000-8000-000000000001";
const system = { userId: null, role: "system" };
const registered: PatientEvent = {
  seq: 1,
  type: "patient.registered",
  occurredAt: "2026-11-20T10:00:00.000Z",
  actor: system,
  data: initialRecord({ id, name: "Pat", email: "pat@example.com" }),
};
const updated = (seq: number, data: Record<string, unknown>): PatientEvent => ({
  seq,
  type: "patient.updated",
  occurredAt: "2026-11-20T11:00:00.000Z",
  actor: { userId: id, role: "patient" },
  data,
});

describe("patient record projection", () => {
  test("replay applies the events in order; the version is the last seq; id and userId never change", () => {
    const record = replay([
      registered,
      updated(2, { insurance: { planId: "plus", memberId: "M" }, allergies: ["nuts"] }),
      updated(3, { allergies: [], id: "forged", userId: "forged" }),
    ]);
    expect(record).toMatchObject({
      id,
      userId: id,
      version: 3,
      allergies: [],
      insurance: { planId: "plus", memberId: "M" },
    });
    expect(replay([])).toBeNull();
  });

  test("out-of-sequence, duplicate registration and update-before-registration are refused", () => {
    expect(() => replay([registered, updated(3, {})])).toThrow(/out of sequence/);
    expect(() => applyEvent(null, updated(1, {}))).toThrow(/before patient.registered/);
    expect(() => applyEvent(replay([registered]), { ...registered, seq: 2 })).toThrow(/existing record/);
  });

  test("changedFields keeps only values that differ (deep)", () => {
    const record = replay([registered])!;
    expect(
      changedFields(record, { name: "Pat", allergies: [], insurance: { planId: "none", memberId: null } }),
    ).toEqual({});
    expect(changedFields(record, { name: "Pat B", conditions: ["asthma"] })).toEqual({
      name: "Pat B",
      conditions: ["asthma"],
    });
  });
});

describe("PATCH /me body", () => {
  const ok = (body: unknown) => patientPatchSchema.safeParse(body).success;
  test("accepts partial contract fields", () => {
    expect(ok({})).toBe(true);
    expect(ok({ dateOfBirth: "1980-02-29", sex: "female", phone: "+49 (30) 123-45", address: null })).toBe(
      true,
    );
    expect(ok({ insurance: { planId: "premium", memberId: "X1" } })).toBe(true);
    expect(patientPatchSchema.parse({ insurance: { planId: "none" } })).toEqual({
      insurance: { planId: "none", memberId: null },
    });
  });
  test("a plan other than none needs a non-empty memberId, named in the error", () => {
    for (const insurance of [
      { planId: "premium" },
      { planId: "premium", memberId: null },
      { planId: "basic", memberId: "   " },
      { planId: "plus", memberId: "" },
    ]) {
      const result = patientPatchSchema.safeParse({ insurance });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["insurance.memberId"]);
    }
  });
  test("plan none forces memberId null", () => {
    const patch = patientPatchSchema.parse({ name: "Pat", insurance: { planId: "none", memberId: "OLD-1" } });
    expect(normalizePatch(patch)).toEqual({ name: "Pat", insurance: { planId: "none", memberId: null } });
    const paid = patientPatchSchema.parse({ insurance: { planId: "basic", memberId: "B-1" } });
    expect(normalizePatch(paid)).toBe(paid);
  });
  test("refuses unknown plans, unknown or server-owned fields, bad dates and oversize lists", () => {
    expect(ok({ insurance: { planId: "gold", memberId: null } })).toBe(false);
    expect(ok({ insurance: { planId: "basic", memberId: null, extra: 1 } })).toBe(false);
    for (const field of ["id", "userId", "email", "version", "unknown"])
      expect(ok({ [field]: "x" })).toBe(false);
    expect(ok({ dateOfBirth: "1980-02-30" })).toBe(false);
    expect(ok({ dateOfBirth: "2999-01-01" })).toBe(false);
    expect(ok({ sex: "f" })).toBe(false);
    expect(ok({ phone: "call me" })).toBe(false);
    expect(ok({ allergies: Array.from({ length: 101 }, (_, i) => `a${i}`) })).toBe(false);
    expect(ok({ name: "  " })).toBe(false);
  });
});
