import { z } from "zod";
import { isoDateTime, nonEmptyText } from "../primitives.ts";

/** `window.result` v1 on `analytics.appointments-per-minute`: counts of one specialty in one window. */
export const windowResultV1 = z
  .object({
    windowStart: isoDateTime,
    windowEnd: isoDateTime,
    specialty: nonEmptyText,
    booked: z.int().nonnegative(),
    cancelled: z.int().nonnegative(),
    final: z
      .boolean()
      .describe("false while the window is open; a later result for the same key replaces it."),
    emittedAt: isoDateTime,
  })
  .superRefine((value, ctx) => {
    if (Date.parse(value.windowEnd) <= Date.parse(value.windowStart)) {
      ctx.addIssue({ code: "custom", path: ["windowEnd"], message: "windowEnd must be after windowStart" });
    }
  });

/** Data of `window.result` v1. */
export type WindowResult = z.infer<typeof windowResultV1>;
