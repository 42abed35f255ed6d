import { describe, expect, test } from "bun:test";
import { alertFor } from "./alert-rule.ts";
import type { LabResultRecord } from "./fhir-bundle.ts";

type Analyte = LabResultRecord["analytes"][number];

const analyte = (over: Partial<Analyte>): Analyte => ({
  name: "Hemoglobin",
  value: 13.5,
  unit: "g/dL",
  refLow: 12,
  refHigh: 16,
  flag: "N",
  ...over,
});

const result = (analytes: Analyte[]): LabResultRecord => ({
  id: "0193a8f0-0000-7000-8000-000000000001",
  reportId: "0193a8f0-0000-7000-8000-000000000002",
  patientId: "0193a8f0-0000-7000-8000-000000000003",
  collectedAt: "2026-11-20T08:30:00Z",
  receivedAt: "2026-11-20T10:00:00Z",
  analytes,
});

describe("alertFor", () => {
  test("all normal → no alert", () => {
    expect(
      alertFor(result([analyte({}), analyte({ name: "Sodium", value: 140, refLow: 135, refHigh: 145 })])),
    ).toBe(null);
  });

  test("one H within 1.5 × high → one warning naming the analyte", () => {
    const alert = alertFor(
      result([
        analyte({}),
        analyte({ name: "Glucose (fasting)", value: 140, unit: "mg/dL", refLow: 70, refHigh: 99, flag: "H" }),
      ]),
    );
    expect(alert?.severity).toBe("warning");
    expect(alert?.summary).toContain("Glucose (fasting) 140 mg/dL (high, ref 70-99)");
    expect(alert?.summary).not.toContain("Hemoglobin");
  });

  test("L within 0.5 × low → warning", () => {
    const alert = alertFor(
      result([analyte({ name: "Potassium", value: 3.1, refLow: 3.5, refHigh: 5.1, flag: "L" })]),
    );
    expect(alert).toEqual({
      severity: "warning",
      summary: "Abnormal lab result — 1 abnormal result: Potassium 3.1 g/dL (low, ref 3.5-5.1)",
    });
  });

  const cases: Array<[string, Analyte, "warning" | "critical"]> = [
    ["exactly 1.5 × high is not critical", analyte({ value: 24, refHigh: 16, flag: "H" }), "warning"],
    ["just above 1.5 × high is critical", analyte({ value: 24.01, refHigh: 16, flag: "H" }), "critical"],
    ["exactly 0.5 × low is not critical", analyte({ value: 6, refLow: 12, flag: "L" }), "warning"],
    ["just below 0.5 × low is critical", analyte({ value: 5.99, refLow: 12, flag: "L" }), "critical"],
    [
      "`<x` range: above 1.5 × x is critical",
      analyte({ value: 301, refLow: null, refHigh: 200, flag: "H" }),
      "critical",
    ],
    [
      "`>x` range: below 0.5 × x is critical",
      analyte({ value: 14, refLow: 30, refHigh: null, flag: "L" }),
      "critical",
    ],
    [
      "`>x` range: low but not critical",
      analyte({ value: 20, refLow: 30, refHigh: null, flag: "L" }),
      "warning",
    ],
  ];
  for (const [name, a, severity] of cases) {
    test(name, () => expect(alertFor(result([a]))?.severity).toBe(severity));
  }

  test("critical comes from any analyte once one is flagged", () => {
    // The lab flagged the potassium; the glucose is > 1.5 × its high bound.
    const alert = alertFor(
      result([
        analyte({ name: "Potassium", value: 3.2, refLow: 3.5, refHigh: 5.1, flag: "L" }),
        analyte({ name: "Glucose", value: 200, refLow: 70, refHigh: 99, flag: "H" }),
      ]),
    );
    expect(alert?.severity).toBe("critical");
    expect(alert?.summary).toMatch(/^Critical lab result — 2 abnormal results: Potassium .*; Glucose /);
  });

  // Bounds ≥ 0: the contract literally. A bound of 0 scales to 0.
  const zeroAndNegative: Array<[string, Analyte, "warning" | "critical" | null]> = [
    [
      "value 1 above refHigh 0 (1.5 × 0 = 0) is critical",
      analyte({ value: 1, refLow: null, refHigh: 0, flag: "H" }),
      "critical",
    ],
    [
      "value 0 at refHigh 0 is not critical",
      analyte({ value: 0, refLow: null, refHigh: 0, flag: "H" }),
      "warning",
    ],
    [
      "value −0.1 below refLow 0 (0.5 × 0 = 0) is critical",
      analyte({ value: -0.1, refLow: 0, refHigh: 5, flag: "L" }),
      "critical",
    ],
    [
      "value 0 at refLow 0 is not critical",
      analyte({ value: 0, refLow: 0, refHigh: 5, flag: "L" }),
      "warning",
    ],
    // Negative low: 50 % of |low| outwards (1.5 × low), never inside the range as 0.5 × low would be.
    [
      "base excess −2.5, refLow −2: low, not critical (−2.5 ≥ −3)",
      analyte({ value: -2.5, refLow: -2, refHigh: 2, flag: "L" }),
      "warning",
    ],
    [
      "base excess −3, refLow −2: exactly 1.5 × low is not critical",
      analyte({ value: -3, refLow: -2, refHigh: 2, flag: "L" }),
      "warning",
    ],
    [
      "base excess −3.01, refLow −2: critical",
      analyte({ value: -3.01, refLow: -2, refHigh: 2, flag: "L" }),
      "critical",
    ],
    [
      "in-range −1.5 with refLow −2 is never critical (0.5 × low = −1 would say so)",
      analyte({ value: -1.5, refLow: -2, refHigh: 2, flag: "N" }),
      null,
    ],
    // Negative high: 50 % of |high| outwards (0.5 × high).
    [
      "value −0.9 with range −10…−2: critical above −1",
      analyte({ value: -0.9, refLow: -10, refHigh: -2, flag: "H" }),
      "critical",
    ],
    [
      "value −1.5 with range −10…−2: high, not critical",
      analyte({ value: -1.5, refLow: -10, refHigh: -2, flag: "H" }),
      "warning",
    ],
  ];
  for (const [name, a, severity] of zeroAndNegative) {
    test(name, () => expect(alertFor(result([a]))?.severity ?? null).toBe(severity));
  }

  test("a result with no bounds but a lab flag still raises a warning", () => {
    const alert = alertFor(result([analyte({ refLow: null, refHigh: null, flag: "H" })]));
    expect(alert?.severity).toBe("warning");
    expect(alert?.summary).toContain("no range");
  });
});
