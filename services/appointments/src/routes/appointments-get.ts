import { auditPhiRead, getPrincipal, type HttpApp } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { AppointmentsDeps } from "../deps.ts";
import { appointmentFor } from "./access.ts";
import { AppointmentSchema, IdParam, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/appointments/{id}",
  summary: "One appointment (its patient, its doctor, admin)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(AppointmentSchema, "The appointment") },
});

/** GET /api/appointments/{id} → appointment; anyone else → 404. */
export function registerAppointmentsGet(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const appointment = await appointmentFor(deps.database.db, getPrincipal(c), id, [
      "patient",
      "doctor",
      "admin",
    ]);
    await auditPhiRead(c, deps.audit, { patientId: appointment.patientId, resource: "appointment" });
    return c.json(appointment, 200);
  });
}
