/**
 * The delivery proofs, against a real Kafka broker and a real PostgreSQL server:
 * no event lost and no effect twice through relay crashes, a broker crash, consumer-group
 * rebalances and poison events.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Database } from "@carebridge/db";
import { createTestDatabase, privateKafkaBroker, repoRoot, testKafkaBrokers } from "@carebridge/testing";
import { startIdempotentConsumer } from "./idempotent-consumer.ts";
import { kafkaEventLog } from "./kafka-event-log.ts";
import { silentLogger } from "./logger.ts";
import { enqueue, startOutboxRelay } from "./outbox.ts";
import type { EventLog } from "./port.ts";
import { waitFor } from "./testing/conformance.ts";
import { ledger, sequencedEntries } from "./testing/ledger.ts";
import { poisonAndRedriveScenario, redeliveryScenario } from "./testing/scenarios.ts";

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
const MINUTE = 60_000;

let database: Database;
let databaseUrl: string;
let dropDatabase: () => Promise<void>;
let brokers: string[];
let log: EventLog;

beforeAll(async () => {
  const created = await createTestDatabase();
  database = created.database;
  databaseUrl = created.url;
  dropDatabase = created.drop;
  brokers = await testKafkaBrokers();
  log = kafkaEventLog({ brokers, clientId: "proofs", logger: silentLogger });
});

afterAll(async () => {
  await log?.close();
  await dropDatabase?.();
});

const ledgerConsumer = (
  eventLog: EventLog,
  book: ReturnType<typeof ledger>,
  topic: string,
  groupId: string,
  extra: { slowMs?: number; onEffect?: () => void } = {},
) =>
  startIdempotentConsumer({
    groupId,
    topics: [topic],
    log: eventLog,
    database,
    logger: silentLogger,
    maxBatchSize: 100,
    handle: async (tx, event) => {
      await book.record(tx, event);
      extra.onEffect?.();
      if (extra.slowMs) await Bun.sleep(extra.slowMs);
    },
  });

describe("outbox relay and idempotent consumer on Kafka + PostgreSQL", () => {
  test(
    "20 kill -9s of the relay while 5,000 events flow: 0 lost, 0 duplicate effects, per-key order kept",
    async () => {
      const topic = unique("proof-relay-kill");
      await log.createTopics([{ name: topic, partitions: 3 }]);
      const book = ledger(database);
      await book.create();
      const consumer = await ledgerConsumer(log, book, topic, unique("ledger"));
      const entries = sequencedEntries(topic, 50, 100);

      // The application keeps committing state changes with their events while relays die:
      // 250 more (in 5 transactions) before each relay starts, so every relay has work.
      const commitChunk = async (k: number) => {
        const chunk = entries.slice(k * 250, (k + 1) * 250);
        for (let i = 0; i < chunk.length; i += 50) {
          await database.transaction((tx) => enqueue(tx, chunk.slice(i, i + 50)));
        }
      };
      const spawnRelay = () =>
        Bun.spawn(["bun", join(import.meta.dir, "testing/relay-worker.ts")], {
          cwd: repoRoot(),
          env: {
            ...process.env,
            TEST_DATABASE_URL: databaseUrl,
            TEST_KAFKA_BROKERS: brokers.join(","),
            TEST_BATCH_SIZE: "50",
          },
          stdout: "pipe",
          stderr: "ignore",
        });
      /** Resolves once the relay reports a published batch (or exits). */
      const firstPublish = async (relay: ReturnType<typeof spawnRelay>) => {
        const reader = relay.stdout.getReader();
        let text = "";
        while (!text.includes("published")) {
          const { value, done } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
        reader.releaseLock();
        relay.stdout.pipeTo(new WritableStream()).catch(() => {}); // keep draining its output
      };
      let kills = 0;
      let killedAfterPublishing = 0;
      const relays: Array<ReturnType<typeof spawnRelay>> = [];
      try {
        for (; kills < 20; kills++) {
          await commitChunk(kills);
          const relay = spawnRelay();
          relays.push(relay);
          // Kill it at a random point of its work: mid-send, mid-commit, between batches.
          const published = await Promise.race([
            firstPublish(relay).then(() => true),
            Bun.sleep(15_000).then(() => false),
          ]);
          if (published) killedAfterPublishing++;
          await Bun.sleep(Math.random() * 120);
          relay.kill("SIGKILL");
          await relay.exited;
        }
        relays.push(spawnRelay());
        await waitFor(
          "every event in the ledger",
          async () => (await book.distinct()) === entries.length,
          2 * MINUTE,
        );
        await Bun.sleep(500); // anything still in flight would show up as a duplicate now
      } finally {
        for (const relay of relays) relay.kill("SIGKILL");
        await consumer.stop();
      }

      const stats = await book.stats();
      expect(kills).toBe(20);
      expect(killedAfterPublishing).toBe(20); // each was killed mid-flow, none merely at start-up
      expect(stats.distinct).toBe(5_000); // 0 lost
      expect(stats.effects).toBe(5_000); // 0 duplicate effects
      expect(stats.outOfOrderKeys).toEqual([]);
      const [outbox] = await database.query<{ c: number }>(
        (await import("drizzle-orm")).sql`SELECT count(*)::int AS c FROM outbox WHERE topic = ${topic}`,
      );
      expect(outbox!.c).toBe(0);
    },
    4 * MINUTE,
  );

  test(
    "consumer group grows 1 → 3 → 1 mid-run: 0 lost, 0 duplicate effects, per-key order kept",
    async () => {
      const topic = unique("proof-rebalance");
      await log.createTopics([{ name: topic, partitions: 6 }]);
      const book = ledger(database);
      await book.create();
      const groupId = unique("ledger");
      const entries = sequencedEntries(topic, 60, 50);
      const relay = startOutboxRelay({ database, log, logger: silentLogger, batchSize: 100 });
      const writer = (async () => {
        for (let i = 0; i < entries.length; i += 30) {
          await database.transaction((tx) => enqueue(tx, entries.slice(i, i + 30)));
          await Bun.sleep(10);
        }
      })();
      const first = await ledgerConsumer(log, book, topic, groupId, { slowMs: 1 });
      const extra: Array<{ stop(): Promise<void>; effects: number }> = [];
      try {
        await waitFor("a quarter", async () => (await book.distinct()) >= 750, MINUTE);
        for (let i = 0; i < 2; i++) {
          // Each member has its own client: its own connections and heartbeats, as separate pods would.
          const memberLog = kafkaEventLog({ brokers, clientId: `member-${i}`, logger: silentLogger });
          const counter = { effects: 0, stop: async () => {} };
          const member = await ledgerConsumer(memberLog, book, topic, groupId, {
            slowMs: 1,
            onEffect: () => counter.effects++,
          });
          counter.stop = async () => {
            await member.stop();
            await memberLog.close();
          };
          extra.push(counter);
        }
        await waitFor("half", async () => (await book.distinct()) >= 1_500, MINUTE);
        await Promise.all(extra.map((m) => m.stop()));
        await writer;
        await waitFor("every event", async () => (await book.distinct()) === entries.length, 2 * MINUTE);
        await Bun.sleep(500);
      } finally {
        await Promise.all([first.stop(), relay.stop(), ...extra.map((m) => m.stop())]);
      }
      // The group really had three members sharing the work, then one again.
      for (const member of extra) expect(member.effects).toBeGreaterThan(0);
      expect(await book.stats()).toEqual({ effects: 3_000, distinct: 3_000, outOfOrderKeys: [] });
    },
    4 * MINUTE,
  );

  test(
    "a poison event goes to the DLQ after N tries, the partition flows on, re-drive applies it once",
    async () => {
      await poisonAndRedriveScenario(log, database);
    },
    MINUTE,
  );

  test(
    "redelivered events have no second effect",
    async () => {
      await redeliveryScenario(log, database);
    },
    MINUTE,
  );

  test(
    "the broker is killed (kill -9) and restarted mid-run: 0 lost once the backlog drains",
    async () => {
      const broker = await privateKafkaBroker("crash");
      const crashLog = kafkaEventLog({
        brokers: broker.brokers,
        clientId: "crash",
        logger: silentLogger,
        requestTimeoutMs: 5_000,
      });
      try {
        const topic = unique("proof-broker-kill");
        await crashLog.createTopics([{ name: topic, partitions: 3 }]);
        const book = ledger(database);
        await book.create();
        const relay = startOutboxRelay({ database, log: crashLog, logger: silentLogger, batchSize: 100 });
        const consumer = await ledgerConsumer(crashLog, book, topic, unique("ledger"));
        try {
          const entries = sequencedEntries(topic, 30, 100);
          const writer = (async () => {
            for (let i = 0; i < entries.length; i += 30) {
              await database.transaction((tx) => enqueue(tx, entries.slice(i, i + 30)));
              await Bun.sleep(10);
            }
          })();
          await waitFor("some progress", async () => (await book.distinct()) >= 500, MINUTE);
          await broker.kill();
          await Bun.sleep(3_000); // producers time out, the relay backs off, the consumer loses its broker
          await broker.restart();
          await writer;
          await waitFor(
            "the backlog drained",
            async () => (await book.distinct()) === entries.length,
            3 * MINUTE,
          );
          await Bun.sleep(500);
        } finally {
          await Promise.all([consumer.stop(), relay.stop()]);
        }
        expect(await book.stats()).toEqual({ effects: 3_000, distinct: 3_000, outOfOrderKeys: [] });
      } finally {
        await crashLog.close();
        await broker.stop();
      }
    },
    5 * MINUTE,
  );
});
