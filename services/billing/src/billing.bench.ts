/**
 * Billing benchmarks (issue 5), on the real broker and PostgreSQL server of `bun run bench`:
 * 1. billing consumer throughput vs a no-op consumer of the same topic, measured alternately in
 *    the same run (medians of 3 rounds each);
 * 2. booking committed → invoice visible, p99 at 200 bookings/s: bookings are committed to an
 *    outbox in their own PostgreSQL database (as appointments does), relayed to Kafka by
 *    startOutboxRelay, consumed by billing's consumer into billing's database, and polled through
 *    billing's own query function. These are the components `bun run dev:real` runs.
 */

import { enqueue, kafkaEventLog, silentLogger, startOutboxRelay, toRecord } from "@carebridge/kafka";
import { type Bench, type BenchResult, createTestDatabase, median, percentile } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { findInvoicesByAppointment } from "./db/invoice-queries.ts";
import { migrateBilling } from "./db/migrate.ts";
import { savePlans } from "./db/state-queries.ts";
import { startBillingConsumer } from "./events/billing-consumer.ts";
import { appointmentData, appointmentEvents as ev } from "./test-support.ts";

const EVENTS = 20_000;
const ROUNDS = 3;
/** Untimed first round of each: JIT, connection pools, the broker's page cache warm for both alike. */
const WARMUP_ROUNDS = 1;
/** The same fetch settings for both consumers: chunks of this many messages, 3 partitions at once. */
const BATCH = 2_000;
const RATE = 200; // bookings per second
const LATENCY_SECONDS = 15;

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

const bench: Bench = async ({ postgresUrl, kafkaBrokers }) => {
  const billingDb = await createTestDatabase({ serverUrl: postgresUrl, max: 8 });
  const bookingDb = await createTestDatabase({ serverUrl: postgresUrl, max: 4 });
  const database = billingDb.database;
  await migrateBilling(database);
  const log = kafkaEventLog({ brokers: kafkaBrokers, clientId: "billing-bench", logger: silentLogger });
  const results: BenchResult[] = [];
  try {
    // --- 1. consumer throughput ------------------------------------------------------------
    const topics = { appointments: unique("bench-appointments") };
    const noPatients = unique("bench-no-patients"); // billing's patients input stays empty while timed
    await log.createTopics(
      [topics.appointments, noPatients].flatMap((name) => [
        { name, partitions: 3 },
        { name: `${name}.dlq`, partitions: 1 },
      ]),
    );
    const plans = ["none", "basic", "plus", "premium"] as const;
    const patients = Array.from({ length: 500 }, () => crypto.randomUUID());
    // Plans already learned (three quarters insured: invoices with claims, as in real traffic).
    await savePlans(
      database.db,
      patients.map((patientId, i) => ({ patientId, planId: plans[i % 4]!, memberId: `M-${i}`, version: 1 })),
    );
    const records = Array.from({ length: EVENTS }, (_, i) => {
      const booked = ev.booked(
        appointmentData({
          patientId: patients[i % patients.length]!,
          specialty: ["General Practice", "Cardiology", "Dermatology"][i % 3]!,
          mode: i % 4 === 0 ? "telehealth" : "in-person",
        }),
      );
      return toRecord(topics.appointments, booked.subject, booked);
    });
    for (let i = 0; i < records.length; i += 1_000) await log.send(records.slice(i, i + 1_000));

    const noopRates: number[] = [];
    const billingRates: number[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      const timed = round >= WARMUP_ROUNDS;
      // No-op: the same event log port and topic, committing each batch, doing nothing.
      let seen = 0;
      let started = 0;
      let noopDone: () => void = () => {};
      const noopFinished = new Promise<void>((r) => {
        noopDone = r;
      });
      const noop = await log.consume(
        {
          groupId: unique("bench-noop"),
          topics: [topics.appointments],
          fromBeginning: true,
          maxBatchSize: BATCH,
          partitionsConcurrently: 3,
          onAssigned: () => {
            started ||= performance.now();
          },
        },
        async (batch) => {
          seen += batch.messages.length;
          if (seen >= EVENTS) noopDone();
        },
      );
      await noopFinished;
      if (timed) noopRates.push(seen / ((performance.now() - started) / 1000));
      await noop.stop();

      // Billing: validation, dedupe, facts, invoices, outbox rows, one transaction per batch.
      await database.query(sql`TRUNCATE invoices, payments, refunds, outbox, processed_events`);
      let applied = 0;
      let firstAt = 0;
      let billingDone: () => void = () => {};
      const billingFinished = new Promise<void>((r) => {
        billingDone = r;
      });
      const consumer = await startBillingConsumer({
        database,
        log,
        logger: silentLogger,
        groupId: unique("bench-billing"),
        topics: { appointments: topics.appointments, patients: noPatients },
        maxBatchSize: BATCH,
        partitionsConcurrently: 3,
        onAssigned: () => {
          firstAt ||= performance.now();
        },
        onBatch: ({ processed }) => {
          applied += processed;
          if (applied >= EVENTS) billingDone();
        },
      });
      await billingFinished;
      if (timed) billingRates.push(applied / ((performance.now() - firstAt) / 1000));
      await consumer.stop();
    }
    const [issued] = await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM invoices`);
    results.push({
      name: "billing consumer throughput (validate + dedupe + invoice + outbox, 1 tx per batch)",
      value: median(billingRates),
      unit: "events/s",
      baseline: { name: "no-op consumer, same topic and event log", value: median(noopRates) },
      target: { kind: "ratio-at-least", value: 0.25 },
      notes: `${EVENTS} appointment.booked per round, ${ROUNDS} timed rounds alternating after ${WARMUP_ROUNDS} untimed; billing ${billingRates.map(Math.round).join(", ")} vs no-op ${noopRates.map(Math.round).join(", ")} events/s; last round issued ${issued?.n} invoices`,
    });

    // --- 2. booking committed → invoice visible ----------------------------------------------
    await database.query(sql`TRUNCATE invoices, payments, refunds, outbox, processed_events`);
    const liveTopics = {
      appointments: unique("bench-live-appointments"),
      patients: unique("bench-live-patients"),
    };
    await log.createTopics(
      [liveTopics.appointments, liveTopics.patients].flatMap((name) => [
        { name, partitions: 3 },
        { name: `${name}.dlq`, partitions: 1 },
      ]),
    );
    const relay = startOutboxRelay({ database: bookingDb.database, log, logger: silentLogger });
    const consumer = await startBillingConsumer({
      database,
      log,
      logger: silentLogger,
      groupId: unique("bench-live"),
      topics: liveTopics,
    });
    const committedAt = new Map<string, number>();
    const latencies: number[] = [];
    let writing = true;
    const poller = (async () => {
      while (writing || committedAt.size > 0) {
        const pending = [...committedAt.keys()];
        if (pending.length > 0) {
          const found = await findInvoicesByAppointment(database.db, pending);
          const now = performance.now();
          for (const id of found.keys()) {
            latencies.push(now - committedAt.get(id)!);
            committedAt.delete(id);
          }
        }
        await Bun.sleep(2);
      }
    })();
    const total = RATE * LATENCY_SECONDS;
    const begin = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const booked = ev.booked(appointmentData());
      // The outbox row as appointments writes it, bound for this run's own appointments topic.
      const entry = { topic: liveTopics.appointments, key: booked.subject, event: booked };
      inFlight.push(
        bookingDb.database
          .transaction((tx) => enqueue(tx, [entry]))
          .then(() => {
            committedAt.set(booked.data.appointmentId, performance.now());
          }),
      );
    }
    await Promise.all(inFlight);
    const deadline = Date.now() + 60_000;
    while (committedAt.size > 0 && Date.now() < deadline) await Bun.sleep(20);
    writing = false;
    committedAt.clear();
    await poller;
    await consumer.stop();
    await relay.stop();
    results.push({
      name: `booking committed → invoice visible p99 at ${RATE} bookings/s (outbox → relay → Kafka → billing)`,
      value: percentile(latencies, 99),
      unit: "ms",
      target: { kind: "at-most", value: 250 },
      notes: `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length}/${total} bookings`,
    });
  } finally {
    await log.close();
    await billingDb.drop();
    await bookingDb.drop();
  }
  return results;
};

export default bench;
