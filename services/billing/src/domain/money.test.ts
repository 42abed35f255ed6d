import { describe, expect, test } from "bun:test";
import { INSURANCE_PLAN_IDS } from "@carebridge/contracts";
import fc from "fast-check";
import {
  consultationCharge,
  consultationFeeCents,
  LATE_FEE_CENTS,
  lateFeeCharge,
  splitCoverage,
} from "./money.ts";

describe("fees (contract: GP 8000, cardiology 15000, dermatology 11000, other 10000; telehealth 80%)", () => {
  test.each([
    ["General Practice", "in-person", 8_000],
    ["General Practice", "telehealth", 6_400],
    ["Cardiology", "in-person", 15_000],
    ["Cardiology", "telehealth", 12_000],
    ["Dermatology", "in-person", 11_000],
    ["Dermatology", "telehealth", 8_800],
    ["Neurology", "in-person", 10_000],
    ["Neurology", "telehealth", 8_000],
    ["cardiology", "in-person", 15_000],
  ] as const)("%s %s → %d", (specialty, mode, fee) => {
    expect(consultationFeeCents(specialty, mode)).toBe(fee);
  });
});

describe("plans (copay, coverage): none (0, 0%), basic (2000, 60%), plus (1000, 80%), premium (0, 100%)", () => {
  test.each([
    // total, plan, covered = round(coverage × max(0, total − copay)), due = total − covered
    [8_000, "none", 0, 8_000],
    [8_000, "basic", 3_600, 4_400],
    [8_000, "plus", 5_600, 2_400],
    [8_000, "premium", 8_000, 0],
    [15_000, "basic", 7_800, 7_200],
    [6_400, "plus", 4_320, 2_080],
    [1_500, "basic", 0, 1_500], // below the copay: nothing covered
    [2_001, "basic", 1, 2_000], // 0.6 rounds to 1
    [2_002, "plus", 802, 1_200], // 801.6 rounds to 802
  ] as const)("%d under %s → covered %d, due %d", (total, plan, covered, due) => {
    expect(splitCoverage(total, plan)).toEqual({
      totalCents: total,
      insuranceCoveredCents: covered,
      patientDueCents: due,
    });
  });

  test("the consultation charge has one line with the fee", () => {
    expect(consultationCharge("Cardiology", "telehealth", "basic")).toEqual({
      lines: [{ description: "Cardiology consultation (telehealth)", amountCents: 12_000 }],
      totalCents: 12_000,
      insuranceCoveredCents: 6_000,
      patientDueCents: 6_000,
    });
  });

  test("the late fee is 5000, a single line, not covered", () => {
    for (const reason of ["late-cancellation", "no-show"] as const) {
      const fee = lateFeeCharge(reason);
      expect(fee.lines).toHaveLength(1);
      expect(fee).toMatchObject({
        totalCents: LATE_FEE_CENTS,
        insuranceCoveredCents: 0,
        patientDueCents: 5_000,
      });
    }
  });

  test("a negative or fractional total is refused", () => {
    expect(() => splitCoverage(-1, "basic")).toThrow(RangeError);
    expect(() => splitCoverage(10.5, "basic")).toThrow(RangeError);
  });
});

describe("property: for every plan, specialty and mode", () => {
  test("covered + due = total, nothing negative, integers, covered ≤ total − copay", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INSURANCE_PLAN_IDS),
        fc.oneof(
          fc.constantFrom("General Practice", "Cardiology", "Dermatology"),
          fc.string({ minLength: 1, maxLength: 40 }),
        ),
        fc.constantFrom("in-person" as const, "telehealth" as const),
        (plan, specialty, mode) => {
          const charge = consultationCharge(specialty, mode, plan);
          expect(charge.insuranceCoveredCents + charge.patientDueCents).toBe(charge.totalCents);
          expect(charge.lines.reduce((sum, l) => sum + l.amountCents, 0)).toBe(charge.totalCents);
          for (const value of [charge.totalCents, charge.insuranceCoveredCents, charge.patientDueCents]) {
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test("the split holds for any total, not only the contract's fees", () => {
    fc.assert(
      fc.property(fc.constantFrom(...INSURANCE_PLAN_IDS), fc.nat({ max: 10_000_000 }), (plan, total) => {
        const split = splitCoverage(total, plan);
        expect(split.insuranceCoveredCents + split.patientDueCents).toBe(total);
        expect(split.insuranceCoveredCents).toBeGreaterThanOrEqual(0);
        expect(split.patientDueCents).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(split.insuranceCoveredCents)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
