import { describe, expect, test } from "bun:test";
import { parseLabReport } from "./parser.ts";
import { extractPdfText, hasPdfMagic } from "./pdf-text.ts";
import { makeLabReportPdf, sampleReports } from "./sample-pdfs.ts";

const PID = "0193a8f0-0000-7000-8000-0000000000a1";
const samples = sampleReports(PID);

async function parsePdf(bytes: Uint8Array) {
  const text = await extractPdfText(bytes);
  if (!text.ok) throw new Error(text.reason);
  return parseLabReport(text.text);
}

describe("generated sample PDFs through unpdf and the parser", () => {
  test("normal: every analyte N, Patient ID and Collected read", async () => {
    const r = await parsePdf(await makeLabReportPdf(samples.normal!));
    expect(r.ok && r.value.patientId).toBe(PID);
    expect(r.ok && r.value.collectedAt).toBe("2026-11-20T08:30:00Z");
    expect(r.ok && r.value.analytes.map((a) => a.flag)).toEqual(["N", "N", "N", "N", "N"]);
  });

  test("critical: printed and computed flags", async () => {
    const r = await parsePdf(await makeLabReportPdf(samples.critical!));
    expect(r.ok && r.value.analytes.map((a) => [a.name, a.value, a.flag])).toEqual([
      ["Glucose (fasting)", 180, "H"],
      ["Potassium", 2.4, "L"],
      ["Sodium", 139, "N"],
    ]);
  });

  for (const columns of [false, true]) {
    test(`multi-page (${columns ? "table columns" : "one text run per line"}): all pages, in order`, async () => {
      const bytes = await makeLabReportPdf({ ...samples["multi-page"]!, columns });
      const text = await extractPdfText(bytes.slice());
      expect(text.ok && text.pages).toBe(3);
      const r = await parsePdf(bytes);
      expect(r.ok && r.value.analytes.map((a) => a.name)).toEqual(
        samples["multi-page"]!.analytes.map((a) => a.name),
      );
    });
  }

  test("mismatched and empty samples are what they say", async () => {
    const mismatched = await parsePdf(await makeLabReportPdf(samples.mismatched!));
    expect(mismatched.ok && mismatched.value.patientId).not.toBe(PID);
    expect(await parsePdf(await makeLabReportPdf(samples["no-analytes"]!))).toEqual({
      ok: false,
      reason: "no analytes found",
    });
  });
});

describe("unreadable input is an answer, not an exception", () => {
  test("garbage behind a PDF header", async () => {
    const r = await extractPdfText(new TextEncoder().encode("%PDF-1.7\nthis is not a PDF body"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("cannot be read");
  });

  test("a truncated PDF", async () => {
    const bytes = await makeLabReportPdf(samples.normal!);
    const r = await extractPdfText(bytes.slice(0, Math.floor(bytes.length / 3)));
    // PDF.js may recover part of a truncated file; either way it must not throw.
    expect(typeof r.ok).toBe("boolean");
  });
});

test("PDF magic", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  expect(hasPdfMagic(enc("%PDF-1.4 ..."))).toBe(true);
  expect(hasPdfMagic(enc("%PDF"))).toBe(false);
  expect(hasPdfMagic(enc("<html>%PDF-"))).toBe(false);
  expect(hasPdfMagic(new Uint8Array())).toBe(false);
});

test("renderLabReportPdf prints the given lines verbatim, across pages", async () => {
  const { renderLabReportPdf } = await import("./sample-pdfs.ts");
  const bytes = await renderLabReportPdf({
    patientId: PID,
    collectedAt: "2026-11-20T08:30:00Z",
    lines: ["Hemoglobin 13.5 g/dL 12.0-16.0", "Glucose (fasting) 180 mg/dL 70-99 H", "Signed: Dr. Lab"],
    linesPerPage: 2,
  });
  const text = await extractPdfText(bytes);
  expect(text.ok && text.pages).toBe(2);
  const r = text.ok ? parseLabReport(text.text) : null;
  expect(r?.ok && r.value.analytes.map((a) => [a.name, a.flag])).toEqual([
    ["Hemoglobin", "N"],
    ["Glucose (fasting)", "H"],
  ]);
});
