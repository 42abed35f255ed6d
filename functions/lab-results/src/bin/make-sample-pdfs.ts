/**
 * Writes the sample lab report PDFs (normal, abnormal, critical, multi-page, mismatched Patient ID,
 * no analytes) to a directory:
 *   bun run functions/lab-results/src/bin/make-sample-pdfs.ts <outDir> [patientId]
 * Use the patient's id (the demo patient's: GET /api/patients/me) so the reports match their key.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { uuid } from "@carebridge/contracts";
import { makeLabReportPdf, sampleReports } from "../sample-pdfs.ts";

const [outDir, patientId = crypto.randomUUID()] = process.argv.slice(2);
if (!outDir || !uuid.safeParse(patientId).success) {
  console.error(
    "usage: bun run functions/lab-results/src/bin/make-sample-pdfs.ts <outDir> [patientId (uuid)]",
  );
  process.exit(2);
}
const dir = resolve(outDir);
mkdirSync(dir, { recursive: true });
for (const [name, spec] of Object.entries(sampleReports(patientId))) {
  const file = join(dir, `${name}.pdf`);
  await Bun.write(file, await makeLabReportPdf(spec));
  console.log(`${file}`);
}
await Bun.write(join(dir, "not-a-pdf.pdf"), "This is plain text pretending to be a PDF.\n");
console.log(join(dir, "not-a-pdf.pdf"));
console.log(`patient ${patientId}`);
