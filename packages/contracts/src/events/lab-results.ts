import { z } from "zod";
import { isoDateTime, nonEmptyText, uuid } from "../primitives.ts";

/** One measured value with its reference range and flag (L low, N normal, H high). */
export const analyte = z.object({
  name: nonEmptyText,
  value: z.number(),
  unit: z.string(),
  refLow: z.number().nullable(),
  refHigh: z.number().nullable(),
  flag: z.enum(["L", "N", "H"]),
});

/** `labresult.recorded` v1 on `patients.lab-results`: a parsed lab report was stored. */
export const labResultRecordedV1 = z.object({
  labResultId: uuid,
  reportId: uuid,
  patientId: uuid,
  collectedAt: isoDateTime,
  receivedAt: isoDateTime,
  analytes: z.array(analyte).min(1),
});

/** An analyte of a lab result. */
export type Analyte = z.infer<typeof analyte>;
/** Data of `labresult.recorded` v1. */
export type LabResultRecorded = z.infer<typeof labResultRecordedV1>;
