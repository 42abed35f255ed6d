import { badRequest, getPrincipal, type HttpApp, notFound } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { updateAvailability } from "../db/doctor-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { minutesOf, weeklyRulesProblem } from "../domain/availability.ts";
import { isCalendarDate } from "../domain/zoned-time.ts";
import { TimeZoneField } from "./doctors-update.ts";
import { jsonBody, jsonResponse, requireOneOf, Text } from "./schemas.ts";

const Clock = Text().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM, 00:00 to 24:00");

const Rule = z
  .object({ weekday: z.int().min(1).max(7), start: Clock, end: Clock })
  .refine((r) => minutesOf(r.end) > minutesOf(r.start), {
    message: "end must be after start",
    path: ["end"],
  });

const Availability = z
  .object({
    timeZone: TimeZoneField,
    slotMinutes: z.int().min(5).max(480),
    weekly: z.array(Rule).max(50),
    exceptions: z
      .array(
        z.object({
          date: Text().refine(isCalendarDate, "a calendar date YYYY-MM-DD"),
          closed: z.literal(true),
        }),
      )
      .max(1000)
      .default([]),
  })
  .openapi("Availability");

const route = createRoute({
  method: "put",
  path: "/api/doctors/me/availability",
  summary: "Replace the signed-in doctor's availability (weekly rules in their time zone)",
  request: { body: jsonBody(Availability) },
  responses: { 200: jsonResponse(Availability, "The availability now in force") },
});

/** PUT /api/doctors/me/availability (doctor) → 200 availability; overlapping rules → 400. */
export function registerAvailabilityPut(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const principal = getPrincipal(c);
    requireOneOf(principal, "doctor");
    const body = c.req.valid("json");
    const problem = weeklyRulesProblem(body.weekly);
    if (problem) throw badRequest(problem, { code: "overlapping-rules", errors: { weekly: problem } });
    const doctor = await updateAvailability(deps.database.db, principal.userId, body);
    deps.doctors.forget(principal.userId);
    if (!doctor) throw notFound("This doctor is not known to the appointments service yet.");
    const { timeZone, slotMinutes, weekly, exceptions } = doctor;
    return c.json({ timeZone, slotMinutes, weekly, exceptions }, 200);
  });
}
