import { auditPhiRead, getPrincipal, type HttpApp, notFound, requireRole } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { acknowledgeAlert, getAlert } from "../db/alert-queries.ts";
import { isCareTeam } from "../db/care-team-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { AlertSchema, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/patients/alerts/{alertId}/acknowledge",
  summary: "Acknowledge an alert of one of the doctor's patients",
  request: { params: z.object({ alertId: z.uuid().openapi({ param: { name: "alertId", in: "path" } }) }) },
  responses: { 200: jsonResponse(AlertSchema, "The alert, acknowledged") },
});

/**
 * POST /api/patients/alerts/{alertId}/acknowledge (doctor of the patient) → 200 `alert`
 * (`acknowledged`); idempotent. Another doctor's alert is a 404, like one that does not exist.
 */
export function registerAlertsAcknowledge(app: HttpApp, deps: PatientsDeps): void {
  app.use("/api/patients/alerts/:alertId/acknowledge", requireRole("doctor"));
  app.openapi(route, async (c) => {
    const { alertId } = c.req.valid("param");
    const doctorId = getPrincipal(c).userId;
    const alert = await getAlert(deps.store, alertId);
    if (!alert || !(await isCareTeam(deps.store, doctorId, alert.patientId))) throw notFound();
    const acknowledged = await acknowledgeAlert(deps.store, alert, doctorId);
    await auditPhiRead(c, deps.audit, { patientId: alert.patientId, resource: "alert", action: "update" });
    return c.json(acknowledged, 200);
  });
}
