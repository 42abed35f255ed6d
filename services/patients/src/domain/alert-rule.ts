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
 * `warning`. Only positive bounds are scaled (a multiple of a zero or negative bound means nothing).
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

function isCritical(a: Analyte): boolean {
  if (a.refHigh !== null && a.refHigh > 0 && a.value > 1.5 * a.refHigh) return true;
  if (a.refLow !== null && a.refLow > 0 && a.value < 0.5 * a.refLow) return true;
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
