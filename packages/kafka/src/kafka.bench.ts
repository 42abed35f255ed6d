/**
 * Event backbone benchmarks (issue 2), each against a baseline measured in the same run:
 * - outbox relay throughput vs a raw kafkajs producer sending the same batches;
 * - idempotent consumer (dedupe + effect, one transaction per batch) vs a no-op eachBatch consumer;
 * - produce → consume latency on the local broker.
 * Each pair is measured alternately three times; the medians are compared.
 */
import { type Bench, type BenchResult, createTestDatabase, median, percentile } from "@carebridge/testing";
import { Kafka, logLevel } from "kafkajs";
import { toRecord } from "./cloudevents.ts";
import { startIdempotentConsumer } from "./idempotent-consumer.ts";
import { kafkaEventLog } from "./kafka-event-log.ts";
import { silentLogger } from "./logger.ts";
import { drainOnce, enqueue, startOutboxRelay } from "./outbox.ts";
import type { ProduceRecord } from "./port.ts";
import { ledger, sequencedEntries } from "./testing/ledger.ts";

const EVENTS = 20_000;
const BATCH = 500;
const ROUNDS = 3;

const bench: Bench = async ({ postgresUrl, kafkaBrokers }) => {
  const { database, drop } = await createTestDatabase({ serverUrl: postgresUrl, max: 4 });
  const log = kafkaEventLog({ brokers: kafkaBrokers, clientId: "bench", logger: silentLogger });
  const kafka = new Kafka({ clientId: "bench-raw", brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
  const results: BenchResult[] = [];
  try {
    // --- relay vs raw producer -------------------------------------------------------------
    const rawProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5 } });
    await rawProducer.connect();
    const relayRates: number[] = [];
    const rawRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const topic = `bench-produce-${round}-${crypto.randomUUID().slice(0, 6)}`;
      await log.createTopics([{ name: topic, partitions: 3 }]);
      const entries = sequencedEntries(topic, 100, EVENTS / 100);
      // Byte for byte what the relay sends: the same CloudEvents headers and values.
      const records: ProduceRecord[] = entries.map((e) => toRecord(topic, e.key, e.event));
      let started = performance.now();
      for (let i = 0; i < records.length; i += BATCH) {
        await rawProducer.send({
          topic,
          acks: -1,
          messages: records
            .slice(i, i + BATCH)
            .map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
        });
      }
      rawRates.push(EVENTS / ((performance.now() - started) / 1000));

      for (let i = 0; i < entries.length; i += 1_000) {
        await database.transaction((tx) => enqueue(tx, entries.slice(i, i + 1_000)));
      }
      const relay = startOutboxRelay({
        database,
        log,
        logger: silentLogger,
        batchSize: BATCH,
        pollIntervalMs: 1_000_000,
      });
      started = performance.now();
      await relay.drain(); // returns once the outbox is empty
      relayRates.push(EVENTS / ((performance.now() - started) / 1000));
      await relay.stop();
    }
    await rawProducer.disconnect();
    results.push({
      name: "outbox relay throughput (batch 500, acks=all)",
      value: median(relayRates),
      unit: "events/s",
      baseline: { name: "raw kafkajs producer, same batches", value: median(rawRates) },
      target: { kind: "ratio-at-least", value: 0.5 },
    });

    // --- idempotent consumer vs no-op consumer ---------------------------------------------
    const consumeTopic = `bench-consume-${crypto.randomUUID().slice(0, 6)}`;
    await log.createTopics([{ name: consumeTopic, partitions: 3 }]);
    const entries = sequencedEntries(consumeTopic, 100, EVENTS / 100);
    for (let i = 0; i < entries.length; i += 1_000) {
      await database.transaction((tx) => enqueue(tx, entries.slice(i, i + 1_000)));
    }
    await drainOnce(database, log, BATCH);
    const noopRates: number[] = [];
    const idempotentRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // No-op eachBatch: kafkajs alone, committing each batch.
      let seen = 0;
      let started = 0;
      const noop = kafka.consumer({
        groupId: `bench-noop-${round}-${crypto.randomUUID()}`,
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 4 * 1024 * 1024, // fetches as large as the idempotent consumer's
      });
      noop.on(noop.events.GROUP_JOIN, () => {
        started ||= performance.now();
      });
      await noop.connect();
      await noop.subscribe({ topic: consumeTopic, fromBeginning: true });
      const noopDone = new Promise<void>((resolve) => {
        noop.run({
          partitionsConsumedConcurrently: 3, // as the idempotent consumer
          eachBatch: async ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= EVENTS) resolve();
          },
        });
      });
      await noopDone;
      noopRates.push(seen / ((performance.now() - started) / 1000));
      await noop.disconnect();

      // The idempotent consumer: dedupe + effect (a ledger insert) in one transaction per batch.
      const book = ledger(database);
      await book.create();
      let applied = 0;
      let firstAt = 0;
      let resolveDone: () => void = () => {};
      const done = new Promise<void>((r) => {
        resolveDone = r;
      });
      const consumer = await startIdempotentConsumer({
        groupId: `bench-idem-${round}-${crypto.randomUUID()}`,
        topics: [consumeTopic],
        log,
        database,
        logger: silentLogger,
        // Both consumers are timed from joining the group (fetches included) to the last event.
        onAssigned: () => {
          firstAt ||= performance.now();
        },
        handleBatch: (tx, events) => book.recordBatch(tx, events),
        onBatch: ({ processed }) => {
          applied += processed;
          if (applied >= EVENTS) resolveDone();
        },
      });
      await done;
      idempotentRates.push(applied / ((performance.now() - firstAt) / 1000));
      await consumer.stop();
    }
    results.push({
      name: "idempotent consumer throughput (dedupe + batch effect, 1 tx per batch of ≤ 2000)",
      value: median(idempotentRates),
      unit: "events/s",
      baseline: { name: "no-op eachBatch consumer", value: median(noopRates) },
      target: { kind: "ratio-at-least", value: 0.25 },
    });

    // --- produce → consume latency ----------------------------------------------------------
    const latencyTopic = `bench-latency-${crypto.randomUUID().slice(0, 6)}`;
    await log.createTopics([{ name: latencyTopic, partitions: 3 }]);
    const latencies: number[] = [];
    const consumer = await log.consume(
      { groupId: `bench-latency-${crypto.randomUUID()}`, topics: [latencyTopic], fromBeginning: false },
      async (batch) => {
        const now = performance.timeOrigin + performance.now();
        for (const m of batch.messages) latencies.push(now - Number(m.headers.sent_at));
      },
    );
    const total = 2_000;
    for (let i = 0; i < total; i++) {
      await log.send([
        {
          topic: latencyTopic,
          key: `k-${i % 50}`,
          value: "{}",
          headers: { sent_at: String(performance.timeOrigin + performance.now()) },
        },
      ]);
      await Bun.sleep(2); // ~ a few hundred events/s, one at a time
    }
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) await Bun.sleep(50);
    await consumer.stop();
    results.push({
      name: "produce → consume latency p99 (local broker, acks=all, one event per send)",
      value: percentile(latencies, 99),
      unit: "ms",
      target: { kind: "report" },
      notes: `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} events`,
    });
  } finally {
    await log.close();
    await drop();
  }
  return results;
};

export default bench;
