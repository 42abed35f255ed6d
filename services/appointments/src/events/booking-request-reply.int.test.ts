import { afterAll, beforeAll, expect, test } from "bun:test";
import { makeEvent } from "@carebridge/contracts";
import {
  type ConsumerHandle,
  contractTopicConfigs,
  type EventLog,
  kafkaEventLog,
  type OutboxRelay,
  silentLogger,
  startOutboxRelay,
  toRecord,
} from "@carebridge/kafka";
import { createTestDatabase, type TestDatabase, testKafkaBrokers } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import pino from "pino";
import { migrateAppointments } from "../db/migrate.ts";
import { seedDoctor, seedPatient, testClock } from "../test-support.ts";
import { startBookingRequestConsumer } from "./booking-request-consumer.ts";

// Partner → Kafka → this service → PostgreSQL + outbox → relay → Kafka → partner, on the real
// broker and server.
let testDb: TestDatabase;
let log: EventLog;
let relay: OutboxRelay;
let consumer: ConsumerHandle;
let replies: ConsumerHandle;
const received: Array<{ type: string; correlationId: string; data: Record<string, unknown> }> = [];

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false });
  await migrateAppointments(testDb.database);
  log = kafkaEventLog({
    brokers: await testKafkaBrokers(),
    clientId: "appointments-rr-test",
    logger: silentLogger,
  });
  await log.createTopics(contractTopicConfigs());
  relay = startOutboxRelay({ database: testDb.database, log, logger: silentLogger });
  consumer = await startBookingRequestConsumer({
    database: testDb.database,
    log,
    logger: pino({ level: "silent" }),
    clock: testClock("2026-11-20T08:00:00Z"),
  });
  replies = await log.consume(
    {
      groupId: `partner-${crypto.randomUUID()}`,
      topics: ["appointments.booking-replies"],
      fromBeginning: true,
    },
    async (batch) => {
      for (const m of batch.messages) {
        received.push({
          type: m.headers.ce_type ?? "",
          correlationId: m.headers.ce_correlationid ?? "",
          data: JSON.parse(m.value),
        });
      }
    },
  );
}, 120_000);
afterAll(async () => {
  await replies?.stop();
  await consumer?.stop();
  await relay?.stop();
  await log?.close();
  await testDb?.drop();
});

test("two partners race for one slot, one of them sends its request twice: one booking, consistent replies", async () => {
  const doctorId = await seedDoctor(testDb.database);
  const patientId = await seedPatient(testDb.database);
  const [a, b] = [Bun.randomUUIDv7(), Bun.randomUUIDv7()];
  const request = (requestId: string) =>
    makeEvent(
      "booking.requested",
      { requestId, patientId, doctorId, start: "2026-11-23T08:00:00Z", mode: "in-person" },
      { source: "/partner" },
    );
  // A is sent twice as two different events (a partner retrying after a timeout).
  await log.send([a, b, a].map((id) => toRecord("appointments.booking-requests", id, request(id))));

  const mine = () => received.filter((r) => r.correlationId === a || r.correlationId === b);
  for (let i = 0; i < 3000 && mine().length < 3; i++) await Bun.sleep(10);
  const got = mine();
  expect(got.length).toBe(3);
  const forA = got.filter((r) => r.correlationId === a);
  const forB = got.filter((r) => r.correlationId === b);
  expect(forA.length).toBe(2);
  expect(forA[1]).toEqual(forA[0]!);
  expect(forA[0]?.data.requestId).toBe(a);
  expect(forB[0]?.data.requestId).toBe(b);
  const types = [forA[0]!.type, forB[0]!.type].sort();
  expect(types).toEqual(["booking.confirmed", "booking.rejected"]);
  const rejected = [forA[0]!, forB[0]!].find((r) => r.type === "booking.rejected")!;
  expect(rejected.data.code).toBe("slot_taken");
  const rows = await testDb.database.query<{ n: string }>(
    sql`SELECT count(*) AS n FROM appointments WHERE doctor_id = ${doctorId}`,
  );
  expect(Number(rows[0]?.n)).toBe(1);
}, 60_000);
