import { APPOINTMENT_STATUSES } from "@carebridge/contracts";
import { auditPhiRead, getPrincipal, type HttpApp } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { listAppointments } from "../db/appointment-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import {
  AppointmentSchema,
  decodeCursor,
  EpochMs,
  encodeCursor,
  Instant,
  jsonResponse,
  PageQuery,
  page,
  requireOneOf,
} from "./schemas.ts";

const Cursor = z.object({ start: EpochMs, id: z.uuid() });

const route = createRoute({
  method: "get",
  path: "/api/appointments",
  summary: "A patient's own appointments or a doctor's own schedule, by start (other roles: 403)",
  request: {
    query: PageQuery.extend({
      from: Instant.optional(),
      to: Instant.optional(),
      status: z.enum(APPOINTMENT_STATUSES).optional(),
    }),
  },
  responses: { 200: jsonResponse(page(AppointmentSchema), "Appointments by start") },
});

/** GET /api/appointments?from=&to=&status= → the caller's appointments, sorted by start. */
export function registerAppointmentsList(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const principal = getPrincipal(c);
    requireOneOf(principal, "patient", "doctor");
    const query = c.req.valid("query");
    const after = decodeCursor(query.cursor, Cursor);
    const rows = await listAppointments(deps.database.db, {
      ...(principal.role === "patient" ? { patientId: principal.userId } : { doctorId: principal.userId }),
      fromMs: query.from === undefined ? undefined : Date.parse(query.from),
      toMs: query.to === undefined ? undefined : Date.parse(query.to),
      status: query.status,
      after: after && { startMs: after.start, id: after.id },
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    // One audit record per patient whose appointments this page shows.
    await Promise.all(
      [...new Set(items.map((a) => a.patientId))].map((patientId) =>
        auditPhiRead(c, deps.audit, { patientId, resource: "appointments" }),
      ),
    );
    const last = items.at(-1);
    const nextCursor =
      rows.length > query.limit && last ? encodeCursor({ start: Date.parse(last.start), id: last.id }) : null;
    return c.json({ items, nextCursor }, 200);
  });
}
