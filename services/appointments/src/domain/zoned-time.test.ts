import { expect, test } from "bun:test";
import fc from "fast-check";
import { localDateAt } from "./zoned-time.ts";

const T = (
  globalThis as unknown as {
    Temporal: {
      Instant: {
        fromEpochMilliseconds(ms: number): { toZonedDateTimeISO(zone: string): { toPlainDate(): object } };
      };
    };
  }
).Temporal;

// localDateAt finds the day from memoised day starts instead of asking Temporal each time: it must
// agree with Temporal everywhere, including half-hour offsets, 30-minute DST shifts, zones that
// skipped a whole date (Pacific/Apia, 2011-12-30) and instants right at a day's boundaries.
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "America/St_Johns",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Apia",
  "Pacific/Kiritimati",
  "America/Santiago",
];

test("localDateAt agrees with Temporal for any instant in any zone", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ZONES),
      fc.integer({ min: Date.parse("2010-01-01T00:00:00Z"), max: Date.parse("2032-01-01T00:00:00Z") }),
      fc.constantFrom(0, -1, 1),
      (zone, ms, nudge) => {
        // Half the cases land exactly on (or next to) an hour, where day boundaries and shifts fall.
        const at = ms % 2 === 0 ? Math.floor(ms / 3_600_000) * 3_600_000 + nudge : ms;
        const expected = T.Instant.fromEpochMilliseconds(at)
          .toZonedDateTimeISO(zone)
          .toPlainDate()
          .toString();
        expect(localDateAt(at, zone)).toBe(expected);
      },
    ),
    { numRuns: 5000 },
  );
});

test("Apia skipped 2011-12-30: the instant after 2011-12-29 ends is already 2011-12-31", () => {
  expect(localDateAt(Date.parse("2011-12-30T09:59:59Z"), "Pacific/Apia")).toBe("2011-12-29");
  expect(localDateAt(Date.parse("2011-12-30T10:00:00Z"), "Pacific/Apia")).toBe("2011-12-31");
});
