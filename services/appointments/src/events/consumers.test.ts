import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CloudEvent, makeEvent } from "@carebridge/contracts";
import { type Database, openPglite } from "@carebridge/db";
import { contractTopicConfigs, type EventLog, memoryEventLog, toRecord } from "@carebridge/kafka";
import { DEMO_ACCOUNTS } from "@carebridge/runtime";
import { sql } from "drizzle-orm";
import pino from "pino";
import { findDoctor, patientExists } from "../db/doctor-queries.ts";
import { migrateAppointments } from "../db/migrate.ts";
import { seedDoctor, seedPatient, testClock } from "../test-support.ts";
import { startConsumers } from "./consumers.ts";

let database: Database;
let log: EventLog;
let consumers: { stop(): Promise<void> };
const clock = testClock("2026-11-20T08:00:00Z");

beforeAll(async () => {
  database = await openPglite();
  await migrateAppointments(database);
  log = memoryEventLog();
  await log.createTopics(contractTopicConfigs());
  consumers = await startConsumers({
    database,
    log,
    logger: pino({ level: "silent" }),
    clock,
    seedDemo: true,
  });
}, 30_000);
afterAll(async () => {
  await consumers.stop();
  await log.close();
  await database.close();
});

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await check();
    if (value) return value;
    await Bun.sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const publish = (topic: string, event: CloudEvent, key: string) => log.send([toRecord(topic, key, event)]);
const source = { source: "/test" };

describe("auth.users", () => {
  test("doctors and patients are learned; a demo doctor gets its contract profile; a redelivery is harmless", async () => {
    const doctorId = Bun.randomUUIDv7();
    const patientId = Bun.randomUUIDv7();
    const demo = DEMO_ACCOUNTS.find((a) => a.email === "doctor.cardiology@example.com")!;
    const demoId = Bun.randomUUIDv7();
    const events = [
      makeEvent(
        "user.registered",
        { id: doctorId, email: "new.doc@example.com", name: "Dr. New", role: "doctor" },
        source,
      ),
      makeEvent(
        "user.registered",
        { id: patientId, email: "p@example.com", name: "Pat", role: "patient" },
        source,
      ),
      makeEvent(
        "user.registered",
        { id: demoId, email: demo.email, name: demo.name, role: "doctor" },
        source,
      ),
      makeEvent(
        "user.registered",
        { id: Bun.randomUUIDv7(), email: "a@example.com", name: "An", role: "analyst" },
        source,
      ),
    ];
    for (const e of events) await publish("auth.users", e, (e.data as { id: string }).id);
    await publish("auth.users", events[0]!, doctorId);
    const demoDoctor = await waitFor("demo doctor", () => findDoctor(database.db, demoId));
    expect(demoDoctor).toMatchObject({
      specialty: "Cardiology",
      timeZone: "America/New_York",
      slotMinutes: 30,
      weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "16:00" })),
    });
    expect(await findDoctor(database.db, doctorId)).toMatchObject({ name: "Dr. New", specialty: null });
    expect(await waitFor("patient", () => patientExists(database.db, patientId))).toBe(true);
    const doctors = await database.query<{ n: string }>(sql`SELECT count(*) AS n FROM doctors`);
    expect(Number(doctors[0]?.n)).toBe(2);
  });
});

describe("appointments.booking-requests", () => {
  const replies = (requestId: string) =>
    database.query<{ type: string; payload: string; headers: Record<string, string>; topic: string }>(
      sql`SELECT type, payload, headers, topic FROM outbox WHERE key = ${requestId} ORDER BY id`,
    );
  const request = (data: Record<string, unknown>, id?: string) =>
    makeEvent("booking.requested", data as never, { ...source, ...(id ? { id } : {}) });

  test("confirms a valid request in one transaction with the booking; a repeat (new event id) gets the same reply and books once", async () => {
    const doctorId = await seedDoctor(database);
    const patientId = await seedPatient(database);
    const requestId = Bun.randomUUIDv7();
    const data = { requestId, patientId, doctorId, start: "2026-11-23T08:00:00Z", mode: "telehealth" };
    await publish("appointments.booking-requests", request(data), requestId);
    const [reply] = await waitFor("reply", async () => {
      const rows = await replies(requestId);
      return rows.length > 0 && rows;
    });
    expect(reply?.type).toBe("booking.confirmed");
    expect(reply?.topic).toBe("appointments.booking-replies");
    expect(reply?.headers.ce_correlationid).toBe(requestId);
    const confirmed = JSON.parse(reply!.payload) as Record<string, string>;
    expect(confirmed).toMatchObject({
      requestId,
      patientId,
      doctorId,
      start: "2026-11-23T08:00:00Z",
      status: "booked",
    });
    const booked = await database.query<{ type: string; headers: Record<string, string> }>(
      sql`SELECT type, headers FROM outbox WHERE key = ${confirmed.appointmentId}`,
    );
    expect(booked.map((r) => r.type)).toEqual(["appointment.booked"]);

    await publish("appointments.booking-requests", request(data), requestId);
    const again = await waitFor("second reply", async () => {
      const rows = await replies(requestId);
      return rows.length > 1 && rows;
    });
    expect(again[1]?.type).toBe("booking.confirmed");
    expect(JSON.parse(again[1]!.payload)).toEqual(confirmed);
    const count = await database.query<{ n: string }>(
      sql`SELECT count(*) AS n FROM appointments WHERE doctor_id = ${doctorId}`,
    );
    expect(Number(count[0]?.n)).toBe(1);
  });

  test.each([
    [
      "slot_taken",
      (d: string, p: string) => ({ doctorId: d, patientId: p, start: "2026-11-24T08:00:00Z" }),
      true,
    ],
    [
      "invalid_slot",
      (d: string, p: string) => ({ doctorId: d, patientId: p, start: "2026-11-24T08:05:00Z" }),
      false,
    ],
    [
      "in_past",
      (d: string, p: string) => ({ doctorId: d, patientId: p, start: "2026-11-19T08:00:00Z" }),
      false,
    ],
    [
      "unknown_doctor",
      (_d: string, p: string) => ({
        doctorId: Bun.randomUUIDv7(),
        patientId: p,
        start: "2026-11-24T08:00:00Z",
      }),
      false,
    ],
    [
      "unknown_patient",
      (d: string) => ({ doctorId: d, patientId: Bun.randomUUIDv7(), start: "2026-11-24T08:00:00Z" }),
      false,
    ],
    ["invalid_request", (d: string, p: string) => ({ doctorId: d, patientId: p, start: "tomorrow" }), false],
    // A reason PostgreSQL cannot store is answered, not retried into the dead-letter topic.
    [
      "invalid_request",
      (d: string, p: string) => ({
        doctorId: d,
        patientId: p,
        start: "2026-11-24T08:00:00Z",
        reason: "a\u0000b",
      }),
      false,
    ],
  ] as const)("rejects with %s", async (code, build, takeFirst) => {
    const doctorId = await seedDoctor(database);
    const patientId = await seedPatient(database);
    if (takeFirst) {
      const firstId = Bun.randomUUIDv7();
      await publish(
        "appointments.booking-requests",
        request({ requestId: firstId, mode: "in-person", ...build(doctorId, patientId) }),
        firstId,
      );
      await waitFor("first", async () => (await replies(firstId)).length > 0);
    }
    const requestId = Bun.randomUUIDv7();
    const data = { requestId, mode: "in-person", ...build(doctorId, patientId) };
    // An invalid request is not a valid contract event: sent as raw data past makeEvent.
    const event =
      code === "invalid_request"
        ? { ...request({ ...data, start: "2026-11-24T08:00:00Z" }), data }
        : request(data);
    await publish("appointments.booking-requests", event as CloudEvent, requestId);
    const [reply] = await waitFor("reply", async () => {
      const rows = await replies(requestId);
      return rows.length > 0 && rows;
    });
    expect(reply?.type).toBe("booking.rejected");
    expect(reply?.headers.ce_correlationid).toBe(requestId);
    expect(JSON.parse(reply!.payload)).toMatchObject({ requestId, code });
  });
});
