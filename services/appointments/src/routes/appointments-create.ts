import { badRequest, forbidden, getPrincipal, type HttpApp, phiAuditRecord } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { retryTransient } from "../db/retry.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { appointmentEvent } from "../domain/appointment-events.ts";
import { bookAppointment } from "../domain/booking.ts";
import { bookingHttpError } from "./booking-errors.ts";
import { AppointmentSchema, Instant, jsonBody, jsonResponse, requireOneOf, Text } from "./schemas.ts";

const Body = z.object({
  doctorId: z.uuid(),
  start: Instant,
  mode: z.enum(["in-person", "telehealth"]),
  reason: Text().trim().max(1000).optional(),
  /** Required for an admin booking on a patient's behalf; a patient books for themself. */
  patientId: z.uuid().optional(),
});

const route = createRoute({
  method: "post",
  path: "/api/appointments",
  summary: "Book a slot (a patient for themself, an admin for `patientId`); accepts Idempotency-Key",
  request: { body: jsonBody(Body) },
  responses: { 201: jsonResponse(AppointmentSchema, "The booked appointment") },
});

/** POST /api/appointments → 201 appointment; off the grid or past → 400; taken → 409. */
export function registerAppointmentsCreate(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const principal = getPrincipal(c);
    requireOneOf(principal, "patient", "admin");
    const body = c.req.valid("json");
    let patientId: string;
    if (principal.role === "patient") {
      if (body.patientId !== undefined && body.patientId !== principal.userId) {
        throw forbidden("A patient can only book for themself.");
      }
      patientId = principal.userId;
    } else {
      if (body.patientId === undefined) {
        throw badRequest("An admin must name the patient.", { errors: { patientId: "required" } });
      }
      patientId = body.patientId;
    }
    // The response carries the patient's data, so it is audited — in the booking's own statement:
    // the booking, its event and this record commit together, and nothing is booked unaudited.
    // An Idempotency-Key replay returns this already-audited response without a new record.
    const audit = phiAuditRecord(c, { patientId, resource: "appointment", action: "create" });
    let appointment: Awaited<ReturnType<typeof bookAppointment>>;
    try {
      appointment = await retryTransient(() =>
        bookAppointment(
          {
            run: deps.runStatement,
            db: deps.database.db,
            doctors: deps.doctors,
            transaction: (fn) => deps.database.transaction(fn),
          },
          {
            patientId,
            doctorId: body.doctorId,
            startMs: Date.parse(body.start),
            mode: body.mode,
            reason: body.reason || null,
          },
          {
            nowMs: deps.clock(),
            // A patient's own token proves the patient exists (events may still be on their way).
            checkPatient: principal.role !== "patient",
            event: (booked) => appointmentEvent(booked, { type: "appointment.booked" }),
            audit,
          },
        ),
      );
    } catch (error) {
      throw bookingHttpError(error);
    }
    c.header("Location", `/api/appointments/${appointment.id}`);
    return c.json(appointment, 201);
  });
}
