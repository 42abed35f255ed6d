import type { INSURANCE_PLAN_IDS } from "@carebridge/contracts";

/** An insurance plan id. */
export type InsurancePlanId = (typeof INSURANCE_PLAN_IDS)[number];

/** The invoice currency (the contract's money is EUR). */
export const CURRENCY = "EUR";

/** In-person fee per specialty, in cents; any other specialty costs {@link DEFAULT_FEE_CENTS}. */
export const SPECIALTY_FEES_CENTS: ReadonlyMap<string, number> = new Map([
  ["general practice", 8_000],
  ["cardiology", 15_000],
  ["dermatology", 11_000],
]);
/** In-person fee of a specialty the contract does not name. */
export const DEFAULT_FEE_CENTS = 10_000;
/** Telehealth costs this percentage of the in-person fee. */
export const TELEHEALTH_PERCENT = 80;
/** Late-cancellation and no-show fee, never covered by insurance. */
export const LATE_FEE_CENTS = 5_000;

/** Copay (cents) and coverage (percent) of each plan. */
export const PLANS: Readonly<Record<InsurancePlanId, { copayCents: number; coveragePercent: number }>> = {
  none: { copayCents: 0, coveragePercent: 0 },
  basic: { copayCents: 2_000, coveragePercent: 60 },
  plus: { copayCents: 1_000, coveragePercent: 80 },
  premium: { copayCents: 0, coveragePercent: 100 },
};

/** How an appointment takes place. */
export type AppointmentMode = "in-person" | "telehealth";

/** One invoice line. */
export interface InvoiceLine {
  description: string;
  amountCents: number;
}

/** What an invoice charges: its lines and the insurer / patient split. */
export interface Charge {
  lines: InvoiceLine[];
  totalCents: number;
  insuranceCoveredCents: number;
  patientDueCents: number;
}

/** The fee of a consultation: by specialty (case-insensitive), 80% for telehealth. */
export function consultationFeeCents(specialty: string, mode: AppointmentMode): number {
  const inPerson = SPECIALTY_FEES_CENTS.get(specialty.trim().toLowerCase()) ?? DEFAULT_FEE_CENTS;
  switch (mode) {
    case "in-person":
      return inPerson;
    case "telehealth":
      return Math.round((inPerson * TELEHEALTH_PERCENT) / 100);
    default:
      return mode satisfies never;
  }
}

/** `insuranceCoveredCents = round(coverage × max(0, total − copay))`; the patient owes the rest. */
export function splitCoverage(totalCents: number, planId: InsurancePlanId): Omit<Charge, "lines"> {
  if (!Number.isSafeInteger(totalCents) || totalCents < 0) throw new RangeError(`bad total ${totalCents}`);
  const plan = PLANS[planId];
  const insuranceCoveredCents = Math.round(
    (plan.coveragePercent * Math.max(0, totalCents - plan.copayCents)) / 100,
  );
  return { totalCents, insuranceCoveredCents, patientDueCents: totalCents - insuranceCoveredCents };
}

/** The charge for a consultation under a plan. */
export function consultationCharge(
  specialty: string,
  mode: AppointmentMode,
  planId: InsurancePlanId,
): Charge {
  const fee = consultationFeeCents(specialty, mode);
  const label = mode === "telehealth" ? "telehealth" : "in person";
  return {
    lines: [{ description: `${specialty} consultation (${label})`, amountCents: fee }],
    ...splitCoverage(fee, planId),
  };
}

/** Why the consultation was replaced by the flat fee. */
export type FeeReason = "late-cancellation" | "no-show";

/** The single flat fee line, not covered by insurance. */
export function lateFeeCharge(reason: FeeReason): Charge {
  const description = reason === "no-show" ? "No-show fee" : "Late cancellation fee (within 24 h)";
  return {
    lines: [{ description, amountCents: LATE_FEE_CENTS }],
    totalCents: LATE_FEE_CENTS,
    insuranceCoveredCents: 0,
    patientDueCents: LATE_FEE_CENTS,
  };
}
