import { describe, expect, test } from "bun:test";
import { type Availability, slotAt, slotsBetween, slotsOfDay, weeklyRulesProblem } from "./availability.ts";

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const weekdays = (timeZone: string, start: string, end: string, slotMinutes = 30): Availability => ({
  timeZone,
  slotMinutes,
  weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end })),
  exceptions: [],
});
const sundays = (timeZone: string, start: string, end: string, slotMinutes = 30): Availability => ({
  timeZone,
  slotMinutes,
  weekly: [{ weekday: 7, start, end }],
  exceptions: [],
});
const starts = (a: Availability, date: string) => slotsOfDay(a, date).map((s) => iso(s.startMs));
const noOverlap = (a: Availability, from: string, to: string) => {
  const slots = slotsBetween(a, Date.parse(from), Date.parse(to));
  for (let i = 1; i < slots.length; i++)
    expect(slots[i]!.startMs).toBeGreaterThanOrEqual(slots[i - 1]!.endMs);
  return slots;
};

describe("Europe/Berlin (spring forward 2026-03-29, fall back 2026-10-25)", () => {
  const berlin = weekdays("Europe/Berlin", "09:00", "17:00");

  test("spring-forward week: 09:00 local is 08:00Z before and 07:00Z after", () => {
    const week = noOverlap(berlin, "2026-03-23T00:00:00Z", "2026-04-04T00:00:00Z");
    expect(week.length).toBe(10 * 16);
    expect(starts(berlin, "2026-03-27")[0]).toBe("2026-03-27T08:00:00Z");
    expect(starts(berlin, "2026-03-27").at(-1)).toBe("2026-03-27T15:30:00Z");
    expect(starts(berlin, "2026-03-30")[0]).toBe("2026-03-30T07:00:00Z");
    expect(starts(berlin, "2026-03-29")).toEqual([]);
  });

  test("fall-back week: 09:00 local is 07:00Z before and 08:00Z after", () => {
    expect(starts(berlin, "2026-10-23")[0]).toBe("2026-10-23T07:00:00Z");
    expect(starts(berlin, "2026-10-26")[0]).toBe("2026-10-26T08:00:00Z");
    expect(noOverlap(berlin, "2026-10-19T00:00:00Z", "2026-10-31T00:00:00Z").length).toBe(10 * 16);
  });

  test("a night shift across the gap skips the wall-clock times that never happen", () => {
    expect(starts(sundays("Europe/Berlin", "01:00", "04:00"), "2026-03-29")).toEqual([
      "2026-03-29T00:00:00Z", // 01:00 CET
      "2026-03-29T00:30:00Z", // 01:30 CET
      "2026-03-29T01:00:00Z", // 03:00 CEST (02:00 and 02:30 do not exist)
      "2026-03-29T01:30:00Z", // 03:30 CEST
    ]);
  });

  test("a night shift across the repeated hour gets both occurrences, in order, without overlap", () => {
    const shift = sundays("Europe/Berlin", "01:00", "04:00");
    expect(starts(shift, "2026-10-25")).toEqual([
      "2026-10-24T23:00:00Z", // 01:00 CEST
      "2026-10-24T23:30:00Z",
      "2026-10-25T00:00:00Z", // 02:00 CEST (first time)
      "2026-10-25T00:30:00Z",
      "2026-10-25T01:00:00Z", // 02:00 CET (second time)
      "2026-10-25T01:30:00Z",
      "2026-10-25T02:00:00Z", // 03:00 CET
      "2026-10-25T02:30:00Z",
    ]);
    noOverlap(shift, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z");
  });
});

describe("America/New_York (spring forward 2026-03-08, fall back 2026-11-01)", () => {
  const ny = weekdays("America/New_York", "08:00", "16:00");

  test("spring-forward week: 08:00 local is 13:00Z before and 12:00Z after", () => {
    expect(starts(ny, "2026-03-06")[0]).toBe("2026-03-06T13:00:00Z");
    expect(starts(ny, "2026-03-09")[0]).toBe("2026-03-09T12:00:00Z");
    expect(noOverlap(ny, "2026-03-02T00:00:00Z", "2026-03-14T00:00:00Z").length).toBe(10 * 16);
  });

  test("fall-back week: 08:00 local is 12:00Z before and 13:00Z after", () => {
    expect(starts(ny, "2026-10-30")[0]).toBe("2026-10-30T12:00:00Z");
    expect(starts(ny, "2026-11-02")[0]).toBe("2026-11-02T13:00:00Z");
    expect(noOverlap(ny, "2026-10-26T00:00:00Z", "2026-11-07T00:00:00Z").length).toBe(10 * 16);
  });

  test("45-minute slots next to the gap never overlap", () => {
    const night = sundays("America/New_York", "00:00", "04:00", 45);
    const slots = noOverlap(night, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z");
    // 00:00, 00:45, 01:30 EST; 02:15 does not exist; 03:00 EDT (07:00Z) would overlap the
    // 01:30 EST slot, which lasts 45 real minutes (to 07:15Z): it is dropped.
    expect(slots.map((s) => iso(s.startMs))).toEqual([
      "2026-03-08T05:00:00Z",
      "2026-03-08T05:45:00Z",
      "2026-03-08T06:30:00Z",
    ]);
  });

  test("repeated 01:00 hour on 2026-11-01 yields two distinct UTC slots per wall-clock time", () => {
    const shift = sundays("America/New_York", "01:00", "02:00");
    expect(starts(shift, "2026-11-01")).toEqual([
      "2026-11-01T05:00:00Z",
      "2026-11-01T05:30:00Z",
      "2026-11-01T06:00:00Z",
      "2026-11-01T06:30:00Z",
    ]);
  });
});

describe("grid, exceptions, rules", () => {
  const berlin = weekdays("Europe/Berlin", "09:00", "17:00");

  test("a closed date has no slots; other days are untouched", () => {
    const closed = { ...berlin, exceptions: [{ date: "2026-12-24", closed: true as const }] };
    expect(slotsOfDay(closed, "2026-12-24")).toEqual([]);
    expect(slotsOfDay(closed, "2026-12-23").length).toBe(16);
  });

  test("slotAt finds only exact grid starts", () => {
    expect(slotAt(berlin, Date.parse("2026-12-01T08:00:00Z"))).toEqual({
      startMs: Date.parse("2026-12-01T08:00:00Z"),
      endMs: Date.parse("2026-12-01T08:30:00Z"),
    });
    expect(slotAt(berlin, Date.parse("2026-12-01T08:15:00Z"))).toBeUndefined();
    expect(slotAt(berlin, Date.parse("2026-12-01T16:00:00Z"))).toBeUndefined(); // 17:00 local: the end
    expect(slotAt(berlin, Date.parse("2026-12-06T08:00:00Z"))).toBeUndefined(); // a Sunday
  });

  test("Asia/Tokyo: a day starts the previous UTC day", () => {
    const tokyo = { ...weekdays("Asia/Tokyo", "10:00", "18:00", 20) };
    expect(starts(tokyo, "2026-12-01")[0]).toBe("2026-12-01T01:00:00Z");
    expect(slotsOfDay(tokyo, "2026-12-01").length).toBe(24);
  });

  test("overlapping rules of one weekday are reported", () => {
    expect(
      weeklyRulesProblem([
        { weekday: 1, start: "09:00", end: "12:00" },
        { weekday: 1, start: "11:00", end: "13:00" },
      ]),
    ).toContain("overlap");
    expect(
      weeklyRulesProblem([
        { weekday: 1, start: "09:00", end: "12:00" },
        { weekday: 1, start: "12:00", end: "13:00" },
        { weekday: 2, start: "09:00", end: "12:00" },
      ]),
    ).toBeNull();
  });
});

describe("slotAt agrees with slot generation", () => {
  test.each([
    ["Europe/Berlin", "2026-03-23T00:00:00Z", "2026-04-01T00:00:00Z"],
    ["Europe/Berlin", "2026-10-20T00:00:00Z", "2026-10-28T00:00:00Z"],
    ["America/New_York", "2026-03-05T00:00:00Z", "2026-03-11T00:00:00Z"],
    ["America/New_York", "2026-10-29T00:00:00Z", "2026-11-04T00:00:00Z"],
  ])("%s, every 5 minutes from %s", (timeZone, from, to) => {
    const availability: Availability = {
      timeZone,
      slotMinutes: 45,
      weekly: [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => [
        { weekday, start: "00:30", end: "04:00" },
        { weekday, start: "09:00", end: "12:00" },
      ]),
      exceptions: [{ date: "2026-03-25", closed: true }],
    };
    const generated = new Set(
      slotsBetween(availability, Date.parse(from), Date.parse(to)).map((s) => s.startMs),
    );
    for (let ms = Date.parse(from); ms < Date.parse(to); ms += 5 * 60_000) {
      expect(slotAt(availability, ms) !== undefined).toBe(generated.has(ms));
    }
  });
});
