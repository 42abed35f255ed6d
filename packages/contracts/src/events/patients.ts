import { z } from "zod";
import { email, insurance, isoDateTime, nonEmptyText, uuid } from "../primitives.ts";

const patientState = z.object({
  patientId: uuid,
  userId: uuid,
  name: nonEmptyText,
  email,
  insurance: insurance.describe("Event-carried state: billing uses the plan it last learned."),
  version: z.int().min(1).describe("The record's version after this change (its If-Match value)."),
  occurredAt: isoDateTime,
});

/** `patient.registered` v1 on `patients`: a patient record was created for a user. */
export const patientRegisteredV1 = patientState;

/** `patient.updated` v1 on `patients`: the record changed; `changedFields` names the top-level fields. */
export const patientUpdatedV1 = patientState.extend({
  changedFields: z.array(z.string().min(1)).min(1).describe("Top-level patient fields that changed."),
});

/** Data of `patient.registered` v1. */
export type PatientRegistered = z.infer<typeof patientRegisteredV1>;
/** Data of `patient.updated` v1. */
export type PatientUpdated = z.infer<typeof patientUpdatedV1>;
