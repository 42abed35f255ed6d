import type { HttpApp } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { listDoctors } from "../db/doctor-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { DoctorSchema, decodeCursor, encodeCursor, jsonResponse, PageQuery, page, Text } from "./schemas.ts";

const Cursor = z.object({ name: Text(), id: z.uuid() });

const route = createRoute({
  method: "get",
  path: "/api/doctors",
  summary: "Bookable doctors (specialty set), by name",
  request: { query: PageQuery.extend({ specialty: Text().min(1).max(200).optional() }) },
  responses: { 200: jsonResponse(page(DoctorSchema), "Doctors") },
});

/** GET /api/doctors (any role) → {items:[{id, name, specialty, timeZone}], nextCursor}. */
export function registerDoctorsList(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { specialty, limit, cursor } = c.req.valid("query");
    const rows = await listDoctors(deps.database.db, {
      specialty,
      after: decodeCursor(cursor, Cursor),
      limit: limit + 1,
    });
    const items = rows
      .slice(0, limit)
      .map(({ id, name, specialty, timeZone }) => ({ id, name, specialty, timeZone }));
    const last = items.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor({ name: last.name, id: last.id }) : null;
    return c.json({ items, nextCursor }, 200);
  });
}
