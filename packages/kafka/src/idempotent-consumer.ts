import { type Database, processedEvents, type Tx } from "@carebridge/db";
import { type EventAttributes, fromRecord, MalformedEventError, type ReceivedEvent } from "./cloudevents.ts";
import { DLQ_HEADERS, deadLetter, REDRIVE_GROUP_HEADER } from "./dlq.ts";
import type { Logger } from "./logger.ts";
import type { BatchContext, ConsumedMessage, ConsumerHandle, EventLog } from "./port.ts";
import { backoffDelay, sleep } from "./retry.ts";

/** The effect of one event, run inside the transaction that records the event as processed. */
export type EventEffect = (tx: Tx, event: ReceivedEvent) => Promise<void>;

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
  handle: EventEffect;
  /**
   * Checks an event before its effect runs (e.g. the contract's schema for its type). Return an
   * error message to dead-letter it without retries, or null when it is fine.
   */
  validate?: (event: EventAttributes & { data: unknown }) => string | null;
  /** Tries per event before it goes to the DLQ. Default 5. */
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  fromBeginning?: boolean;
  maxBatchSize?: number;
  /** Called after every committed batch (metrics, tests). */
  onBatch?: (info: { processed: number; duplicates: number; deadLettered: number }) => void;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * Errors from the platform's own infrastructure (database unreachable or shutting down): the event
 * is not at fault, so it must not be dead-lettered. The batch is redelivered until it works.
 */
export function isInfrastructureError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error || (e && typeof e === "object"); ) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (
      CONNECTION_CODES.has(code) ||
      code.startsWith("08") ||
      code.startsWith("53") ||
      code.startsWith("57P")
    ) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
    if (!e) break;
  }
  return false;
}

/**
 * Consumes topics with exactly-once effects: each event's id is recorded in `processed_events`
 * in the same transaction as its effect, so redelivery (crash, rebalance, relay resend) has no
 * second effect. A batch runs in one transaction; if that fails, its events run one by one with
 * retries and backoff, and an event that still fails goes to `<topic>.dlq` with the error while
 * the rest of the partition flows on.
 */
export async function startIdempotentConsumer(options: IdempotentConsumerOptions): Promise<ConsumerHandle> {
  const { groupId, log, database, logger, handle } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 100, maxMs: 5_000 };

  const insertProcessed = (tx: Tx, events: ReceivedEvent[]) =>
    tx
      .insert(processedEvents)
      .values(
        events.map((e) => ({
          groupId,
          eventId: e.id,
          topic: e.topic,
          partition: e.partition,
          offset: e.offset,
        })),
      )
      .onConflictDoNothing()
      .returning({ eventId: processedEvents.eventId });

  /** Fast path: dedupe and every effect in one transaction. Returns the number of effects run. */
  const runBatch = (events: ReceivedEvent[]) =>
    database.transaction(async (tx) => {
      const unique = [...new Map(events.map((e) => [e.id, e])).values()];
      const fresh = new Set((await insertProcessed(tx, unique)).map((r) => r.eventId));
      for (const event of unique) if (fresh.has(event.id)) await handle(tx, event);
      return fresh.size;
    });

  /** Slow path for one event: true when its effect ran, false when it was a duplicate. */
  const runOne = (event: ReceivedEvent) =>
    database.transaction(async (tx) => {
      const fresh = await insertProcessed(tx, [event]);
      if (fresh.length === 0) return false;
      await handle(tx, event);
      return true;
    });

  const handleBatch = async (messages: ConsumedMessage[], ctx: BatchContext) => {
    const events: ReceivedEvent[] = [];
    let deadLettered = 0;
    for (const message of messages) {
      const target = message.headers[REDRIVE_GROUP_HEADER];
      if (target !== undefined && target !== groupId) continue; // re-driven for another group
      let problem: string | null;
      let event: ReceivedEvent | null = null;
      try {
        event = fromRecord(message);
        problem = options.validate?.(event) ?? null;
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
      } else {
        events.push(event);
      }
    }
    if (events.length === 0) return { processed: 0, duplicates: 0, deadLettered };
    try {
      const processed = await runBatch(events);
      return { processed, duplicates: events.length - processed, deadLettered };
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      logger.info(
        { err: error, groupId, count: events.length },
        "batch failed; processing its events one by one",
      );
    }
    let processed = 0;
    for (const event of events) {
      for (let attempt = 1; ; attempt++) {
        try {
          if (await runOne(event)) processed++;
          break;
        } catch (error) {
          if (isInfrastructureError(error)) throw error;
          const poison = error instanceof PoisonEventError;
          if (poison || attempt >= maxAttempts || !ctx.isActive()) {
            if (!ctx.isActive() && !poison && attempt < maxAttempts) throw error; // revoked: let the next owner retry
            const message = messages.find(
              (m) => m.offset === event.offset && m.partition === event.partition,
            )!;
            await deadLetter(log, groupId, message, {
              error: (error as Error)?.message ?? String(error),
              errorType: (error as Error)?.name ?? "Error",
              attempts: attempt,
            });
            logger.warn({ err: error, groupId, eventId: event.id, attempts: attempt }, "event dead-lettered");
            deadLettered++;
            break;
          }
          await sleep(backoffDelay(attempt, backoff));
          await ctx.heartbeat();
        }
      }
    }
    return { processed, duplicates: events.length - processed - deadLettered, deadLettered };
  };

  return log.consume(
    {
      groupId,
      topics: options.topics,
      fromBeginning: options.fromBeginning,
      maxBatchSize: options.maxBatchSize,
    },
    async (batch, ctx) => {
      const info = await handleBatch(batch.messages, ctx);
      options.onBatch?.(info);
    },
  );
}

export { DLQ_HEADERS };
