/**
 * The pure parser of the contract's lab report text layout (ARCHITECTURE.md "Lab report PDFs"):
 *
 *   LAB REPORT
 *   Patient ID: <uuid>            (optional)
 *   Collected: 2026-11-20T08:30:00Z
 *   Hemoglobin 13.5 g/dL 12.0-16.0
 *   Glucose (fasting) 180 mg/dL 70-99 H
 *   Vitamin D 41 ng/mL >30
 *
 * One analyte per line, any spacing, any number of pages; every other line is ignored.
 */

/** One analyte as recorded (the contract's `labResult.analytes[]`). */
export interface ParsedAnalyte {
  name: string;
  value: number;
  unit: string;
  refLow: number | null;
  refHigh: number | null;
  flag: "L" | "N" | "H";
}

/** What a report says, before the key and the clock add the rest of a lab result. */
export interface ParsedReport {
  /** The `Patient ID:` value as printed (lower-cased), or null when the report has none. */
  patientId: string | null;
  /** `Collected:` as RFC 3339 UTC (`2026-11-20T08:30:00Z`). */
  collectedAt: string;
  analytes: ParsedAnalyte[];
}

/** The parser's answer: never an exception. */
export type ParseResult = { ok: true; value: ParsedReport } | { ok: false; reason: string };

/** Longer lines are never analyte lines (and would only cost regex time). */
const MAX_LINE = 300;
/** More analytes than this is not a lab report we should post as one result. */
export const MAX_ANALYTES = 500;

/**
 * The numbers we post (the patients service refuses others, and DynamoDB stores only magnitudes
 * 1e-130 … 9.99e125 with ≤ 38 digits): 0, or a magnitude in [1e-12, 1e12], printed with at most 15
 * significant digits (more would be silently rounded by a double). A report printing anything else
 * is quarantined, never posted.
 */
export const NUMBER_LIMITS = { maxMagnitude: 1e12, minMagnitude: 1e-12, maxSignificantDigits: 15 } as const;

const NUM = String.raw`[-+]?(?:\d+(?:\.\d+)?|\.\d+)`;
const RANGE = String.raw`(?:(${NUM})\s*[-–—]\s*(${NUM})|(<=|≤|<|>=|≥|>)\s*(${NUM}))`;
const FLAG = String.raw`(?:\s+(HH|LL|H|L|N|HIGH|LOW|NORMAL))?`;
/** name (no colon: `Phone: …` is a label, not an analyte), value, unit, range, flag. */
const ANALYTE = new RegExp(String.raw`^([^:]*?[^\s:])\s+(${NUM})\s+(\S+)\s+${RANGE}${FLAG}$`, "iu");
/** Labels may share a line with other fields (`Name: …  Patient ID: …  DOB: …`). */
const PATIENT_ID = /(?:^|\s)patient\s*id\s*[:#]\s*(\S+)/i;
const COLLECTED = /(?:^|\s)collected(?:\s+(?:at|on))?\s*:\s*(\S.*)$/i;
const DATE_TIME_SOURCE = String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?`;
const DATE_TIME = new RegExp(`${DATE_TIME_SOURCE}$`, "i");
/** The date-time a `Collected:` value starts with (other fields may follow it). */
const LEADING_DATE_TIME = new RegExp(`${DATE_TIME_SOURCE}(?=\\s|$)`, "i");

/** Parses the text of a whole report (pages joined by newlines). Never throws. */
export function parseLabReport(text: string): ParseResult {
  try {
    return parse(text);
  } catch (error) {
    // Defensive: the code below is written not to throw; if it ever does, the file is rejected.
    return { ok: false, reason: `unreadable report (${error instanceof Error ? error.message : "error"})` };
  }
}

function parse(text: string): ParseResult {
  if (typeof text !== "string") return { ok: false, reason: "no text" };
  let patientId: string | null = null;
  let collected: string | null = null;
  let unreadableCollected: string | null = null;
  const analytes: ParsedAnalyte[] = [];
  const lines = text.split(/\r\n|\r|\n|\f/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/[\s\u00a0]+/gu, " ").trim();
    if (line.length === 0 || line.length > MAX_LINE) continue;
    const where = `line ${i + 1}`;

    const id = PATIENT_ID.exec(line);
    if (id) {
      const value = id[1]!.toLowerCase();
      if (patientId !== null && patientId !== value) {
        return { ok: false, reason: `${where}: conflicting Patient ID lines (${patientId} and ${value})` };
      }
      patientId = value;
    }

    const when = COLLECTED.exec(line);
    if (when) {
      const printed = when[1]!.trim();
      const at = toUtc(LEADING_DATE_TIME.exec(printed)?.[0] ?? printed);
      if (!at) {
        // Not fatal by itself (`Specimen collected: venous blood`), unless no date is found at all.
        unreadableCollected ??= `${where}: unreadable Collected date "${printed.slice(0, 40)}"`;
      } else if (collected !== null && collected !== at) {
        return { ok: false, reason: `${where}: conflicting Collected dates (${collected} and ${at})` };
      } else {
        collected = at;
      }
    }
    if (id || when) continue;

    const m = ANALYTE.exec(line);
    // Anything else is noise: headers, footers, signatures, page numbers, a name without letters.
    if (!m || !/\p{L}/u.test(m[1]!)) continue;
    const analyte = toAnalyte(m);
    if (typeof analyte === "string") return { ok: false, reason: `${where}: ${analyte}` };
    analytes.push(analyte);
    if (analytes.length > MAX_ANALYTES) return { ok: false, reason: `more than ${MAX_ANALYTES} analytes` };
  }
  if (analytes.length === 0) return { ok: false, reason: "no analytes found" };
  if (collected === null) return { ok: false, reason: unreadableCollected ?? "no Collected date" };
  return { ok: true, value: { patientId, collectedAt: collected, analytes } };
}

/** Why a printed number is not one we post (see {@link NUMBER_LIMITS}), or null. */
export function printedNumberProblem(printed: string): string | null {
  const digits = printed.replace(/^[-+]/, "").replace(".", "").replace(/^0+/, "");
  if (digits.length > NUMBER_LIMITS.maxSignificantDigits) {
    return `has more than ${NUMBER_LIMITS.maxSignificantDigits} significant digits`;
  }
  const magnitude = Math.abs(Number(printed));
  if (!Number.isFinite(magnitude)) return "is not a number";
  if (magnitude > NUMBER_LIMITS.maxMagnitude) return `is above ${NUMBER_LIMITS.maxMagnitude} in magnitude`;
  if (magnitude !== 0 && magnitude < NUMBER_LIMITS.minMagnitude) {
    return `is below ${NUMBER_LIMITS.minMagnitude} in magnitude`;
  }
  return null;
}

function toAnalyte(m: RegExpExecArray): ParsedAnalyte | string {
  const [, name, rawValue, unit, low, high, op, bound, rawFlag] = m;
  for (const [what, printed] of [
    ["value", rawValue],
    ["range", low],
    ["range", high],
    ["range", bound],
  ] as const) {
    const problem = printed === undefined ? null : printedNumberProblem(printed);
    if (problem)
      return `${what} of ${name} ${problem} (${printed!.slice(0, 20)}${printed!.length > 20 ? "…" : ""})`;
  }
  const value = Number(rawValue);
  if (!Number.isFinite(value)) return `value of ${name} is not a number`;
  let refLow: number | null = null;
  let refHigh: number | null = null;
  let computed: "L" | "N" | "H" = "N";
  if (low !== undefined && high !== undefined) {
    refLow = Number(low);
    refHigh = Number(high);
    if (!Number.isFinite(refLow) || !Number.isFinite(refHigh)) return `range of ${name} is not numeric`;
    if (refLow > refHigh) return `range of ${name} is inverted (${low}-${high})`;
    computed = value < refLow ? "L" : value > refHigh ? "H" : "N";
  } else {
    const limit = Number(bound);
    if (!Number.isFinite(limit)) return `range of ${name} is not numeric`;
    // `<x`: normal is below x; `<=x`: up to x. `>x` / `>=x` likewise from below.
    if (op === "<" || op === "<=" || op === "≤") {
      refHigh = limit;
      computed = (op === "<" ? value >= limit : value > limit) ? "H" : "N";
    } else {
      refLow = limit;
      computed = (op === ">" ? value <= limit : value < limit) ? "L" : "N";
    }
  }
  const flag = rawFlag ? (rawFlag.toUpperCase().charAt(0) as "L" | "N" | "H") : computed;
  return { name: name!.trim(), value, unit: unit!, refLow, refHigh, flag };
}

/** `2026-11-20T08:30:00Z`, `…+01:00`, `2026-11-20 08:30`, `2026-11-20` → RFC 3339 UTC; null if not a real time. */
export function toUtc(text: string): string | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    return null; // 2026-02-30, 25:00 and the like
  }
  // No zone printed: the lab's local time is unknown, so it is read as UTC (documented).
  let offsetMinutes = 0;
  if (zone && !/^(Z|UTC)$/i.test(zone)) {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 14 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const iso = new Date(ms - offsetMinutes * 60_000 + millis).toISOString();
  return millis ? iso : iso.replace(/\.000Z$/, "Z");
}
