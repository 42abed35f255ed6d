import { describe, expect, test } from "bun:test";
import { PoisonEventError, type ReceivedEvent } from "@carebridge/kafka";
import type { Store } from "../db/store.ts";
import { careTeamEffect, userEffect } from "./consumers.ts";

/** A store that fails the test if touched: contract-breaking events are refused before any read. */
const untouchable = {
  doc: {
    send: () => {
      throw new Error("the store was used");
    },
  },
  tableName: "t",
} as unknown as Store;

const event = (type: string, data: unknown): ReceivedEvent =>
  ({
    id: Bun.randomUUIDv7(),
    type,
    source: "/test",
    specversion: "1.0",
    time: "2026-11-20T10:00:00Z",
    topic: "t",
    partition: 0,
    offset: "0",
    data,
  }) as unknown as ReceivedEvent;

describe("consumer effects refuse contract-breaking data (→ DLQ, never 'processed')", () => {
  test("user.registered without an email is a PoisonEventError", async () => {
    const bad = event("user.registered", { id: Bun.randomUUIDv7(), name: "X", role: "patient" });
    await expect(userEffect(untouchable, false)(bad)).rejects.toBeInstanceOf(PoisonEventError);
  });

  test("an appointment event without a doctorId is a PoisonEventError", async () => {
    const bad = event("appointment.cancelled", { appointmentId: Bun.randomUUIDv7(), status: "cancelled" });
    await expect(careTeamEffect(untouchable)(bad)).rejects.toBeInstanceOf(PoisonEventError);
  });

  test("other event types are no-ops", async () => {
    expect(await userEffect(untouchable, false)(event("user.deactivated", {}))).toEqual([]);
    expect(await careTeamEffect(untouchable)(event("doctor.updated", {}))).toEqual({ items: [] });
  });
});
