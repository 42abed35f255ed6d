import { auditPhiRead, getPrincipal, type HttpApp } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import type { AppointmentsDeps } from "../deps.ts";
import { toFhirAppointment } from "../domain/fhir.ts";
import { appointmentFor } from "./access.ts";
import { IdParam } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/appointments/{id}/fhir",
  summary: "One appointment as a FHIR R4 Appointment (same access as GET /appointments/{id})",
  request: { params: IdParam },
  responses: {
    200: {
      description: "FHIR R4 Appointment",
      content: {
        "application/fhir+json": {
          schema: z.object({ resourceType: z.literal("Appointment") }).passthrough(),
        },
      },
    },
  },
});

/** GET /api/appointments/{id}/fhir → FHIR R4 Appointment (`application/fhir+json`). */
export function registerAppointmentsFhir(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const appointment = await appointmentFor(deps.database.db, getPrincipal(c), id, [
      "patient",
      "doctor",
      "admin",
    ]);
    await auditPhiRead(c, deps.audit, { patientId: appointment.patientId, resource: "fhir-appointment" });
    // FHIR's own media type; the typed c.json() would label it application/json.
    const body = JSON.stringify(toFhirAppointment(appointment));
    return c.body(body, 200, { "content-type": "application/fhir+json" }) as never;
  });
}
