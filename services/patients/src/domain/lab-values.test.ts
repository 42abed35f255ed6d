import { describe, expect, test } from "bun:test";
import { LAB_NUMBER, labNumberProblem, significantDigits } from "./lab-values.ts";

describe("lab numbers", () => {
  test("significant digits of the shortest round-trip form", () => {
    expect(significantDigits(13.5)).toBe(3);
    expect(significantDigits(0.000_12)).toBe(2);
    expect(significantDigits(-120)).toBe(2);
    expect(significantDigits(123456789012.345)).toBe(15);
    expect(significantDigits(0.1 + 0.2)).toBe(17);
  });

  test("accepts 0 and magnitudes in [1e-12, 1e12] with ≤ 15 digits, either sign", () => {
    for (const x of [0, -0, 1e12, -1e12, 1e-12, -1e-12, 13.5, -2.5, 123456789012.345]) {
      expect(labNumberProblem(x)).toBeNull();
    }
  });

  test("refuses what DynamoDB cannot store or a lab cannot mean", () => {
    for (const x of [1e200, 1e-200, -1e200, 1e126, 1e-131, 1.000001e12, 9.99e-13, 0.1 + 0.2, Number.NaN]) {
      expect(labNumberProblem(x)).not.toBeNull();
    }
    expect(LAB_NUMBER.maxMagnitude).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});
