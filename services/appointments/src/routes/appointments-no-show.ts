import { getPrincipal, type HttpApp, phiAuditRecord } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import { writePhiAudit } from "../db/phi-audit.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { applyStatusCommand } from "../domain/appointment-commands.ts";
import { appointmentFor } from "./access.ts";
import { AppointmentSchema, IdParam, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/appointments/{id}/no-show",
  summary: "Mark a booked appointment no-show once it has started (its doctor)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(AppointmentSchema, "The appointment, now no-show") },
});

/** POST /api/appointments/{id}/no-show (its doctor, after the start) → 200 appointment (`no-show`); otherwise 409. */
export function registerAppointmentsNoShow(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const principal = getPrincipal(c);
    const appointment = await deps.database.transaction(async (tx) => {
      const current = await appointmentFor(tx, principal, id, ["doctor"], { forUpdate: true });
      const changed = await applyStatusCommand(tx, current, "no-show", { nowMs: deps.clock() });
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
