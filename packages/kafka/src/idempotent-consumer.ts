import { isEventType, parseEventData } from "@carebridge/contracts";
import { type Database, pgErrorCode, type Tx } from "@carebridge/db";
import { sql } from "drizzle-orm";
import { type EventAttributes, fromRecord, MalformedEventError, type ReceivedEvent } from "./cloudevents.ts";
import { deadLetter } from "./dlq.ts";
import type { Logger } from "./logger.ts";
import type { BatchContext, ConsumedMessage, ConsumerHandle, EventLog } from "./port.ts";
import { backoffDelay, sleep } from "./retry.ts";

/** The effect of one event, run inside the transaction that records the event as processed. */
export type EventEffect = (tx: Tx, event: ReceivedEvent) => Promise<void>;

/** The effect of several events (new ones only, in partition order), in one transaction. */
export type BatchEffect = (tx: Tx, events: ReceivedEvent[]) => Promise<void>;

/** Thrown by an effect (or a validator) for an event that can never succeed: it goes to the DLQ at once. */
export class PoisonEventError extends Error {
  override readonly name = "PoisonEventError";
}

export interface IdempotentConsumerOptions {
  groupId: string;
  topics: string[];
  log: EventLog;
  database: Database;
  logger: Logger;
  /** The effect of one event. Give this or `handleBatch`. */
  handle?: EventEffect;
  /**
   * The effect of several events at once (e.g. one multi-row insert), in order; much faster than
   * `handle` for high-volume consumers. When it fails, the batch is split until the failing
   * event is found, and that one is retried alone.
   */
  handleBatch?: BatchEffect;
  /**
   * Checks an event before its effect runs. Return an error message to dead-letter it without
   * retries, or null when it is fine. Default: `validateContractEvent`.
   */
  validate?: (event: EventAttributes & { data: unknown }) => string | null;
  /** Tries per event before it goes to the DLQ. Default 5. */
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  fromBeginning?: boolean;
  /** Messages per batch, and so per transaction. Default 2000. */
  maxBatchSize?: number;
  /** Partitions handled at the same time, each in order and in its own transactions. Default 3. */
  partitionsConcurrently?: number;
  /** Called whenever this member (re)joins its group and gets its partitions. */
  onAssigned?: () => void;
  /** Called after every committed batch (metrics, tests). */
  onBatch?: (info: { processed: number; duplicates: number; deadLettered: number }) => void;
}

/** Events of a contract type must match that type's schema; other types pass through. */
export function validateContractEvent(event: { type: string; data: unknown }): string | null {
  if (!isEventType(event.type)) return null;
  const result = parseEventData(event.type, event.data);
  return result.ok ? null : result.message;
}

/** The partition was taken away mid-batch (rebalance); its next owner redoes the work. */
export class PartitionRevokedError extends Error {
  override readonly name = "PartitionRevokedError";
}

/** Network failures reaching the database (or anything else the effect needs). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * Errors that are not the event's fault: the database unreachable, shutting down, out of
 * resources, or a transaction that lost a serialization conflict or deadlock. The batch is
 * redelivered until it works, and the event is never dead-lettered for them.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof PartitionRevokedError) return true;
  const sqlstate = pgErrorCode(error);
  if (sqlstate) return /^(08|53|57|40)/.test(sqlstate) || sqlstate === "55P03";
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 8; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (typeof message === "string" && /PGlite is closed/i.test(message)) return true;
    e = cause;
  }
  return false;
}

/** Events between heartbeats in a long batch. */
const HEARTBEAT_EVERY = 50;

/**
 * Consumes topics with exactly-once effects: each event's id is recorded in `processed_events`
 * in the same transaction as its effect, so redelivery (crash, rebalance, relay resend) has no
 * second effect. A batch runs in one transaction; if it fails, the events before the failing one
 * are applied, the failing one is retried alone with backoff, and after `maxAttempts` it goes to
 * `<topic>.dlq` with the error while the rest of the partition flows on.
 */
export async function startIdempotentConsumer(options: IdempotentConsumerOptions): Promise<ConsumerHandle> {
  const { groupId, database, handle, handleBatch } = options;
  if (!handle === !handleBatch)
    throw new Error("startIdempotentConsumer: give exactly one of handle, handleBatch");

  // One parameter (a JSON array) rather than five per row: for a batch of 1000 this is about 3×
  // faster than a multi-row VALUES insert, which is most of a batch's cost.
  const insertProcessed = (tx: Tx, events: ReceivedEvent[]) =>
    database.query<{ event_id: string }>(
      sql`INSERT INTO processed_events (group_id, event_id, topic, partition, "offset")
          SELECT ${groupId}, r.event_id, r.topic, r.partition, r."offset"
          FROM jsonb_to_recordset(${JSON.stringify(
            events.map((e) => ({ event_id: e.id, topic: e.topic, partition: e.partition, offset: e.offset })),
          )}::jsonb) AS r(event_id text, topic text, partition int, "offset" text)
          ON CONFLICT DO NOTHING
          RETURNING event_id`,
      tx,
    );

  /**
   * Dedupe and every effect of `events` in one transaction. On failure, `failedAt` is the index of
   * the event whose effect threw (-1 when the failure was not in an effect, e.g. the commit).
   */
  const runBatch = async (
    events: ReceivedEvent[],
    ctx: BatchContext,
  ): Promise<{ ok: true; applied: number } | { ok: false; failedAt: number; error: unknown }> => {
    let current = -1;
    try {
      const applied = await database.transaction(async (tx) => {
        const fresh = new Set((await insertProcessed(tx, events)).map((r) => r.event_id));
        if (handleBatch) {
          await handleBatch(
            tx,
            events.filter((e) => fresh.has(e.id)),
          );
          return fresh.size;
        }
        for (current = 0; current < events.length; current++) {
          const event = events[current]!;
          if (current > 0 && current % HEARTBEAT_EVERY === 0) {
            await ctx.heartbeat();
            if (!ctx.isActive()) throw new PartitionRevokedError("partition revoked during the batch");
          }
          if (fresh.has(event.id)) await handle!(tx, event);
        }
        current = -1;
        return fresh.size;
      });
      return { ok: true, applied };
    } catch (error) {
      return { ok: false, failedAt: current, error };
    }
  };

  return consumeIdempotently(options, runBatch, isInfrastructureError);
}

/**
 * Where a consumer that does not use PostgreSQL keeps its processed-event markers (e.g. DynamoDB):
 * each event's effect and its marker must commit together, one event at a time.
 */
export interface ProcessedEventStore {
  /** Applies `event`'s effect and records its id for `groupId` atomically; false (and no effect) when already recorded. */
  applyOnce(groupId: string, event: ReceivedEvent): Promise<boolean>;
  /** Errors that are not the event's fault (store unreachable, throttled, conflicts): redelivered, never dead-lettered. */
  isInfrastructureError?(error: unknown): boolean;
}

/** Options of {@link startIdempotentStoreConsumer}: those of the PostgreSQL consumer, with a store instead. */
export type StoreConsumerOptions = Omit<IdempotentConsumerOptions, "database" | "handle" | "handleBatch"> & {
  store: ProcessedEventStore;
};

/**
 * {@link startIdempotentConsumer} over a {@link ProcessedEventStore}: the same validation, retries
 * with backoff, dead-lettering and per-partition order; each event commits on its own.
 */
export async function startIdempotentStoreConsumer(options: StoreConsumerOptions): Promise<ConsumerHandle> {
  const { groupId, store } = options;
  const runBatch: RunBatch = async (events, ctx) => {
    let applied = 0;
    let current = 0;
    try {
      for (; current < events.length; current++) {
        if (current > 0 && current % HEARTBEAT_EVERY === 0) {
          await ctx.heartbeat();
          if (!ctx.isActive()) throw new PartitionRevokedError("partition revoked during the batch");
        }
        if (await store.applyOnce(groupId, events[current]!)) applied++;
      }
      return { ok: true, applied };
    } catch (error) {
      // The events before the failing one are committed already (one commit per event).
      return { ok: false, failedAt: current, error, committed: { count: current, applied } };
    }
  };
  const isInfra = (error: unknown) =>
    error instanceof PartitionRevokedError || (store.isInfrastructureError?.(error) ?? false);
  return consumeIdempotently(options, runBatch, isInfra);
}

/**
 * Runs a batch of events: ok with how many were new, or where it failed. `committed` is set when
 * the events before `failedAt` stay committed despite the failure (stores without batch transactions).
 */
type RunBatch = (
  events: ReceivedEvent[],
  ctx: BatchContext,
) => Promise<
  | { ok: true; applied: number }
  | { ok: false; failedAt: number; error: unknown; committed?: { count: number; applied: number } }
>;

/** The consume loop shared by both consumers: validation, dedupe within a batch, retries, DLQ. */
async function consumeIdempotently(
  options: Omit<IdempotentConsumerOptions, "database" | "handle" | "handleBatch">,
  runBatch: RunBatch,
  isInfra: (error: unknown) => boolean,
): Promise<ConsumerHandle> {
  const { groupId, log, logger } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 100, maxMs: 5_000 };

  /** Retries one event alone (it has failed `attempts` times already); dead-letters it when out of tries. */
  const retryAlone = async (
    event: ReceivedEvent,
    message: ConsumedMessage,
    attempts: number,
    lastError: unknown,
    ctx: BatchContext,
  ): Promise<"applied" | "dead-lettered"> => {
    let error = lastError;
    for (;;) {
      if (isInfra(error)) throw error;
      if (!(error instanceof PoisonEventError) && attempts < maxAttempts) {
        if (!ctx.isActive()) throw error; // partition revoked: its next owner retries
        await sleep(backoffDelay(attempts, backoff));
        await ctx.heartbeat();
        const result = await runBatch([event], ctx);
        if (result.ok) return "applied";
        attempts++;
        error = result.error;
        continue;
      }
      await deadLetter(log, groupId, message, {
        error: error instanceof Error ? error.message : String(error),
        errorType: error instanceof Error ? error.name : "Error",
        attempts,
      });
      logger.warn({ err: error, groupId, eventId: event.id, attempts }, "event dead-lettered");
      return "dead-lettered";
    }
  };

  const consumeBatch = async (messages: ConsumedMessage[], ctx: BatchContext) => {
    const events: ReceivedEvent[] = [];
    const messageOf = new Map<ReceivedEvent, ConsumedMessage>();
    const seen = new Set<string>();
    let deadLettered = 0;
    let duplicates = 0;
    for (const message of messages) {
      let problem: string | null;
      let event: ReceivedEvent | null = null;
      try {
        event = fromRecord(message);
        problem = (options.validate ?? validateContractEvent)(event);
      } catch (error) {
        if (!(error instanceof MalformedEventError)) throw error;
        problem = error.message;
      }
      if (problem !== null || event === null) {
        await deadLetter(log, groupId, message, {
          error: problem ?? "malformed",
          errorType: "validation",
          attempts: 0,
        });
        deadLettered++;
      } else if (seen.has(event.id)) {
        duplicates++; // the same event twice in one batch (a relay resend): the first one counts
      } else {
        seen.add(event.id);
        events.push(event);
        messageOf.set(event, message);
      }
    }
    // Whole batch in one transaction; when an effect fails, the events before it are applied
    // (in order) and the failing one is retried alone, so per-key order holds and "N tries" is exact.
    // The whole batch in one transaction. When it fails at a known event, the events before it
    // are applied (in order) and that one is retried alone, so per-key order holds and "N tries"
    // is exact; when it is not known which event failed (a batch effect, the commit), the batch
    // is halved until the failing event stands alone.
    let processed = 0;
    let start = 0;
    let end = events.length;
    let failing = null as { index: number; error: unknown } | null;
    while (start < events.length) {
      if (failing?.index === start) {
        const event = events[start]!;
        logger.info(
          { err: failing.error, groupId, eventId: event.id },
          "effect failed; retrying the event alone",
        );
        const outcome = await retryAlone(event, messageOf.get(event)!, 1, failing.error, ctx);
        if (outcome === "applied") processed++;
        else deadLettered++;
        failing = null;
        start++;
        end = events.length;
        continue;
      }
      const result = await runBatch(events.slice(start, end), ctx);
      if (result.ok) {
        processed += result.applied;
        duplicates += end - start - result.applied;
        start = end;
        end = failing?.index ?? events.length;
        continue;
      }
      if (isInfra(result.error)) throw result.error;
      if (result.committed) {
        // The events before the failing one are committed: count them, retry the failing one alone.
        processed += result.committed.applied;
        duplicates += result.committed.count - result.committed.applied;
        start += result.committed.count;
        failing = { index: start, error: result.error };
        end = start;
        continue;
      }
      if (result.failedAt >= 0 || end - start === 1) {
        failing = { index: start + Math.max(0, result.failedAt), error: result.error };
        end = failing.index;
      } else {
        end = start + Math.floor((end - start) / 2);
      }
    }
    return { processed, duplicates, deadLettered };
  };

  return log.consume(
    {
      groupId,
      topics: options.topics,
      fromBeginning: options.fromBeginning,
      maxBatchSize: options.maxBatchSize ?? 2_000,
      // Each partition's batches in their own transactions, several partitions at once.
      partitionsConcurrently: options.partitionsConcurrently ?? 3,
      onAssigned: options.onAssigned,
    },
    async (batch, ctx) => {
      const info = await consumeBatch(batch.messages, ctx);
      options.onBatch?.(info);
    },
  );
}
