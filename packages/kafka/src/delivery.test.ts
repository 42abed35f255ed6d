import { describe, expect, test } from "bun:test";
import { committableCount, deliverableTo } from "./delivery.ts";
import type { ConsumedMessage } from "./port.ts";

const msg = (offset: number, redriveFor?: string): ConsumedMessage => ({
  topic: "t",
  partition: 0,
  offset: String(offset),
  timestamp: 0,
  key: "k",
  value: "{}",
  headers: redriveFor ? { "redrive-group": redriveFor } : {},
});

describe("delivery to a consumer group", () => {
  const all = [msg(0), msg(1, "billing"), msg(2, "patients"), msg(3)];

  test("a group gets ordinary records and those re-driven for it, never another group's", () => {
    expect(deliverableTo("patients", all).map((m) => m.offset)).toEqual(["0", "2", "3"]);
    expect(deliverableTo("billing", all).map((m) => m.offset)).toEqual(["0", "1", "3"]);
  });

  test("what is committed follows what the handler took, skipping records not meant for it", () => {
    const visible = deliverableTo("patients", all); // offsets 0, 2, 3
    expect(committableCount(all, visible, undefined)).toBe(4);
    expect(committableCount(all, visible, 3)).toBe(4);
    expect(committableCount(all, visible, 1)).toBe(2); // took 0; 1 is billing's; stop before 2
    expect(committableCount(all, visible, 0)).toBe(0);
    expect(committableCount(all, visible, -5)).toBe(0); // clamped
    expect(committableCount(all, visible, 99)).toBe(4);
  });
});
