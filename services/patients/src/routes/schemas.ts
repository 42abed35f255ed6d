import { INSURANCE_PLAN_IDS } from "@carebridge/contracts";
import { badRequest } from "@carebridge/http";
import { z } from "@hono/zod-openapi";
import { labNumberProblem } from "../domain/lab-values.ts";

/** `patient` in responses. */
export const PatientSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    dateOfBirth: z.string().nullable(),
    sex: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
    insurance: z.object({ planId: z.enum(INSURANCE_PLAN_IDS), memberId: z.string().nullable() }),
    allergies: z.array(z.string()),
    conditions: z.array(z.string()),
    medications: z.array(z.string()),
    version: z.int(),
  })
  .openapi("Patient");

/** A lab number DynamoDB can store and a lab can mean (domain/lab-values.ts). */
const LabNumber = z
  .number()
  .finite()
  .superRefine((x, ctx) => {
    const problem = labNumberProblem(x);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: "0, or a magnitude from 1e-12 to 1e12 with at most 15 significant digits",
    minimum: -1e12,
    maximum: 1e12,
  });

const AnalyteSchema = z.object({
  name: z.string().min(1).max(200),
  value: LabNumber,
  unit: z.string().max(50),
  refLow: LabNumber.nullable(),
  refHigh: LabNumber.nullable(),
  flag: z.enum(["L", "N", "H"]),
});

/** `labResult` without `id`: what the lab function posts. */
export const LabResultInput = z
  .strictObject({
    reportId: z.uuid(),
    patientId: z.uuid(),
    collectedAt: z.iso.datetime({ offset: false }),
    receivedAt: z.iso.datetime({ offset: false }),
    analytes: z.array(AnalyteSchema).min(1).max(500),
  })
  .openapi("LabResultInput");

/** `labResult` in responses. */
export const LabResultSchema = LabResultInput.extend({ id: z.uuid() }).openapi("LabResult");

/** `alert` in responses. */
export const AlertSchema = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    labResultId: z.uuid(),
    severity: z.enum(["warning", "critical"]),
    summary: z.string(),
    status: z.enum(["open", "acknowledged"]),
    createdAt: z.string(),
  })
  .openapi("Alert");

/** `{patientId}` path parameter. */
export const PatientParams = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});

/** `?limit=&cursor=` of every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

/** A `{items, nextCursor}` list of `item`. */
export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/** Opaque cursors: base64url JSON. */
export const cursors = {
  encode: (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url"),
  decode<T>(cursor: string | undefined, check: (value: unknown) => value is T): T | undefined {
    if (cursor === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString());
      if (check(value)) return value;
    } catch {}
    throw badRequest("The cursor is not valid.", {
      code: "validation-failed",
      errors: { cursor: "invalid" },
    });
  },
};

/** A JSON request body (required, so it is validated). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
