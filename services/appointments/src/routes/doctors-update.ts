import { assertAccess, getPrincipal, type HttpApp, notFound } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { updateDoctorProfile } from "../db/doctor-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { isTimeZone } from "../domain/zoned-time.ts";
import { DoctorIdParam, DoctorSchema, jsonBody, jsonResponse, Text } from "./schemas.ts";

/** An IANA time zone name. */
export const TimeZoneField = Text()
  .min(1)
  .max(64)
  .refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Berlin")
  .openapi({ example: "Europe/Berlin" });

const Body = z.object({ specialty: Text().trim().min(1).max(200), timeZone: TimeZoneField });

const route = createRoute({
  method: "put",
  path: "/api/doctors/{doctorId}",
  summary: "Set a doctor's specialty and time zone (admin, or that doctor)",
  request: { params: DoctorIdParam, body: jsonBody(Body) },
  responses: { 200: jsonResponse(DoctorSchema, "The doctor") },
});

/** PUT /api/doctors/{doctorId} → 200 doctor; a doctor becomes bookable once it has a specialty. */
export function registerDoctorsUpdate(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { doctorId } = c.req.valid("param");
    assertAccess(getPrincipal(c), { ownerUserId: doctorId, allowRoles: ["admin"] });
    const doctor = await updateDoctorProfile(deps.database.db, doctorId, c.req.valid("json"));
    deps.doctors.forget(doctorId);
    if (!doctor) throw notFound("No doctor has this id.");
    const { id, name, specialty, timeZone } = doctor;
    return c.json({ id, name, specialty, timeZone }, 200);
  });
}
