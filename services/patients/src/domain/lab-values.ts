/**
 * The numbers a lab result may carry (analyte `value`, `refLow`, `refHigh`). DynamoDB stores
 * numbers of magnitude 1e-130 … 9.99e125 with up to 38 significant digits; a clinical value is far
 * inside that. We accept 0 or a magnitude in [1e-12, 1e12] with at most 15 significant digits (what
 * a double carries exactly), so anything we accept is storable and printable as given.
 */
export const LAB_NUMBER = { maxMagnitude: 1e12, minMagnitude: 1e-12, maxSignificantDigits: 15 } as const;

/** Significant digits of a number's shortest round-trip form (`13.5` → 3, `1e-7` → 1). */
export function significantDigits(x: number): number {
  const mantissa = Math.abs(x).toExponential().split("e")[0]!;
  return mantissa.replace(".", "").length;
}

/** Why `x` is not an acceptable lab number, or null when it is. */
export function labNumberProblem(x: number): string | null {
  if (!Number.isFinite(x)) return "must be a finite number";
  const magnitude = Math.abs(x);
  if (magnitude > LAB_NUMBER.maxMagnitude) return `must be at most ${LAB_NUMBER.maxMagnitude} in magnitude`;
  if (x !== 0 && magnitude < LAB_NUMBER.minMagnitude) {
    return `must be 0 or at least ${LAB_NUMBER.minMagnitude} in magnitude`;
  }
  if (significantDigits(x) > LAB_NUMBER.maxSignificantDigits) {
    return `must have at most ${LAB_NUMBER.maxSignificantDigits} significant digits`;
  }
  return null;
}
