import { PDFDocument, type PDFFont, StandardFonts } from "pdf-lib";

/** One analyte line as it is printed on a report. */
export interface SampleAnalyte {
  name: string;
  value: string;
  unit: string;
  range: string;
  flag?: "H" | "L";
}

/** What {@link makeLabReportPdf} prints. */
export interface LabReportSpec {
  /** Printed as `Patient ID: …` when set. */
  patientId?: string;
  /** Printed as `Collected: …` when set. */
  collectedAt?: string;
  analytes: SampleAnalyte[];
  /** Analytes per page (default: all on one page). */
  perPage?: number;
  /** Lines of lab letterhead and footer printed around the analytes (parsers must ignore them). */
  noise?: boolean;
  /** Draw name, value, unit, range and flag as separate text runs in columns, like a table. */
  columns?: boolean;
}

const PAGE = { width: 595, height: 842, margin: 50, line: 16 };

/** A lab report PDF in the contract's layout (pdf-lib, Helvetica). */
export async function makeLabReportPdf(spec: LabReportSpec): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create();
  doc.setTitle("Lab report");
  doc.setProducer("carebridge make-sample-pdfs");
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const perPage = Math.max(1, spec.perPage ?? (spec.analytes.length || 1));
  const pages = Math.max(1, Math.ceil(spec.analytes.length / perPage));
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([PAGE.width, PAGE.height]);
    let y = PAGE.height - PAGE.margin;
    const text = (s: string, x = PAGE.margin, size = 11) => page.drawText(s, { x, y, size, font });
    const next = () => {
      y -= PAGE.line;
    };
    if (spec.noise) {
      text("Carebridge Reference Laboratory GmbH - Musterstrasse 5, 10115 Berlin", PAGE.margin, 9);
      next();
    }
    text("LAB REPORT", PAGE.margin, 14);
    next();
    if (spec.patientId !== undefined) {
      text(`Patient ID: ${spec.patientId}`);
      next();
    }
    if (spec.collectedAt !== undefined) {
      text(`Collected: ${spec.collectedAt}`);
      next();
    }
    if (spec.noise) {
      text("Test   Result   Unit   Reference range   Flag");
      next();
    }
    next();
    for (const a of spec.analytes.slice(p * perPage, (p + 1) * perPage)) {
      if (spec.columns) drawColumns(page, font, y, a);
      else text([a.name, a.value, a.unit, a.range, a.flag].filter(Boolean).join(" "));
      next();
    }
    if (spec.noise) {
      next();
      text(`Page ${p + 1} of ${pages} - validated by Dr. L. Lab, signed 2026-11-20`, PAGE.margin, 9);
    }
  }
  // A copy on a plain ArrayBuffer: usable as a fetch body and by PDF.js (which detaches buffers).
  return (await doc.save()).slice();
}

/** What {@link renderLabReportPdf} prints: a header, then the given lines verbatim. */
export interface RawLabReportSpec {
  patientId?: string;
  collectedAt?: string;
  lines: string[];
  /** Lines per page (default: all on one page). */
  linesPerPage?: number;
}

/** A lab report PDF with `LAB REPORT`, the optional `Patient ID:` / `Collected:` lines, then `lines` as given. */
export async function renderLabReportPdf(spec: RawLabReportSpec): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const perPage = Math.max(1, spec.linesPerPage ?? (spec.lines.length || 1));
  const pages = Math.max(1, Math.ceil(spec.lines.length / perPage));
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([PAGE.width, PAGE.height]);
    const header = [
      "LAB REPORT",
      ...(spec.patientId !== undefined ? [`Patient ID: ${spec.patientId}`] : []),
      ...(spec.collectedAt !== undefined ? [`Collected: ${spec.collectedAt}`] : []),
    ];
    const body = [...header, "", ...spec.lines.slice(p * perPage, (p + 1) * perPage)];
    body.forEach((line, i) => {
      if (line)
        page.drawText(line, { x: PAGE.margin, y: PAGE.height - PAGE.margin - i * PAGE.line, size: 11, font });
    });
  }
  // A copy on a plain ArrayBuffer: usable as a fetch body and by PDF.js (which detaches buffers).
  return (await doc.save()).slice();
}

function drawColumns(
  page: ReturnType<PDFDocument["addPage"]>,
  font: PDFFont,
  y: number,
  a: SampleAnalyte,
): void {
  const cells: Array<[string | undefined, number]> = [
    [a.name, PAGE.margin],
    [a.value, 230],
    [a.unit, 300],
    [a.range, 380],
    [a.flag, 480],
  ];
  for (const [s, x] of cells) if (s) page.drawText(s, { x, y, size: 11, font });
}

/** The sample reports: a name → what to print. `patientId` goes on every one but `mismatched`. */
export function sampleReports(patientId: string): Record<string, LabReportSpec> {
  const collectedAt = "2026-11-20T08:30:00Z";
  const basic: SampleAnalyte[] = [
    { name: "Hemoglobin", value: "13.5", unit: "g/dL", range: "12.0-16.0" },
    { name: "Glucose (fasting)", value: "92", unit: "mg/dL", range: "70-99" },
    { name: "Potassium", value: "4.2", unit: "mmol/L", range: "3.5-5.1" },
    { name: "Vitamin D", value: "41", unit: "ng/mL", range: ">30" },
    { name: "LDL Cholesterol", value: "96", unit: "mg/dL", range: "<100" },
  ];
  return {
    normal: { patientId, collectedAt, analytes: basic, noise: true },
    abnormal: {
      patientId,
      collectedAt,
      noise: true,
      analytes: [
        { name: "Hemoglobin", value: "13.5", unit: "g/dL", range: "12.0-16.0" },
        { name: "Glucose (fasting)", value: "140", unit: "mg/dL", range: "70-99", flag: "H" },
        { name: "Potassium", value: "3.1", unit: "mmol/L", range: "3.5-5.1", flag: "L" },
        { name: "Vitamin D", value: "41", unit: "ng/mL", range: ">30" },
      ],
    },
    critical: {
      patientId,
      collectedAt,
      analytes: [
        { name: "Glucose (fasting)", value: "180", unit: "mg/dL", range: "70-99", flag: "H" },
        { name: "Potassium", value: "2.4", unit: "mmol/L", range: "3.5-5.1" },
        { name: "Sodium", value: "139", unit: "mmol/L", range: "135-145" },
      ],
    },
    "multi-page": {
      patientId,
      collectedAt,
      noise: true,
      perPage: 4,
      analytes: [
        ...basic,
        { name: "Sodium", value: "141", unit: "mmol/L", range: "135-145" },
        { name: "Creatinine", value: "0.9", unit: "mg/dL", range: "0.6-1.2" },
        { name: "TSH", value: "2.1", unit: "mIU/L", range: "0.4-4.0" },
        { name: "HbA1c", value: "5.9", unit: "%", range: "4.0-5.6", flag: "H" },
        { name: "Platelets", value: "250", unit: "10^9/L", range: "150-400" },
        { name: "WBC", value: "6.1", unit: "10^9/L", range: "4.0-11.0" },
      ],
    },
    mismatched: {
      patientId: "00000000-0000-4000-8000-000000000000",
      collectedAt,
      analytes: basic,
    },
    "no-analytes": { patientId, collectedAt, analytes: [], noise: true },
  };
}
