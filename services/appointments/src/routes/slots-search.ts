import type { HttpApp } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { bookedIntervals } from "../db/appointment-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { toRfc3339 } from "../domain/appointment.ts";
import { DAY_MS, MINUTE_MS } from "../domain/availability.ts";
import { type FreeSlot, freeSlots, searchRange } from "../domain/slot-search.ts";
import {
  decodeCursor,
  EpochMs,
  encodeCursor,
  Instant,
  jsonResponse,
  PageQuery,
  page,
  parseRange,
  Text,
} from "./schemas.ts";

const Item = z
  .object({ doctorId: z.uuid(), doctorName: z.string(), specialty: z.string(), start: Instant, end: Instant })
  .openapi("FreeSlot");
const Cursor = z.object({ start: EpochMs, doctorId: z.uuid() });

const route = createRoute({
  method: "get",
  path: "/api/slots",
  summary: "Free slots of every bookable doctor (of a specialty, if given) in a range (≤ 31 days), by start",
  request: {
    query: PageQuery.extend({ specialty: Text().min(1).max(200).optional(), from: Instant, to: Instant }),
  },
  responses: { 200: jsonResponse(page(Item), "Free slots by start") },
});

/** GET /api/slots?specialty=&from=&to= → free slots only (all specialties without `specialty`), by start then doctor id. */
export function registerSlotsSearch(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const { fromMs, toMs } = parseRange(query.from, query.to);
    const after = decodeCursor(query.cursor, Cursor);
    const { db } = deps.database;
    const doctors = await deps.doctors.bookable(db, query.specialty);
    const ids = doctors.map((d) => d.id);
    const longestSlotMs = Math.max(0, ...doctors.map((d) => d.slotMinutes)) * MINUTE_MS;
    const window = {
      fromMs,
      toMs,
      nowMs: deps.clock(),
      after: after && { startMs: after.start, doctorId: after.doctorId },
    };
    // The range in growing chunks (1 day, then 4, 16, …), reading only the chunk's bookings: a
    // page usually fills within the first day, so a month's search reads a day of bookings.
    const range = searchRange(window);
    const slots: FreeSlot[] = [];
    const wanted = query.limit + 1;
    for (let start = range.fromMs, span = DAY_MS; start < range.toMs && slots.length < wanted; span *= 4) {
      const end = Math.min(range.toMs, start + span);
      // Bookings that overlap a slot starting in [start, end), which ends by end + the longest slot.
      const booked = ids.length === 0 ? [] : await bookedIntervals(db, ids, start, end + longestSlotMs);
      slots.push(
        ...freeSlots(doctors, booked, { ...window, fromMs: start, toMs: end, limit: wanted - slots.length }),
      );
      start = end;
    }
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
