import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type ParsedAnalyte, parseLabReport, toUtc } from "./parser.ts";

const PID = "0193a8f0-0000-7000-8000-0000000000a1";
const head = `LAB REPORT\nPatient ID: ${PID}\nCollected: 2026-11-20T08:30:00Z\n`;

const a = (
  name: string,
  value: number,
  unit: string,
  refLow: number | null,
  refHigh: number | null,
  flag: "L" | "N" | "H",
): ParsedAnalyte => ({ name, value, unit, refLow, refHigh, flag });

describe("analyte lines", () => {
  // [line, expected analyte]
  const cases: Array<[string, ParsedAnalyte]> = [
    ["Hemoglobin 13.5 g/dL 12.0-16.0", a("Hemoglobin", 13.5, "g/dL", 12, 16, "N")],
    ["Glucose (fasting) 180 mg/dL 70-99 H", a("Glucose (fasting)", 180, "mg/dL", 70, 99, "H")],
    ["Potassium 3.1 mmol/L 3.5-5.1 L", a("Potassium", 3.1, "mmol/L", 3.5, 5.1, "L")],
    ["Vitamin D 41 ng/mL >30", a("Vitamin D", 41, "ng/mL", 30, null, "N")],
    // flags computed from the range when missing
    ["Glucose (fasting) 180 mg/dL 70-99", a("Glucose (fasting)", 180, "mg/dL", 70, 99, "H")],
    ["Potassium 3.1 mmol/L 3.5-5.1", a("Potassium", 3.1, "mmol/L", 3.5, 5.1, "L")],
    ["Vitamin D 21 ng/mL >30", a("Vitamin D", 21, "ng/mL", 30, null, "L")],
    ["Vitamin D 30 ng/mL >30", a("Vitamin D", 30, "ng/mL", 30, null, "L")],
    ["LDL Cholesterol 96 mg/dL <100", a("LDL Cholesterol", 96, "mg/dL", null, 100, "N")],
    ["LDL Cholesterol 100 mg/dL <100", a("LDL Cholesterol", 100, "mg/dL", null, 100, "H")],
    ["LDL Cholesterol 100 mg/dL <=100", a("LDL Cholesterol", 100, "mg/dL", null, 100, "N")],
    ["HDL 40 mg/dL ≥ 40", a("HDL", 40, "mg/dL", 40, null, "N")],
    // bounds are inclusive
    ["Sodium 135 mmol/L 135-145", a("Sodium", 135, "mmol/L", 135, 145, "N")],
    ["Sodium 145 mmol/L 135-145", a("Sodium", 145, "mmol/L", 135, 145, "N")],
    // any spacing, tabs, non-breaking spaces, spaced ranges and en dashes
    ["   Hemoglobin\t\t13.5    g/dL\u00a0 12.0 - 16.0   ", a("Hemoglobin", 13.5, "g/dL", 12, 16, "N")],
    ["Creatinine 0.9 mg/dL 0.6–1.2", a("Creatinine", 0.9, "mg/dL", 0.6, 1.2, "N")],
    ["TSH .35 mIU/L 0.4-4.0", a("TSH", 0.35, "mIU/L", 0.4, 4, "L")],
    ["Vitamin D 41 ng/mL > 30", a("Vitamin D", 41, "ng/mL", 30, null, "N")],
    // names with digits, parentheses, hyphens, commas
    ["Vitamin B12 450 pg/mL 200-900", a("Vitamin B12", 450, "pg/mL", 200, 900, "N")],
    ["25-OH Vitamin D (total) 41 ng/mL >30", a("25-OH Vitamin D (total)", 41, "ng/mL", 30, null, "N")],
    ["Bilirubin, total 1.4 mg/dL 0.1-1.2 H", a("Bilirubin, total", 1.4, "mg/dL", 0.1, 1.2, "H")],
    ["Platelets 250 10^9/L 150-400", a("Platelets", 250, "10^9/L", 150, 400, "N")],
    ["HbA1c 5.9 % 4.0-5.6 H", a("HbA1c", 5.9, "%", 4, 5.6, "H")],
    ["Free T4 1.1 ng/dL 0.8-1.8", a("Free T4", 1.1, "ng/dL", 0.8, 1.8, "N")],
    ["Ferritin 12 µg/L 15-150", a("Ferritin", 12, "µg/L", 15, 150, "L")],
    // the lab's flag wins over the computed one; spelled-out and lower-case flags
    ["Glucose 95 mg/dL 70-99 H", a("Glucose", 95, "mg/dL", 70, 99, "H")],
    ["Glucose 150 mg/dL 70-99 N", a("Glucose", 150, "mg/dL", 70, 99, "N")],
    ["Glucose 150 mg/dL 70-99 High", a("Glucose", 150, "mg/dL", 70, 99, "H")],
    ["Potassium 2.1 mmol/L 3.5-5.1 LL", a("Potassium", 2.1, "mmol/L", 3.5, 5.1, "L")],
    ["Potassium 3.0 mmol/L 3.5-5.1 l", a("Potassium", 3, "mmol/L", 3.5, 5.1, "L")],
    // negative values and bounds; a unit is any one word
    ["Base excess -3.2 mmol/L -2-2 L", a("Base excess", -3.2, "mmol/L", -2, 2, "L")],
    ["INR 1.0 ratio 0.8-1.2", a("INR", 1, "ratio", 0.8, 1.2, "N")],
  ];
  for (const [line, expected] of cases) {
    test(JSON.stringify(line), () => {
      expect(parseLabReport(head + line)).toEqual({
        ok: true,
        value: { patientId: PID, collectedAt: "2026-11-20T08:30:00Z", analytes: [expected] },
      });
    });
  }
});

describe("whole reports", () => {
  test("the contract's example", () => {
    const text = [
      "LAB REPORT",
      `Patient ID: ${PID}`,
      "Collected: 2026-11-20T08:30:00Z",
      "Hemoglobin 13.5 g/dL 12.0-16.0",
      "Glucose (fasting) 180 mg/dL 70-99 H",
      "Potassium 3.1 mmol/L 3.5-5.1 L",
      "Vitamin D 41 ng/mL >30",
    ].join("\n");
    const result = parseLabReport(text);
    expect(result.ok && result.value.analytes.map((x) => [x.name, x.flag])).toEqual([
      ["Hemoglobin", "N"],
      ["Glucose (fasting)", "H"],
      ["Potassium", "L"],
      ["Vitamin D", "N"],
    ]);
  });

  test("noise lines are ignored and multi-page reports repeat their header", () => {
    const page = (n: number, rows: string[]) =>
      [
        "Carebridge Reference Laboratory GmbH - Musterstrasse 5, 10115 Berlin",
        "LAB REPORT",
        `Patient ID: ${PID.toUpperCase()}`,
        "Collected: 2026-11-20T08:30:00Z",
        "Test Result Unit Reference range Flag",
        ...rows,
        `Page ${n} of 2 - validated by Dr. L. Lab, signed 2026-11-20`,
        "Phone: +49 30 555-1234",
        "Fax: 030 555 1234-5678",
        "pH 7.31 7.35-7.45",
      ].join("\n");
    const text = `${page(1, ["Hemoglobin 13.5 g/dL 12.0-16.0"])}\f${page(2, ["Sodium 141 mmol/L 135-145"])}`;
    const result = parseLabReport(text);
    expect(result).toEqual({
      ok: true,
      value: {
        patientId: PID,
        collectedAt: "2026-11-20T08:30:00Z",
        analytes: [a("Hemoglobin", 13.5, "g/dL", 12, 16, "N"), a("Sodium", 141, "mmol/L", 135, 145, "N")],
      },
    });
  });

  test("Patient ID and Collected share lines with other fields", () => {
    const text = [
      `Name: Pat Patient   Patient ID: ${PID}   DOB: 1980-04-12`,
      "Collected: 2026-11-20 08:30 UTC   Reported: 2026-11-21T10:00:00Z",
      "Hemoglobin 13.5 g/dL 12.0-16.0",
    ].join("\n");
    const r = parseLabReport(text);
    expect(r.ok && [r.value.patientId, r.value.collectedAt]).toEqual([PID, "2026-11-20T08:30:00Z"]);
    const oneLine = parseLabReport(`Patient ID: ${PID} Collected: 2026-11-20\nHemoglobin 13.5 g/dL 12-16`);
    expect(oneLine.ok && [oneLine.value.patientId, oneLine.value.collectedAt]).toEqual([
      PID,
      "2026-11-20T00:00:00Z",
    ]);
    // A Patient ID buried in a line is still compared, so a mismatch cannot hide there.
    const other = "0193a8f0-0000-7000-8000-0000000000ff";
    const buried = parseLabReport(`${head}Name: X  Patient ID: ${other}\nHemoglobin 13.5 g/dL 12-16`);
    expect(buried.ok).toBe(false);
  });

  test("Patient ID is optional; CRLF line ends", () => {
    const result = parseLabReport(
      "LAB REPORT\r\nCollected: 2026-11-20T08:30:00Z\r\nHemoglobin 13.5 g/dL 12.0-16.0\r\n",
    );
    expect(result.ok && result.value.patientId).toBeNull();
  });

  test("Collected accepts offsets, dates and spaces, normalised to UTC", () => {
    const at = (s: string) => {
      const r = parseLabReport(`Collected: ${s}\nHemoglobin 13.5 g/dL 12.0-16.0`);
      return r.ok ? r.value.collectedAt : r.reason;
    };
    expect(at("2026-11-20T09:30:00+01:00")).toBe("2026-11-20T08:30:00Z");
    expect(at("2026-11-20 08:30")).toBe("2026-11-20T08:30:00Z");
    expect(at("2026-11-20")).toBe("2026-11-20T00:00:00Z");
    expect(at("2026-11-20T08:30:00.250Z")).toBe("2026-11-20T08:30:00.250Z");
    expect(at("2026-02-30T08:30:00Z")).toContain("unreadable Collected date");
    expect(at("yesterday")).toContain("unreadable Collected date");
    // A label that merely contains the word is not fatal when the real date is there.
    const r = parseLabReport(`Specimen collected: venous blood\n${head}Hemoglobin 13.5 g/dL 12-16`);
    expect(r.ok && r.value.collectedAt).toBe("2026-11-20T08:30:00Z");
  });

  // [text, reason fragment]
  const rejects: Array<[string, string]> = [
    ["", "no analytes found"],
    ["LAB REPORT\nCollected: 2026-11-20T08:30:00Z\nNothing measured today", "no analytes found"],
    ["LAB REPORT\nHemoglobin 13.5 g/dL 12.0-16.0", "no Collected date"],
    [`${head}Hemoglobin 13.5 g/dL 16.0-12.0`, "inverted"],
    [
      `${head}Patient ID: 0193a8f0-0000-7000-8000-0000000000ff\nHemoglobin 13.5 g/dL 12-16`,
      "conflicting Patient ID",
    ],
    [`${head}Collected: 2026-11-21T08:30:00Z\nHemoglobin 13.5 g/dL 12-16`, "conflicting Collected"],
    [`${head}${"Hemoglobin 13.5 g/dL 12-16\n".repeat(501)}`, "more than 500 analytes"],
    // Numbers DynamoDB cannot store (or a lab cannot mean): quarantined, never posted.
    [
      `${head}Hemoglobin ${"9".repeat(200)} g/dL 12-16`,
      "value of Hemoglobin has more than 15 significant digits",
    ],
    [`${head}Hemoglobin 0.${"0".repeat(199)}1 g/dL 12-16`, "value of Hemoglobin is below 1e-12"],
    [`${head}Hemoglobin 1000000000001 g/dL 12-16`, "value of Hemoglobin is above 1000000000000"],
    [`${head}Hemoglobin 1.2345678901234567 g/dL 12-16`, "more than 15 significant digits"],
    [`${head}Hemoglobin 13.5 g/dL 0.0000000000001-16`, "range of Hemoglobin is below 1e-12"],
    [`${head}Hemoglobin 13.5 g/dL 12-${"9".repeat(130)}`, "range of Hemoglobin has more than 15"],
    [`${head}Hemoglobin 13.5 g/dL <${"9".repeat(16)}`, "range of Hemoglobin has more than 15"],
  ];
  for (const [text, reason] of rejects) {
    test(`rejects: ${reason}`, () => {
      const result = parseLabReport(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(reason);
    });
  }

  test("a printed Patient ID is returned as printed (lower-cased), even if it is no uuid", () => {
    const r = parseLabReport("Patient ID: ABC-123\nCollected: 2026-11-20\nHemoglobin 13.5 g/dL 12-16");
    expect(r.ok && r.value.patientId).toBe("abc-123");
  });
});

test("toUtc rejects impossible clock times and offsets", () => {
  expect(toUtc("2026-11-20T24:00:00Z")).toBeNull();
  expect(toUtc("2026-11-20T08:30:00+15:00")).toBeNull();
  expect(toUtc("2026-11-20T08:30:00-0500")).toBe("2026-11-20T13:30:00Z");
});

describe("fuzz", () => {
  const validOutcome = (r: ReturnType<typeof parseLabReport>) => {
    if (!r.ok) return typeof r.reason === "string" && r.reason.length > 0;
    return (
      r.value.analytes.length > 0 &&
      !Number.isNaN(Date.parse(r.value.collectedAt)) &&
      r.value.analytes.every(
        (x) =>
          [x.value, x.refLow ?? 0, x.refHigh ?? 0].every(
            (n) => Number.isFinite(n) && Math.abs(n) <= 1e12 && (n === 0 || Math.abs(n) >= 1e-12),
          ) &&
          ["L", "N", "H"].includes(x.flag) &&
          x.name.trim() === x.name &&
          x.name !== "",
      )
    );
  };

  test("arbitrary text never throws: it parses into a well-formed result or is rejected with a reason", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000, unit: "binary" }), (s) => validOutcome(parseLabReport(s))),
      { numRuns: 2000 },
    );
  });

  test("report-shaped noise never throws either", () => {
    const token = fc.oneof(
      fc.constantFrom(
        "Collected:",
        "Patient ID:",
        "H",
        "L",
        "<",
        ">",
        "-",
        "–",
        "(",
        ")",
        "mg/dL",
        "\t",
        "  ",
        "\n",
      ),
      fc.double({ noNaN: false }).map(String),
      fc.integer().map(String),
      fc.string({ maxLength: 8 }),
    );
    const text = fc.array(token, { maxLength: 200 }).map((t) => t.join(" "));
    fc.assert(
      fc.property(text, (s) => validOutcome(parseLabReport(`Collected: 2026-11-20\n${s}`))),
      { numRuns: 2000 },
    );
  });

  test("any well-formed report round-trips", () => {
    const num = fc.integer({ min: -100_000, max: 1_000_000 }).map((n) => n / 100);
    const analyte = fc
      .record({
        name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ()-]{0,30}[A-Za-z)]$/),
        value: num,
        unit: fc.constantFrom("g/dL", "mg/dL", "mmol/L", "%", "10^9/L", "µmol/L", "U/L"),
        bounds: fc.tuple(num, num),
        kind: fc.constantFrom("range", "<", ">"),
        flag: fc.constantFrom(undefined, "H", "L", "N"),
      })
      .filter((x) => !/\s{2}/.test(x.name));
    fc.assert(
      fc.property(fc.array(analyte, { minLength: 1, maxLength: 30 }), (rows) => {
        const lines = rows.map((r) => {
          const [lo, hi] = r.bounds[0] <= r.bounds[1] ? r.bounds : [r.bounds[1], r.bounds[0]];
          const range = r.kind === "range" ? `${lo}-${hi}` : `${r.kind}${r.kind === "<" ? hi : lo}`;
          return [r.name, r.value, r.unit, range, r.flag].filter((x) => x !== undefined).join(" ");
        });
        const result = parseLabReport(`${head}${lines.join("\n")}`);
        if (!result.ok) return false;
        return result.value.analytes.every((got, i) => {
          const r = rows[i]!;
          return (
            got.name === r.name &&
            got.value === r.value &&
            got.unit === r.unit &&
            (!r.flag || got.flag === r.flag)
          );
        });
      }),
      { numRuns: 500 },
    );
  });
});
