import { z } from "zod";

/** RFC 3339 UTC timestamp in the `Z` form, e.g. `2026-11-23T09:00:00Z` (fractional seconds allowed). */
export const isoDateTime = z.iso.datetime({ offset: false, local: false });

/** A UUID (any RFC 9562 version; v7 preferred for new ids). */
export const uuid = z.uuid();

/** An email address. */
export const email = z.email();

/** A non-empty human-readable string (names, specialties, summaries). */
export const nonEmptyText = z.string().min(1);

/** ISO 4217 currency code: three upper-case letters. */
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code (three upper-case letters)");

/** Money in integer minor units, never negative. */
export const cents = z.int().nonnegative();

/** Insurance plan ids known to billing. */
export const INSURANCE_PLAN_IDS = ["none", "basic", "plus", "premium"] as const;

/** An insurance plan id. */
export const insurancePlanId = z.enum(INSURANCE_PLAN_IDS);

/** A patient's insurance: the plan and the member id (null without a plan or before it is known). */
export const insurance = z.object({
  planId: insurancePlanId,
  memberId: z.string().min(1).nullable(),
});

/** How an appointment takes place. */
export const appointmentMode = z.enum(["in-person", "telehealth"]);
