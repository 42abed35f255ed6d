import { getPrincipal, type HttpApp, phiAuditRecord } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { writePhiAudit } from "../db/phi-audit.ts";
import { retryTransient } from "../db/retry.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { reschedule } from "../domain/appointment-commands.ts";
import { appointmentFor } from "./access.ts";
import { bookingHttpError } from "./booking-errors.ts";
import { AppointmentSchema, IdParam, Instant, jsonBody, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/appointments/{id}/reschedule",
  summary: "Move a booked appointment to another slot of its doctor, atomically (its patient)",
  request: { params: IdParam, body: jsonBody(z.object({ start: Instant })) },
  responses: { 200: jsonResponse(AppointmentSchema, "The appointment at its new time") },
});

/** POST /api/appointments/{id}/reschedule → 200 at the new time; taken → 409 and the old time is kept. */
export function registerAppointmentsReschedule(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { start } = c.req.valid("json");
    const principal = getPrincipal(c);
    let appointment: Awaited<ReturnType<typeof reschedule>>;
    try {
      appointment = await retryTransient(() =>
        deps.database.transaction(async (tx) => {
          const current = await appointmentFor(tx, principal, id, ["patient"], { forUpdate: true });
          const changed = await reschedule(tx, current, Date.parse(start), deps.clock());
          // The response carries the patient's data: its audit record commits with the change.
          await writePhiAudit(
            tx,
            phiAuditRecord(c, { patientId: changed.patientId, resource: "appointment", action: "update" }),
          );
          return changed;
        }),
      );
    } catch (error) {
      throw bookingHttpError(error);
    }
    return c.json(appointment, 200);
  });
}
