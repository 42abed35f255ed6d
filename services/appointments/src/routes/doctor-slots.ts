import type { HttpApp } from "@carebridge/http";
import { notFound } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { bookedIntervals } from "../db/appointment-queries.ts";
import { findDoctor } from "../db/doctor-queries.ts";
import type { AppointmentsDeps } from "../deps.ts";
import { toRfc3339 } from "../domain/appointment.ts";
import { slotsBetween } from "../domain/availability.ts";
import { BOOKING_HORIZON_DAYS } from "../domain/booking.ts";
import { isFree } from "../domain/slot-search.ts";
import {
  DoctorIdParam,
  decodeCursor,
  EpochMs,
  encodeCursor,
  Instant,
  jsonResponse,
  PageQuery,
  page,
  parseRange,
} from "./schemas.ts";

const Slot = z.object({ start: Instant, end: Instant, available: z.boolean() }).openapi("DoctorSlot");

const route = createRoute({
  method: "get",
  path: "/api/doctors/{doctorId}/slots",
  summary: "A doctor's slots in a range (≤ 31 days), each with whether it can be booked",
  request: { params: DoctorIdParam, query: PageQuery.extend({ from: Instant, to: Instant }) },
  responses: { 200: jsonResponse(page(Slot), "Slots by start") },
});

/** GET /api/doctors/{doctorId}/slots?from=&to= → slots with `available` (free, in the future, in the horizon). */
export function registerDoctorSlots(app: HttpApp, deps: AppointmentsDeps): void {
  app.openapi(route, async (c) => {
    const { doctorId } = c.req.valid("param");
    const query = c.req.valid("query");
    const { fromMs, toMs } = parseRange(query.from, query.to);
    const after = decodeCursor(query.cursor, EpochMs);
    const doctor = await findDoctor(deps.database.db, doctorId);
    if (!doctor?.specialty) throw notFound("No bookable doctor has this id.");
    const slots = slotsBetween(doctor, Math.max(fromMs, after === undefined ? fromMs : after + 1), toMs);
    const booked = await bookedIntervals(deps.database.db, [doctorId], fromMs, toMs + 24 * 3_600_000);
    const nowMs = deps.clock();
    const horizonMs = nowMs + BOOKING_HORIZON_DAYS * 24 * 3_600_000;
    const items = slots.slice(0, query.limit).map((s) => ({
      start: toRfc3339(s.startMs),
      end: toRfc3339(s.endMs),
      available: s.startMs > nowMs && s.startMs <= horizonMs && isFree(s, booked),
    }));
    const last = slots[query.limit - 1];
    const nextCursor = slots.length > query.limit && last ? encodeCursor(last.startMs) : null;
    return c.json({ items, nextCursor }, 200);
  });
}
