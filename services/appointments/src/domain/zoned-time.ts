/**
 * The slice of the TC39 `Temporal` API this service uses. Bun ships Temporal at runtime, but
 * TypeScript 5.9 has no types for it; the interfaces below are typed locally (not as a global, so
 * they cannot clash with another package's declaration).
 */
interface PlainDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 1 = Monday … 7 = Sunday (ISO). */
  readonly dayOfWeek: number;
  add(duration: { days: number }): PlainDate;
  toString(): string;
  toZonedDateTime(timeZone: string): ZonedDateTime;
}
interface PlainDateTime {
  toString(): string;
}
interface ZonedDateTime {
  readonly epochMilliseconds: number;
  toPlainDate(): PlainDate;
  toPlainDateTime(): PlainDateTime;
}
interface TemporalApi {
  PlainDate: { from(value: string): PlainDate };
  PlainDateTime: {
    from(value: { year: number; month: number; day: number; hour: number; minute: number }): PlainDateTime & {
      toZonedDateTime(timeZone: string, options: { disambiguation: "earlier" | "later" }): ZonedDateTime;
    };
  };
  Instant: { fromEpochMilliseconds(ms: number): { toZonedDateTimeISO(timeZone: string): ZonedDateTime } };
}

const Temporal = (globalThis as unknown as { Temporal?: TemporalApi }).Temporal;
if (!Temporal) throw new Error("this runtime lacks Temporal (Bun ≥ 1.4 provides it)");
const T: TemporalApi = Temporal;

/** A calendar date `YYYY-MM-DD` in some zone. */
export type LocalDate = string;

const MINUTE_MS = 60_000;

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.length > 0 && zone.length <= 64;
  } catch {
    return false;
  }
}

/** Whether `date` is a real calendar date in `YYYY-MM-DD` form (2026-02-30 is not). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  try {
    return T.PlainDate.from(date).toString() === date;
  } catch {
    return false;
  }
}

/** The local date in `zone` at the instant `ms`. */
export function localDateAt(ms: number, zone: string): LocalDate {
  // The local date is the day d with start(d) ≤ ms < start(d + 1); offsets lie within ±1 day of
  // UTC, so d is the UTC date or a neighbour. Day starts come from the memo: no Temporal per call.
  const utcDay = Math.floor(ms / DAY_MS);
  for (const n of [utcDay, utcDay - 1, utcDay + 1]) {
    const date = dateOfDayNumber(n);
    if (localDay(date, zone).startMs > ms) continue;
    if (ms < localDay(dateOfDayNumber(n + 1), zone).startMs) return date;
  }
  return T.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();
}

const DAY_MS = 24 * 60 * MINUTE_MS;
const dateMemo = new Map<number, LocalDate>();

/** `YYYY-MM-DD` of a day number (days since 1970-01-01), memoised. */
function dateOfDayNumber(n: number): LocalDate {
  let date = dateMemo.get(n);
  if (date === undefined) {
    if (dateMemo.size >= MEMO_LIMIT) dateMemo.clear();
    date = new Date(n * DAY_MS).toISOString().slice(0, 10);
    dateMemo.set(n, date);
  }
  return date;
}

/** `date` plus `days` calendar days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** A local calendar day in one zone: where it starts and whether its clock runs straight. */
export interface LocalDay {
  date: LocalDate;
  /** The first instant of the day (not always 00:00 where midnight falls into a DST gap). */
  startMs: number;
  /** True when no offset change happens during the day, so local minute m is startMs + m minutes. */
  uniform: boolean;
}

// Days of a zone never change (barring tz database updates, which need a restart anyway): a
// bounded memo saves the Temporal work on every slot query.
const dayMemo = new Map<string, LocalDay>();
const MEMO_LIMIT = 50_000;

/** Describes one local day of `zone`. */
export function localDay(date: LocalDate, zone: string): LocalDay {
  const key = `${zone}|${date}`;
  const known = dayMemo.get(key);
  if (known) return known;
  if (dayMemo.size >= MEMO_LIMIT) dayMemo.clear();
  const day = computeLocalDay(date, zone);
  dayMemo.set(key, day);
  return day;
}

function computeLocalDay(date: LocalDate, zone: string): LocalDay {
  const plain = T.PlainDate.from(date);
  const start = plain.toZonedDateTime(zone);
  const next = plain.add({ days: 1 }).toZonedDateTime(zone);
  const startsAtMidnight = start.toPlainDateTime().toString() === `${date}T00:00:00`;
  const uniform =
    startsAtMidnight && next.epochMilliseconds - start.epochMilliseconds === 24 * 60 * MINUTE_MS;
  return { date, startMs: start.epochMilliseconds, uniform };
}

/**
 * Every instant at which the wall clock of `zone` shows `minute` (minutes after midnight) on
 * `day`: none in a spring-forward gap, two in a fall-back repeated hour, one otherwise.
 */
export function instantsOfLocalMinute(day: LocalDay, minute: number, zone: string): number[] {
  if (day.uniform) return [day.startMs + minute * MINUTE_MS];
  const [year, month, dayOfMonth] = day.date.split("-").map(Number) as [number, number, number];
  const local = T.PlainDateTime.from({
    year,
    month,
    day: dayOfMonth,
    hour: Math.floor(minute / 60),
    minute: minute % 60,
  });
  const earlier = local.toZonedDateTime(zone, { disambiguation: "earlier" });
  // In a gap, Temporal moves the time forward: the wall clock never showed it.
  if (earlier.toPlainDateTime().toString() !== local.toString()) return [];
  const later = local.toZonedDateTime(zone, { disambiguation: "later" });
  return later.epochMilliseconds === earlier.epochMilliseconds
    ? [earlier.epochMilliseconds]
    : [earlier.epochMilliseconds, later.epochMilliseconds];
}
