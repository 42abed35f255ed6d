import { describe, expect, test } from "bun:test";
import { APPOINTMENT_STATUSES } from "@carebridge/contracts";
import { type AppointmentCommand, transition } from "./state-machine.ts";

const COMMANDS: AppointmentCommand[] = ["cancel", "reschedule", "complete", "no-show"];

describe("appointment state machine", () => {
  test("booked → each command's target", () => {
    expect(transition("booked", "cancel")).toEqual({ ok: true, next: "cancelled" });
    expect(transition("booked", "reschedule")).toEqual({ ok: true, next: "booked" });
    expect(transition("booked", "complete")).toEqual({ ok: true, next: "completed" });
    expect(transition("booked", "no-show")).toEqual({ ok: true, next: "no-show" });
  });

  test.each(APPOINTMENT_STATUSES.filter((s) => s !== "booked").flatMap((s) => COMMANDS.map((c) => [s, c])))(
    "%s is final: %s is refused",
    (status, command) => {
      const result = transition(status as never, command as AppointmentCommand);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(status);
    },
  );
});
