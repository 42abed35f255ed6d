import {
  type Admin,
  type Consumer,
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import { committableCount, deliverableTo } from "./delivery.ts";
import type { Logger } from "./logger.ts";
import type {
  BatchHandler,
  ConsumedMessage,
  ConsumeOptions,
  ConsumerHandle,
  EventLog,
  ProduceRecord,
  TopicConfig,
} from "./port.ts";
import { backoffDelay, sleep } from "./retry.ts";

export interface KafkaEventLogOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Confluent Cloud: TLS + SASL/PLAIN with an API key. */
  ssl?: boolean;
  sasl?: SASLOptions;
  /** How long one produce request may wait for acks=all. */
  requestTimeoutMs?: number;
}

/** kafkajs error types meaning this member's partitions are being (or were) taken away. */
const REBALANCE_ERRORS = new Set([
  "REBALANCE_IN_PROGRESS",
  "UNKNOWN_MEMBER_ID",
  "ILLEGAL_GENERATION",
  "FENCED_INSTANCE_ID",
]);

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * The kafkajs adapter. kafkajs 2.2.4 is pinned and unmaintained: everything it does is behind
 * the EventLog port so it can be swapped (e.g. for @confluentinc/kafka-javascript).
 * Producer: idempotent, acks=all, one request in flight (per-partition order survives retries);
 * a producer that fails is thrown away and rebuilt on the next send, so a broker restart does
 * not leave a stuck producer behind. Consumer: offsets are committed only after the handler
 * resolved; a handler that throws gets the same messages again after a backoff.
 */
export function kafkaEventLog(options: KafkaEventLogOptions): EventLog {
  const { logger } = options;
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeout: 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        logger[LEVELS[level] ?? "info"]({ component: "kafkajs", ...rest }, message);
      },
  };
  const kafka = new Kafka(config);
  let producer: Promise<Producer> | null = null;
  let admin: Promise<Admin> | null = null;
  const consumers = new Set<Consumer>();

  const getProducer = () => {
    if (producer) return producer;
    const created = (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // kafkajs 2's default, named so it stops warning: Java-compatible murmur2, the same
        // partitioning as the in-memory adapter (partitioner.ts).
        createPartitioner: Partitioners.DefaultPartitioner,
        // Bounded: kafkajs's default for idempotent producers (MAX_SAFE_INTEGER) overflows its
        // backoff timer under Bun (TimeoutNegativeWarning). The outbox retries instead.
        retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
      });
      await p.connect();
      return p;
    })();
    producer = created;
    created.catch(() => {
      if (producer === created) producer = null;
    });
    return created;
  };

  /** Throws away the producer a failed send used (not a newer one another send already made). */
  const discardProducer = async (failed: Promise<Producer>) => {
    if (producer === failed) producer = null;
    await failed.then((p) => p.disconnect()).catch(() => {});
  };

  const getAdmin = () => {
    admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })();
    admin.catch(() => {
      admin = null;
    });
    return admin;
  };

  return {
    kind: "kafka",

    async createTopics(topics: TopicConfig[]) {
      const a = await getAdmin();
      const existing = new Set(await a.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      await a.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: -1,
          configEntries: [
            { name: "cleanup.policy", value: t.cleanupPolicy ?? "delete" },
            ...(t.retentionMs ? [{ name: "retention.ms", value: String(t.retentionMs) }] : []),
          ],
        })),
      });
    },

    async send(records: ProduceRecord[]) {
      if (records.length === 0) return;
      const byTopic = new Map<string, ProduceRecord[]>();
      for (const r of records) {
        const list = byTopic.get(r.topic);
        if (list) list.push(r);
        else byTopic.set(r.topic, [r]);
      }
      const current = getProducer();
      try {
        await (await current).sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, rs]) => ({
            topic,
            messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
          })),
        });
      } catch (error) {
        await discardProducer(current);
        throw error;
      }
    },

    async consume(opts: ConsumeOptions, handler: BatchHandler): Promise<ConsumerHandle> {
      const consumer = kafka.consumer({
        groupId: opts.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 10_000,
        rebalanceTimeout: 20_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 4 * 1024 * 1024, // room for batches of a few thousand events
        retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 },
      });
      consumers.add(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
      let running = true;
      // Partitions may be revoked from the first sign of a rebalance until the member rejoins.
      let rebalancing = false;
      consumer.on(consumer.events.REBALANCING, () => {
        rebalancing = true;
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        rebalancing = false;
        opts.onAssigned?.();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        logger.error(
          { err: payload.error, groupId: opts.groupId, restart: payload.restart },
          payload.restart ? "consumer crashed; kafkajs restarts it" : "consumer crashed and stopped",
        );
      });
      // Ready once the member has joined and fetched once: by then a group without committed
      // offsets has resolved where it starts, so records sent afterwards are seen.
      const joined = new Promise<void>((resolve) => {
        const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
          removeJoin();
          const removeFetch = consumer.on(consumer.events.FETCH, () => {
            removeFetch();
            resolve();
          });
        });
      });
      const maxBatch = opts.maxBatchSize ?? 500;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConcurrently ?? 1,
        eachBatch: async ({
          batch,
          heartbeat,
          isRunning,
          isStale,
          resolveOffset,
          commitOffsetsIfNecessary,
        }) => {
          const isActive = () => running && !rebalancing && isRunning() && !isStale();
          // Handlers heartbeat during long work; a failed heartbeat means the group is
          // rebalancing: the batch is no longer ours to finish (isActive turns false).
          const safeHeartbeat = async () => {
            try {
              await heartbeat();
            } catch (error) {
              // Only a rebalance takes the partitions away; other failures (a network blip) do not,
              // and no GROUP_JOIN would follow to clear the flag.
              if (REBALANCE_ERRORS.has((error as { type?: string }).type ?? "")) rebalancing = true;
              else logger.warn({ err: error, groupId: opts.groupId }, "heartbeat failed");
            }
          };
          const all: ConsumedMessage[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: Number(m.timestamp),
            key: m.key?.toString() ?? "",
            value: m.value?.toString() ?? "",
            headers: Object.fromEntries(
              Object.entries(m.headers ?? {}).map(([k, v]) => [
                k,
                Array.isArray(v) ? String(v[0]) : String(v ?? ""),
              ]),
            ),
          }));
          for (let i = 0; i < all.length; i += maxBatch) {
            const chunk = all.slice(i, i + maxBatch);
            const visible = deliverableTo(opts.groupId, chunk);
            let commit = chunk.length;
            for (let attempt = 1; visible.length > 0; attempt++) {
              if (!isActive()) return;
              try {
                const handled = await handler(
                  { topic: batch.topic, partition: batch.partition, messages: visible },
                  { heartbeat: safeHeartbeat, isActive },
                );
                commit = committableCount(chunk, visible, handled);
                break;
              } catch (error) {
                logger.warn(
                  { err: error, topic: batch.topic, partition: batch.partition, attempt },
                  "batch handler failed; redelivering",
                );
                await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000 }));
                await safeHeartbeat();
              }
            }
            if (commit === 0) {
              await sleep(200); // nothing taken: kafkajs fetches again from here, a little later
              return;
            }
            const last = chunk[commit - 1]!.offset;
            await commitOffsetsIfNecessary({
              topics: [
                {
                  topic: batch.topic,
                  partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
                },
              ],
            });
            resolveOffset(last);
            await heartbeat();
            if (commit < chunk.length) return; // the rest is fetched again
          }
        },
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), 30_000);
      });
      const outcome = await Promise.race([joined, timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        running = false;
        await consumer.disconnect();
        consumers.delete(consumer);
        throw new Error(`consumer group ${opts.groupId} did not join within 30 s`);
      }
      return {
        async stop() {
          if (!running) return;
          running = false;
          await consumer.disconnect();
          consumers.delete(consumer);
        },
      };
    },

    async endOffsets(topic: string) {
      const offsets = await (await getAdmin()).fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, o.high]));
    },

    async committedOffsets(groupId: string, topic: string) {
      const [entry] = await (await getAdmin()).fetchOffsets({ groupId, topics: [topic] });
      const result = new Map<number, string>();
      for (const p of entry?.partitions ?? []) if (p.offset !== "-1") result.set(p.partition, p.offset);
      return result;
    },

    async ping() {
      await (await getAdmin()).describeCluster();
    },

    async close() {
      await Promise.all([...consumers].map((c) => c.disconnect().catch(() => {})));
      consumers.clear();
      if (producer) await discardProducer(producer);
      const a = admin;
      admin = null;
      await a?.then((x) => x.disconnect()).catch(() => {});
    },
  };
}

/** Parses `host:port,host:port`. */
export function parseBrokers(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
