import type { DoctorRecord } from "../db/doctor-queries.ts";
import { DAY_MS, type Slot, slotsBetween } from "./availability.ts";
import { BOOKING_HORIZON_DAYS } from "./booking.ts";

/** A booked interval of a doctor. */
export interface BookedInterval {
  doctorId: string;
  startMs: number;
  endMs: number;
}

/** A free slot of a doctor, as slot search returns it. */
export interface FreeSlot extends Slot {
  doctorId: string;
  doctorName: string;
  specialty: string;
}

/** Whether no booked interval overlaps the slot. */
export function isFree(slot: Slot, booked: readonly Pick<BookedInterval, "startMs" | "endMs">[]): boolean {
  return !booked.some((b) => b.startMs < slot.endMs && slot.startMs < b.endMs);
}

/** Where a page of slot search starts and how much it holds. */
export interface SearchWindow {
  fromMs: number;
  toMs: number;
  nowMs: number;
  /** The last (start, doctor id) already returned. */
  after?: { startMs: number; doctorId: string };
  /** Stop once this many are found (the page size + 1, to know whether there is more). */
  limit: number;
}

/** Where slots can start in a window: not before now or the cursor, not past the booking horizon. */
export function searchRange(window: Omit<SearchWindow, "limit">): { fromMs: number; toMs: number } {
  return {
    fromMs: Math.max(window.fromMs, window.nowMs + 1, window.after?.startMs ?? 0),
    toMs: Math.min(window.toMs, window.nowMs + BOOKING_HORIZON_DAYS * DAY_MS + 1),
  };
}

const byStartThenDoctor = (a: FreeSlot, b: FreeSlot) =>
  a.startMs - b.startMs || (a.doctorId < b.doctorId ? -1 : a.doctorId > b.doctorId ? 1 : 0);

/**
 * Free, bookable slots (in the future, within the booking horizon) of `doctors` starting in the
 * window, sorted by start then doctor id, at most `limit`. Works through the range one day at a
 * time and stops once the page is full, so the first page of a month costs about one day.
 */
export function freeSlots(
  doctors: readonly DoctorRecord[],
  booked: readonly BookedInterval[],
  window: SearchWindow,
): FreeSlot[] {
  const { fromMs, toMs } = searchRange(window);
  const byDoctor = new Map<string, BookedInterval[]>();
  for (const b of booked) {
    const list = byDoctor.get(b.doctorId);
    if (list) list.push(b);
    else byDoctor.set(b.doctorId, [b]);
  }
  const bookable = doctors.filter((d): d is DoctorRecord & { specialty: string } => d.specialty !== null);
  const out: FreeSlot[] = [];
  for (let dayStart = fromMs; dayStart < toMs && out.length < window.limit; dayStart += DAY_MS) {
    const dayEnd = Math.min(dayStart + DAY_MS, toMs);
    const day: FreeSlot[] = [];
    for (const doctor of bookable) {
      const taken = byDoctor.get(doctor.id) ?? [];
      for (const slot of slotsBetween(doctor, dayStart, dayEnd)) {
        if (!isFree(slot, taken)) continue;
        day.push({ ...slot, doctorId: doctor.id, doctorName: doctor.name, specialty: doctor.specialty });
      }
    }
    day.sort(byStartThenDoctor);
    for (const slot of day) {
      const after = window.after;
      if (
        after &&
        (slot.startMs < after.startMs || (slot.startMs === after.startMs && slot.doctorId <= after.doctorId))
      )
        continue;
      out.push(slot);
      if (out.length >= window.limit) break;
    }
  }
  return out;
}
