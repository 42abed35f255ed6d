import { describe, expect, test } from "bun:test";
import type { DoctorRecord } from "../db/doctor-queries.ts";
import { type BookedInterval, type FreeSlot, freeSlots } from "./slot-search.ts";

const doctor = (id: string, timeZone: string, slotMinutes: number): DoctorRecord => ({
  id,
  name: id,
  specialty: "Cardiology",
  timeZone,
  slotMinutes,
  weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "12:00" })),
  exceptions: [],
});
const doctors = [
  doctor("00000000-0000-7000-8000-00000000000a", "Europe/Berlin", 30),
  doctor("00000000-0000-7000-8000-00000000000b", "Europe/Berlin", 20),
  doctor("00000000-0000-7000-8000-00000000000c", "America/New_York", 30),
];
const at = (iso: string) => Date.parse(iso);
const booked: BookedInterval[] = [
  { doctorId: doctors[0]!.id, startMs: at("2026-11-23T07:00:00Z"), endMs: at("2026-11-23T07:30:00Z") },
  // An odd-length booking (an earlier grid) blocks every slot it touches.
  { doctorId: doctors[1]!.id, startMs: at("2026-11-23T07:10:00Z"), endMs: at("2026-11-23T07:50:00Z") },
];
const range = {
  fromMs: at("2026-11-23T00:00:00Z"),
  toMs: at("2026-11-28T00:00:00Z"),
  nowMs: at("2026-11-20T00:00:00Z"),
};

describe("freeSlots", () => {
  const all = freeSlots(doctors, booked, { ...range, limit: 10_000 });

  test("only free slots, sorted by start then doctor", () => {
    const key = (s: FreeSlot) => `${s.startMs}|${s.doctorId}`;
    expect(all.map(key)).toEqual(
      [...all].sort((a, b) => a.startMs - b.startMs || a.doctorId.localeCompare(b.doctorId)).map(key),
    );
    const a = all.filter((s) => s.doctorId === doctors[0]!.id && s.startMs === at("2026-11-23T07:00:00Z"));
    expect(a).toEqual([]);
    const b = all.filter((s) => s.doctorId === doctors[1]!.id && s.startMs < at("2026-11-23T08:00:00Z"));
    expect(b).toEqual([]); // 07:00, 07:20 and 07:40 all touch 07:10–07:50
    // 5 days × (8 + 12 + 8) slots, minus 1 for A and 3 for B (07:00, 07:20, 07:40 … 07:10–07:50 overlaps 07:00, 07:20, 07:40).
    expect(all.length).toBe(5 * 28 - 1 - 3);
  });

  test("paging with the cursor yields exactly the same slots, without gaps or repeats", () => {
    const pages: FreeSlot[] = [];
    let after: { startMs: number; doctorId: string } | undefined;
    for (;;) {
      const page = freeSlots(doctors, booked, { ...range, after, limit: 8 });
      pages.push(...page.slice(0, 7));
      if (page.length <= 7) break;
      const last = page[6]!;
      after = { startMs: last.startMs, doctorId: last.doctorId };
    }
    expect(pages).toEqual(all);
  });

  test("nothing in the past or beyond 180 days", () => {
    const now = at("2026-11-25T09:00:00Z");
    const later = freeSlots(doctors, [], { ...range, nowMs: now, limit: 10_000 });
    expect(later.every((s) => s.startMs > now)).toBe(true);
    expect(
      freeSlots(doctors, [], {
        fromMs: at("2027-08-02T00:00:00Z"),
        toMs: at("2027-08-06T00:00:00Z"),
        nowMs: range.nowMs,
        limit: 10,
      }),
    ).toEqual([]);
  });
});
