import type { HttpApp } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { bookedIntervals } from "../db/appointment-queries.ts";
import { doctorsOfSpecialty } from "../db/doctor-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { toRfc3339 } from "../domain/appointment.ts";
import { freeSlots } from "../domain/slot-search.ts";
import { decodeCursor, encodeCursor, Instant, jsonResponse, PageQuery, page, parseRange } from "./schemas.ts";

const Item = z
  .object({ doctorId: z.uuid(), doctorName: z.string(), specialty: z.string(), start: Instant, end: Instant })
  .openapi("FreeSlot");
const Cursor = z.object({ start: z.number().int(), doctorId: z.uuid() });

const route = createRoute({
  method: "get",
  path: "/api/slots",
  summary: "Free slots of every doctor of a specialty in a range (≤ 31 days), by start",
  request: {
    query: PageQuery.extend({ specialty: z.string().min(1).max(200), from: Instant, to: Instant }),
  },
  responses: { 200: jsonResponse(page(Item), "Free slots by start") },
});

/** GET /api/slots?specialty=&from=&to= → free slots only, sorted by start (then doctor id). */
export function registerSlotsSearch(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const { fromMs, toMs } = parseRange(query.from, query.to);
    const after = decodeCursor(query.cursor, Cursor);
    const { db } = deps.database;
    const doctors = await doctorsOfSpecialty(db, query.specialty);
    const booked = await bookedIntervals(
      db,
      doctors.map((d) => d.id),
      fromMs,
      toMs + 24 * 3_600_000,
    );
    const slots = freeSlots(doctors, booked, {
      fromMs,
      toMs,
      nowMs: deps.clock(),
      after: after && { startMs: after.start, doctorId: after.doctorId },
      limit: query.limit + 1,
    });
    const items = slots.slice(0, query.limit).map((s) => ({
      doctorId: s.doctorId,
      doctorName: s.doctorName,
      specialty: s.specialty,
      start: toRfc3339(s.startMs),
      end: toRfc3339(s.endMs),
    }));
    const last = slots[query.limit - 1];
    const nextCursor =
      slots.length > query.limit && last
        ? encodeCursor({ start: last.startMs, doctorId: last.doctorId })
        : null;
    return c.json({ items, nextCursor }, 200);
  });
}
