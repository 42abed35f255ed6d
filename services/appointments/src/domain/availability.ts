import {
  addDays,
  instantsOfLocalMinute,
  type LocalDate,
  localDateAt,
  localDay,
  weekdayOf,
} from "./zoned-time.ts";

/** One weekly working window in the doctor's local time; `start`/`end` are `HH:MM`, end after start. */
export interface WeeklyRule {
  weekday: number;
  start: string;
  end: string;
}

/** A date (doctor's local calendar) on which the doctor does not work. */
export interface DateException {
  date: LocalDate;
  closed: true;
}

/** When a doctor can be booked: the weekly rules in `timeZone`, the slot length, closed dates. */
export interface Availability {
  timeZone: string;
  slotMinutes: number;
  weekly: WeeklyRule[];
  exceptions: DateException[];
}

/** A bookable time window: `[startMs, endMs)`. */
export interface Slot {
  startMs: number;
  endMs: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Minutes after midnight of `HH:MM` (24:00 allowed as the end of a day). */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * Slots of one local day: for each rule of its weekday, wall-clock starts every `slotMinutes` from
 * the rule's start while start + slotMinutes ≤ its end. Each wall-clock start maps to its instants:
 * a start inside a spring-forward gap is skipped (the clock never shows it); a start inside a
 * fall-back repeated hour yields two slots, one per occurrence (the doctor works the wall-clock
 * hours she declared, both times). A slot lasts slotMinutes of real time; one that would overlap
 * the slot before it (possible only next to a gap) is dropped, so the slots never overlap.
 */
export function slotsOfDay(availability: Availability, date: LocalDate): Slot[] {
  if (availability.exceptions.some((e) => e.date === date && e.closed)) return [];
  const weekday = weekdayOf(date);
  const rules = availability.weekly.filter((r) => r.weekday === weekday);
  if (rules.length === 0) return [];
  const { timeZone, slotMinutes } = availability;
  const day = localDay(date, timeZone);
  const starts: number[] = [];
  for (const rule of rules) {
    const end = minutesOf(rule.end);
    for (let m = minutesOf(rule.start); m + slotMinutes <= end; m += slotMinutes) {
      starts.push(...instantsOfLocalMinute(day, m, timeZone));
    }
  }
  starts.sort((a, b) => a - b);
  const slots: Slot[] = [];
  for (const startMs of starts) {
    const last = slots.at(-1);
    if (last && startMs < last.endMs) continue;
    slots.push({ startMs, endMs: startMs + slotMinutes * MINUTE_MS });
  }
  return slots;
}

/** Every slot starting in `[fromMs, toMs)`, in order. */
export function slotsBetween(availability: Availability, fromMs: number, toMs: number): Slot[] {
  if (toMs <= fromMs || availability.weekly.length === 0) return [];
  const { timeZone } = availability;
  // Local days that can hold a start in the range: from a day before to a day after, by zone.
  let date = addDays(localDateAt(fromMs, timeZone), -1);
  const last = addDays(localDateAt(toMs, timeZone), 1);
  const out: Slot[] = [];
  for (let guard = 0; guard < 400 && date <= last; guard++, date = addDays(date, 1)) {
    for (const slot of slotsOfDay(availability, date)) {
      if (slot.startMs >= fromMs && slot.startMs < toMs) out.push(slot);
    }
  }
  return out;
}

/**
 * The slot of `availability` that starts exactly at `startMs`, if there is one. A slot of local
 * date d starts at an instant whose wall clock shows d, so only that day is looked at; on a day
 * without an offset change the grid is arithmetic, otherwise the day's slots are generated.
 */
export function slotAt(availability: Availability, startMs: number): Slot | undefined {
  const date = localDateAt(startMs, availability.timeZone);
  const day = localDay(date, availability.timeZone);
  if (!day.uniform) return slotsOfDay(availability, date).find((s) => s.startMs === startMs);
  if (availability.exceptions.some((e) => e.date === date && e.closed)) return undefined;
  const minute = (startMs - day.startMs) / MINUTE_MS;
  if (!Number.isInteger(minute)) return undefined;
  const { slotMinutes } = availability;
  const weekday = weekdayOf(date);
  const onGrid = availability.weekly.some((rule) => {
    const start = minutesOf(rule.start);
    return (
      rule.weekday === weekday &&
      minute >= start &&
      minute + slotMinutes <= minutesOf(rule.end) &&
      (minute - start) % slotMinutes === 0
    );
  });
  return onGrid ? { startMs, endMs: startMs + slotMinutes * MINUTE_MS } : undefined;
}

/** Why weekly rules cannot be used, or null: overlapping windows of one weekday. */
export function weeklyRulesProblem(weekly: WeeklyRule[]): string | null {
  for (const [i, a] of weekly.entries()) {
    for (const b of weekly.slice(i + 1)) {
      if (a.weekday !== b.weekday) continue;
      if (minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end)) {
        return `rules for weekday ${a.weekday} overlap (${a.start}-${a.end} and ${b.start}-${b.end})`;
      }
    }
  }
  return null;
}

export { DAY_MS, MINUTE_MS };
