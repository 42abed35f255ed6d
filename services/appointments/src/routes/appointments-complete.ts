import { getPrincipal, type HttpApp, phiAuditRecord } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import { writePhiAudit } from "../db/phi-audit.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { applyStatusCommand } from "../domain/appointment-commands.ts";
import { appointmentFor } from "./access.ts";
import { AppointmentSchema, IdParam, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/appointments/{id}/complete",
  summary: "Mark a booked appointment completed once it has started (its doctor)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(AppointmentSchema, "The appointment, now completed") },
});

/** POST /api/appointments/{id}/complete (its doctor, after the start) → 200 appointment (`completed`); otherwise 409. */
export function registerAppointmentsComplete(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const principal = getPrincipal(c);
    const appointment = await deps.database.transaction(async (tx) => {
      const current = await appointmentFor(tx, principal, id, ["doctor"], { forUpdate: true });
      const changed = await applyStatusCommand(tx, current, "complete", { nowMs: deps.clock() });
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
