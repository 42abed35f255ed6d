import type { LabResultRecord } from "./fhir-bundle.ts";

export type { LabResultRecord } from "./fhir-bundle.ts";

/** What the contract's alert rule decides for one lab result. */
export interface AlertDecision {
  severity: "warning" | "critical";
  summary: string;
}

type Analyte = LabResultRecord["analytes"][number];

/**
 * The contract's alert rule: any analyte flagged H or L raises one alert for the lab result; it is
 * `critical` when any value is above 1.5 × its high bound or below 0.5 × its low bound, else
 * `warning`. For bounds ≥ 0 this is applied literally (so with a bound of 0, any value above a high
 * bound of 0 or below a low bound of 0 is critical). A negative bound is where the literal multiple
 * would flag in-range values (0.5 × a low of −10 is −5, inside the range), so there the same 50 %
 * of the bound's magnitude is measured outwards: critical below `low − 0.5·|low|` (= 1.5 × low)
 * or above `high + 0.5·|high|` (= 0.5 × high). Both forms agree for bounds ≥ 0.
 * Returns null when every analyte is normal. The summary names each abnormal analyte.
 */
export function alertFor(result: LabResultRecord): AlertDecision | null {
  const abnormal = result.analytes.filter((a) => a.flag === "H" || a.flag === "L");
  if (abnormal.length === 0) return null;
  const critical = result.analytes.some(isCritical);
  const listed = abnormal.map(describe).join("; ");
  const noun = abnormal.length === 1 ? "abnormal result" : "abnormal results";
  return {
    severity: critical ? "critical" : "warning",
    summary: `${critical ? "Critical" : "Abnormal"} lab result — ${abnormal.length} ${noun}: ${listed}`,
  };
}

/** Above this is critical: 1.5 × high for high ≥ 0, high + 0.5·|high| below 0. */
export function criticalAbove(high: number): number {
  return high + 0.5 * Math.abs(high);
}

/** Below this is critical: 0.5 × low for low ≥ 0, low − 0.5·|low| below 0. */
export function criticalBelow(low: number): number {
  return low - 0.5 * Math.abs(low);
}

function isCritical(a: Analyte): boolean {
  if (a.refHigh !== null && a.value > criticalAbove(a.refHigh)) return true;
  if (a.refLow !== null && a.value < criticalBelow(a.refLow)) return true;
  return false;
}

function describe(a: Analyte): string {
  const range =
    a.refLow !== null && a.refHigh !== null
      ? `${a.refLow}-${a.refHigh}`
      : a.refHigh !== null
        ? `<${a.refHigh}`
        : a.refLow !== null
          ? `>${a.refLow}`
          : "no range";
  const direction = a.flag === "H" ? "high" : "low";
  return `${a.name} ${a.value}${a.unit ? ` ${a.unit}` : ""} (${direction}, ref ${range})`;
}
