import { INSURANCE_PLAN_IDS } from "@carebridge/contracts";
import { z } from "zod";
import type { PatientRecord } from "./fhir-bundle.ts";

export type { PatientRecord } from "./fhir-bundle.ts";

/** Who made a change: a user (with their role) or the service itself (consumers, seeding). */
export interface Actor {
  userId: string | null;
  role: string;
}

/** The record's own event types: its whole history is a sequence of these. */
export type PatientEventType = "patient.registered" | "patient.updated";

/** One stored event of a patient record; `seq` is the version it produced. */
export interface PatientEvent {
  seq: number;
  type: PatientEventType;
  occurredAt: string;
  actor: Actor;
  /** `registered`: the initial record (without id and version); `updated`: the changed fields only. */
  data: Record<string, unknown>;
}

/** FHIR administrative gender. */
export const SEX_VALUES = ["female", "male", "other", "unknown"] as const;

const listField = z.array(z.string().trim().min(1).max(200)).max(100);

/** Fields a patient may change with PATCH /me (strict: anything else is a 400). */
export const patientPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    dateOfBirth: z.iso
      .date()
      .refine((d) => d >= "1900-01-01" && d <= new Date().toISOString().slice(0, 10), "must be a past date")
      .nullable(),
    sex: z.enum(SEX_VALUES).nullable(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()./-]{3,40}$/, "must be a phone number")
      .nullable(),
    address: z.string().trim().min(1).max(500).nullable(),
    insurance: z
      .strictObject({
        planId: z.enum(INSURANCE_PLAN_IDS),
        memberId: z.string().trim().min(1).max(100).nullable().default(null),
      })
      .superRefine((insurance, ctx) => {
        // A plan is only billable to a member: no plan without the member id that proves it.
        if (insurance.planId !== "none" && insurance.memberId === null) {
          ctx.addIssue({
            code: "custom",
            path: ["memberId"],
            message: `is required for plan ${insurance.planId}`,
          });
        }
      }),
    allergies: listField,
    conditions: listField,
    medications: listField,
  })
  .partial()
  .strict();

/** A validated PATCH /me body. */
export type PatientPatch = z.output<typeof patientPatchSchema>;

/** The patch as applied: plan `none` carries no member id (any given one is dropped). */
export function normalizePatch(patch: PatientPatch): PatientPatch {
  if (patch.insurance?.planId !== "none") return patch;
  return { ...patch, insurance: { planId: "none", memberId: null } };
}

/** The record a new patient starts with (plan `none`). */
export function initialRecord(user: {
  id: string;
  name: string;
  email: string;
}): Omit<PatientRecord, "version"> {
  return {
    id: user.id,
    userId: user.id,
    name: user.name,
    email: user.email,
    dateOfBirth: null,
    sex: null,
    phone: null,
    address: null,
    insurance: { planId: "none", memberId: null },
    allergies: [],
    conditions: [],
    medications: [],
  };
}

/** The fields of `patch` whose value differs from `current` (deep comparison), as a patch. */
export function changedFields(current: PatientRecord, patch: PatientPatch): Partial<PatientRecord> {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (JSON.stringify(current[field as keyof PatientRecord]) !== JSON.stringify(value))
      changed[field] = value;
  }
  return changed as Partial<PatientRecord>;
}

/** Applies one event to the record (null before the first); the result's version is the event's seq. */
export function applyEvent(state: PatientRecord | null, event: PatientEvent): PatientRecord {
  if (event.seq !== (state?.version ?? 0) + 1) {
    throw new Error(`event ${event.seq} out of sequence after version ${state?.version ?? 0}`);
  }
  switch (event.type) {
    case "patient.registered":
      if (state) throw new Error("patient.registered on an existing record");
      return { ...(event.data as Omit<PatientRecord, "version">), version: event.seq };
    case "patient.updated":
      if (!state) throw new Error("patient.updated before patient.registered");
      return {
        ...state,
        ...(event.data as Partial<PatientRecord>),
        id: state.id,
        userId: state.userId,
        version: event.seq,
      };
    default:
      return event.type satisfies never;
  }
}

/** The record as the events say (null for no events): the projection's definition. */
export function replay(events: readonly PatientEvent[]): PatientRecord | null {
  return events.reduce<PatientRecord | null>(applyEvent, null);
}
