import { getPrincipal, type HttpApp, phiAuditRecord } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { writePhiAudit } from "../db/phi-audit.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { applyStatusCommand } from "../domain/appointment-commands.ts";
import { appointmentFor } from "./access.ts";
import { AppointmentSchema, IdParam, jsonBody, jsonResponse, Text } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/appointments/{id}/cancel",
  summary: "Cancel a booked appointment before it starts (its patient or its doctor)",
  request: { params: IdParam, body: jsonBody(z.object({ reason: Text().trim().max(1000).nullish() })) },
  responses: { 200: jsonResponse(AppointmentSchema, "The cancelled appointment") },
});

/** POST /api/appointments/{id}/cancel → 200 appointment (`cancelled`); not booked or started → 409. */
export function registerAppointmentsCancel(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const principal = getPrincipal(c);
    const appointment = await deps.database.transaction(async (tx) => {
      const current = await appointmentFor(tx, principal, id, ["patient", "doctor"], { forUpdate: true });
      const changed = await applyStatusCommand(tx, current, "cancel", {
        nowMs: deps.clock(),
        reason: reason || null,
      });
      // The response carries the patient's data: its audit record commits with the change.
      await writePhiAudit(
        tx,
        phiAuditRecord(c, { patientId: changed.patientId, resource: "appointment", action: "update" }),
      );
      return changed;
    });
    return c.json(appointment, 200);
  });
}
