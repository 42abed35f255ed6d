import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type CloudEvent, EVENT_TYPES, isEventType, keyOf } from "@carebridge/contracts";
import {
  backoffDelay,
  type EventLog,
  type Logger,
  type ProduceRecord,
  sleep,
  startPollLoop,
  toRecord,
} from "@carebridge/kafka";
import type { Store, TxItem } from "./store.ts";
import { keys } from "./table.ts";

/** Outbox partitions: a patient's events always land in the same one, ordered by event id (UUIDv7). */
export const OUTBOX_SHARDS = 8;

/** The shard of an aggregate key (FNV-1a). */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash % OUTBOX_SHARDS;
}

/**
 * Outbox items for contract events (built with `makeEvent`), to put in the same transaction as
 * the state change. Each is keyed by its shard and its event id, so the relay reads them in order.
 */
export function outboxItems(events: CloudEvent[]): TxItem[] {
  return events.map((event) => {
    if (!isEventType(event.type)) throw new Error(`not a contract event type: ${event.type}`);
    const topic = EVENT_TYPES[event.type].topic;
    // biome-ignore lint/suspicious/noExplicitAny: makeEvent validated the data against the type
    const key = keyOf(event.type, event.data as any);
    const record = toRecord(topic, key, event);
    return {
      Put: {
        TableName: "",
        Item: { PK: keys.outbox(shardOf(key)), SK: event.id, entity: "outbox", ...record },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    };
  });
}

export interface DynamoOutboxRelayOptions {
  store: Store;
  log: EventLog;
  logger: Logger;
  /** Wait when the outbox is empty. Default 25 ms. */
  pollIntervalMs?: number;
  /** Items per shard per round. Default 100. */
  batchSize?: number;
  /** Lease on a shard: one relay instance publishes a shard at a time. Default 15 s. */
  leaseMs?: number;
}

export interface DynamoOutboxRelay {
  /** Publishes until every shard is empty (that this relay holds); returns how many it published. */
  drain(): Promise<number>;
  stop(): Promise<void>;
  readonly published: number;
}

/**
 * Relays the DynamoDB outbox to the event log: per shard (under a lease, so one instance at a
 * time), oldest first, sends a batch with acks=all and only then deletes it. A crash between the
 * send and the delete sends those events again (at-least-once; consumers dedupe by event id).
 */
export function startDynamoOutboxRelay(options: DynamoOutboxRelayOptions): DynamoOutboxRelay {
  const { store, log, logger } = options;
  const owner = crypto.randomUUID();
  const pollIntervalMs = options.pollIntervalMs ?? 25;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 15_000;
  let published = 0;

  const takeLease = async (shard: number) => {
    const now = Date.now();
    try {
      await store.doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { PK: keys.outboxLease(shard), SK: "LEASE", owner, expiresAt: now + leaseMs },
          ConditionExpression: "attribute_not_exists(PK) OR expiresAt < :now OR #owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":now": now, ":owner": owner },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  const publishShard = async (shard: number) => {
    let total = 0;
    if (!(await takeLease(shard))) return 0;
    for (;;) {
      // Only committed entries: never one of a transaction that may still roll back.
      const { Items = [] } = await store.settled(() =>
        store.doc.send(
          new QueryCommand({
            TableName: store.tableName,
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": keys.outbox(shard) },
            ConsistentRead: true,
            Limit: batchSize,
          }),
        ),
      );
      if (Items.length === 0) return total;
      const records: ProduceRecord[] = Items.map((i) => ({
        topic: i.topic,
        key: i.key,
        value: i.value,
        headers: i.headers,
      }));
      await log.send(records);
      await deleteAll(
        store,
        Items.map((i) => ({ PK: i.PK as string, SK: i.SK as string })),
      );
      total += Items.length;
      published += Items.length;
      if (Items.length < batchSize) return total;
    }
  };

  // One drain at a time in this process (the loop and explicit drain() calls), so nothing is sent twice.
  let draining: Promise<unknown> = Promise.resolve();
  const drain = (): Promise<number> => {
    const run = draining.then(async () => {
      let total = 0;
      for (let shard = 0; shard < OUTBOX_SHARDS; shard++) total += await publishShard(shard);
      return total;
    });
    draining = run.catch(() => {});
    return run;
  };

  const loop = startPollLoop({ pass: drain, idleMs: pollIntervalMs, logger, name: "dynamodb outbox relay" });

  return {
    drain,
    async stop() {
      await loop.stop();
      await draining;
      // Hand the shards over at once rather than after the lease runs out.
      await Promise.all(
        Array.from({ length: OUTBOX_SHARDS }, (_, shard) =>
          store.doc
            .send(
              new DeleteCommand({
                TableName: store.tableName,
                Key: { PK: keys.outboxLease(shard), SK: "LEASE" },
                ConditionExpression: "#owner = :owner",
                ExpressionAttributeNames: { "#owner": "owner" },
                ExpressionAttributeValues: { ":owner": owner },
              }),
            )
            .catch((error) => {
              if (!(error instanceof ConditionalCheckFailedException)) throw error;
            }),
        ),
      ).catch((error) => logger.warn({ err: error }, "dynamodb outbox relay: leases not released"));
    },
    get published() {
      return published;
    },
  };
}

/** Deletes items in batches of 25, retrying what DynamoDB leaves unprocessed. */
async function deleteAll(store: Store, itemKeys: Array<{ PK: string; SK: string }>): Promise<void> {
  for (let i = 0; i < itemKeys.length; i += 25) {
    let requests = itemKeys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      const { UnprocessedItems } = await store.doc.send(
        new BatchWriteCommand({ RequestItems: { [store.tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[store.tableName] ?? []) as typeof requests;
      if (requests.length > 0) await sleep(backoffDelay(attempt, { initialMs: 20, maxMs: 1_000 }));
    }
  }
}
