/**
 * Billing's consumer against a real Kafka broker and a real PostgreSQL server: replaying the
 * whole appointments topic, and 20 kill -9s of the consumer process while 2,000 bookings flow.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type CloudEvent, EVENT_TYPES, isEventType } from "@carebridge/contracts";
import type { Database } from "@carebridge/db";
import { type EventLog, kafkaEventLog, silentLogger, toRecord } from "@carebridge/kafka";
import { createTestDatabase, repoRoot, testKafkaBrokers, whenProcessGone } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { migrateBilling } from "../db/migrate.ts";
import { appointmentData, appointmentEvents as ev, patientEvent, waitFor } from "../test-support.ts";
import { type BillingTopics, startBillingConsumer } from "./billing-consumer.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

let database: Database;
let databaseUrl: string;
let drop: () => Promise<void>;
let brokers: string[];
let log: EventLog;

beforeAll(async () => {
  const created = await createTestDatabase();
  ({ database, url: databaseUrl, drop } = created);
  await migrateBilling(database);
  brokers = await testKafkaBrokers();
  log = kafkaEventLog({ brokers, clientId: "billing-int", logger: silentLogger });
}, MINUTE);
afterAll(async () => {
  await log?.close();
  await drop?.();
});

async function privateTopics(): Promise<BillingTopics> {
  const topics = { appointments: unique("appointments"), patients: unique("patients") };
  await log.createTopics(
    [topics.appointments, topics.patients].flatMap((name) => [
      { name, partitions: 3 },
      { name: `${name}.dlq`, partitions: 1 },
    ]),
  );
  return topics;
}

/** Sends events as the producers' relays would: to the topic, keyed by aggregate id. */
async function produce(topics: BillingTopics, events: CloudEvent[]) {
  const records = events.map((event) => {
    if (!isEventType(event.type)) throw new Error(event.type);
    const topic = EVENT_TYPES[event.type].topic === "patients" ? topics.patients : topics.appointments;
    return toRecord(topic, event.subject, event);
  });
  for (let i = 0; i < records.length; i += 500) await log.send(records.slice(i, i + 500));
}

const count = async (q: ReturnType<typeof sql>) => (await database.query<{ n: number }>(q))[0]!.n;
const processedBy = (groupId: string) =>
  count(sql`SELECT count(*)::int AS n FROM processed_events WHERE group_id = ${groupId}`);

/** Whether the group has committed every partition of the topic up to its end offset. */
async function caughtUp(groupId: string, topic: string): Promise<boolean> {
  const [end, committed] = await Promise.all([log.endOffsets(topic), log.committedOffsets(groupId, topic)]);
  return [...end].every(([partition, high]) => high === "0" || committed.get(partition) === high);
}

describe("billing consumer on Kafka + PostgreSQL", () => {
  test(
    "replaying the whole appointments topic twice: still one invoice per appointment, identical amounts, no new events",
    async () => {
      const topics = await privateTopics();
      const plans = ["none", "basic", "plus", "premium"] as const;
      const events: CloudEvent[] = [];
      const appointmentIds: string[] = [];
      for (let i = 0; i < 400; i++) {
        const d = appointmentData({
          specialty: ["General Practice", "Cardiology", "Dermatology", "Oncology"][i % 4]!,
          mode: i % 3 === 0 ? "telehealth" : "in-person",
          start: new Date(Date.now() + ((i % 5) + 1) * 12 * HOUR).toISOString(),
        });
        appointmentIds.push(d.appointmentId);
        if (i % 2 === 0) events.push(patientEvent(d.patientId, plans[i % 4]!));
        events.push(ev.booked(d));
        const later = { ...d, occurredAt: new Date(Date.now() + 1000).toISOString() };
        if (i % 5 === 1) events.push(ev.cancelled(later)); // some > 24 h ahead (void), some late (fee)
        if (i % 7 === 2) events.push(ev.noShow(later));
      }
      // Plans first, so every run sees the same plans (billing uses the plan known at issue).
      await produce(
        topics,
        events.filter((e) => e.type.startsWith("patient.")),
      );
      const snapshot = () =>
        database.query<Record<string, unknown>>(
          sql`SELECT appointment_id, id, status, lines, total_cents, insurance_covered_cents, patient_due_cents, paid_cents
              FROM invoices WHERE appointment_id IN ${sql.raw(`('${appointmentIds.join("','")}')`)} ORDER BY appointment_id`,
        );
      const outboxRows = () => count(sql`SELECT count(*)::int AS n FROM outbox`);
      const consumeAll = async (groupId: string) => {
        const consumer = await startBillingConsumer({ database, log, logger: silentLogger, groupId, topics });
        try {
          await waitFor(
            "every event",
            async () => (await processedBy(groupId)) === events.length,
            2 * MINUTE,
          );
        } finally {
          await consumer.stop();
        }
      };

      const first = unique("billing");
      const patientEvents = events.filter((e) => e.type.startsWith("patient.")).length;
      const planConsumer = await startBillingConsumer({
        database,
        log,
        logger: silentLogger,
        groupId: first,
        topics,
      });
      await waitFor("plans", async () => (await processedBy(first)) === patientEvents, MINUTE);
      await planConsumer.stop();
      await produce(
        topics,
        events.filter((e) => !e.type.startsWith("patient.")),
      );
      await consumeAll(first);
      const original = await snapshot();
      const eventsWritten = await outboxRows();
      expect(original).toHaveLength(appointmentIds.length);

      for (const replay of [unique("billing-replay"), unique("billing-replay")]) {
        await consumeAll(replay); // a new group: the whole topic from offset 0 again
        expect(await snapshot()).toEqual(original);
        expect(await outboxRows()).toBe(eventsWritten);
      }
      expect(await count(sql`SELECT count(*)::int AS n FROM invoices`)).toBe(
        await count(sql`SELECT count(DISTINCT appointment_id)::int AS n FROM invoices`),
      );
    },
    6 * MINUTE,
  );

  test(
    "20 kill -9s of the billing consumer while 2,000 bookings flow: invoices = bookings, none doubled",
    async () => {
      const topics = await privateTopics();
      const groupId = unique("billing-kill");
      const bookings = Array.from({ length: 2_000 }, () => ev.booked(appointmentData()));
      const ids = bookings.map((b) => b.data.appointmentId);
      const idList = sql.raw(`('${ids.join("','")}')`);
      const spawnWorker = () => {
        const worker = Bun.spawn(["bun", join(import.meta.dir, "../testing/consumer-worker.ts")], {
          cwd: repoRoot(),
          env: {
            ...process.env,
            TEST_DATABASE_URL: databaseUrl,
            TEST_KAFKA_BROKERS: brokers.join(","),
            TEST_GROUP: groupId,
            TEST_APPOINTMENTS_TOPIC: topics.appointments,
            TEST_PATIENTS_TOPIC: topics.patients,
            TEST_BATCH_SIZE: "20",
          },
          stdout: "pipe",
          stderr: "ignore",
        });
        const guard = whenProcessGone(`kill -9 ${worker.pid}`); // never outlives a dying test run
        return { worker, guard };
      };
      /** Resolves once the worker reports a committed batch (or exits). */
      const firstBatch = async (worker: Bun.Subprocess<"ignore", "pipe", "ignore">) => {
        const reader = worker.stdout.getReader();
        let text = "";
        while (!/processed [1-9]/.test(text)) {
          const { value, done } = await reader.read();
          if (done) return false;
          text += new TextDecoder().decode(value);
        }
        reader.releaseLock();
        worker.stdout.pipeTo(new WritableStream()).catch(() => {});
        return true;
      };
      const invoices = () =>
        count(sql`SELECT count(*)::int AS n FROM invoices WHERE appointment_id IN ${idList}`);
      const workers: Array<ReturnType<typeof spawnWorker>> = [];
      let kills = 0;
      let killedMidFlow = 0;
      try {
        for (; kills < 20; kills++) {
          await produce(topics, bookings.slice(kills * 100, (kills + 1) * 100)); // bookings keep flowing
          const w = spawnWorker();
          workers.push(w);
          const working = await Promise.race([firstBatch(w.worker), Bun.sleep(40_000).then(() => false)]);
          if (working) killedMidFlow++;
          await Bun.sleep(Math.random() * 150); // mid-batch, mid-commit, between batches
          w.worker.kill("SIGKILL");
          await w.worker.exited;
        }
        workers.push(spawnWorker());
        await waitFor(
          "an invoice for every booking",
          async () => (await invoices()) === bookings.length,
          3 * MINUTE,
        );
        // Every record is done once the group's committed offsets reach the end of the topic: any
        // redelivery of an uncommitted batch (after a kill) has been handled by then, so a double
        // would be in the database now.
        await waitFor(
          "the group's commits at the topic's end",
          () => caughtUp(groupId, topics.appointments),
          3 * MINUTE,
        );
      } finally {
        for (const w of workers) {
          w.worker.kill("SIGKILL");
          w.guard.kill();
        }
      }
      expect(kills).toBe(20);
      expect(killedMidFlow).toBe(20); // each was killed while consuming, not at start-up
      expect(await invoices()).toBe(2_000);
      expect(
        await count(
          sql`SELECT count(DISTINCT appointment_id)::int AS n FROM invoices WHERE appointment_id IN ${idList}`,
        ),
      ).toBe(2_000);
      // exactly one invoice.issued per invoice: no effect (and so no event) ran twice
      expect(
        await count(
          sql`SELECT count(*)::int AS n FROM outbox o JOIN invoices i ON o.key = i.id::text
              WHERE o.type = 'invoice.issued' AND i.appointment_id IN ${idList}`,
        ),
      ).toBe(2_000);
      expect(await processedBy(groupId)).toBe(2_000);
    },
    10 * MINUTE,
  );

  test(
    "malformed events go to the DLQ with their error, the partition flows on; a re-driven cancellation converges",
    async () => {
      const topics = await privateTopics();
      const groupId = unique("billing-dlq");
      const d = appointmentData({ start: new Date(Date.now() + 2 * HOUR).toISOString() });
      const booked = ev.booked(d);
      const cancelled = ev.cancelled({ ...d, occurredAt: new Date(Date.now() + 1000).toISOString() });
      // one partition key, so the bad records sit in front of the good ones
      const bad = toRecord(topics.appointments, d.appointmentId, {
        ...booked,
        id: crypto.randomUUID(),
        data: { ...booked.data, start: "next tuesday" },
      });
      const wrongType = toRecord(topics.appointments, d.appointmentId, {
        ...patientEvent(d.patientId, "basic"),
        id: crypto.randomUUID(),
      });
      await log.send([bad, wrongType]);
      await produce(topics, [cancelled, booked]); // the cancellation first, as after a re-drive
      const dlq: Array<Record<string, string>> = [];
      const reader = await log.consume(
        { groupId: unique("dlq-reader"), topics: [`${topics.appointments}.dlq`], fromBeginning: true },
        async (batch) => {
          for (const m of batch.messages) dlq.push(m.headers);
        },
      );
      const consumer = await startBillingConsumer({ database, log, logger: silentLogger, groupId, topics });
      try {
        await waitFor("the good events", async () => (await processedBy(groupId)) === 2, MINUTE);
        await waitFor("two dead letters", () => dlq.length === 2, MINUTE);
      } finally {
        await consumer.stop();
        await reader.stop();
      }
      expect(dlq.map((h) => h["dlq-group"])).toEqual([groupId, groupId]);
      expect(dlq[0]!["dlq-error"]).toContain("start");
      expect(dlq[1]!["dlq-error"]).toContain("unexpected event type");
      const [invoice] = await database.query<{ status: string; total_cents: number; n: number }>(
        sql`SELECT status, total_cents, count(*) OVER ()::int AS n FROM invoices WHERE appointment_id = ${d.appointmentId}`,
      );
      expect(invoice).toEqual({ status: "open", total_cents: 5_000, n: 1 }); // the late-cancellation fee
    },
    3 * MINUTE,
  );
});
