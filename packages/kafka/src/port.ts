/** One record to append to a topic. `value` is the JSON `data`; headers carry the CloudEvents attributes. */
export interface ProduceRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** A record as delivered to a consumer. */
export interface ConsumedMessage extends ProduceRecord {
  partition: number;
  /** Decimal string, as Kafka offsets exceed 2^53 in theory. */
  offset: string;
  timestamp: number;
}

/** Messages of one partition, in offset order. */
export interface Batch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
}

export interface BatchContext {
  /** Keeps group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was revoked; stop work early. */
  isActive(): boolean;
}

/**
 * Handles one batch. Resolving commits the offset after the last message; resolving with a number
 * n commits only the first n messages (the rest come again, after a pause when n is 0); throwing
 * commits nothing, and the same messages are delivered again after a backoff.
 */
export type BatchHandler = (batch: Batch, ctx: BatchContext) => Promise<void | number>;

export interface ConsumeOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default true (earliest). */
  fromBeginning?: boolean;
  /** Upper bound on messages per batch. Default 500. */
  maxBatchSize?: number;
  /**
   * Partitions whose batches may be handled at the same time (each partition stays in order).
   * Default 1. The in-memory adapter handles one at a time regardless.
   */
  partitionsConcurrently?: number;
  /** Called whenever this member (re)joins its group and gets its partitions. */
  onAssigned?: () => void;
}

export interface ConsumerHandle {
  /** Stops fetching, waits for the batch in flight, leaves the group. */
  stop(): Promise<void>;
}

export interface TopicConfig {
  name: string;
  partitions: number;
  cleanupPolicy?: "delete" | "compact";
  retentionMs?: number;
}

/**
 * The event log port: Kafka semantics (topics, partitions by key, consumer groups with
 * committed offsets, redelivery of uncommitted batches). Adapters: kafkajs and in-memory.
 */
export interface EventLog {
  readonly kind: "kafka" | "memory";
  /** Creates the topics that do not exist yet; existing ones are left alone. */
  createTopics(topics: TopicConfig[]): Promise<void>;
  /** Appends records; resolves once every record is durable (acks=all). Per-key order is kept. */
  send(records: ProduceRecord[]): Promise<void>;
  /** Joins the group; resolves once the member has its partitions. */
  consume(options: ConsumeOptions, handler: BatchHandler): Promise<ConsumerHandle>;
  /** Next offset to be written, per partition. */
  endOffsets(topic: string): Promise<Map<number, string>>;
  /** Committed offset per partition for a group (absent: nothing committed). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, string>>;
  /** Round trip to the log; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
