import { assertAccess, forbidden, getPrincipal, notFound } from "@carebridge/http";
import type { Context } from "hono";
import type { PatientsDeps } from "../deps.ts";

/** Who may reach a patient's chart: the patient, their care team's doctors, admins (per route). */
export interface ChartAccess {
  /** Whether admins may (GET record, history, FHIR); lab routes are the patient's and their doctors' only. */
  admin: boolean;
}

/**
 * Throws unless the caller may read `patientId`'s chart. Roles that can never read a chart get
 * 403; a patient asking for another patient and a doctor outside the care team get 404, exactly
 * as for a patient that does not exist, because existence is PHI.
 */
export async function assertChartAccess(
  c: Context,
  deps: PatientsDeps,
  patientId: string,
  access: ChartAccess,
): Promise<void> {
  const principal = getPrincipal(c);
  switch (principal.role) {
    case "patient":
      return assertAccess(principal, { ownerUserId: patientId, deny: "not-found" });
    case "doctor":
      // Grants may come from the per-process cache (≤ 5 s old); refusals are always read.
      if (await deps.careTeam.isCareTeam(principal.userId, patientId)) return;
      throw notFound();
    case "admin":
      if (access.admin) return;
      throw forbidden("Admins cannot read lab data.");
    case "analyst":
    case "service":
      throw forbidden();
    default:
      return principal.role satisfies never;
  }
}
