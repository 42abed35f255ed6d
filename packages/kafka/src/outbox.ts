import { type CloudEvent, EVENT_TYPES, isEventType, keyOf } from "@carebridge/contracts";
import type { Database, Executor } from "@carebridge/db";
import { sql } from "drizzle-orm";
import { type OutgoingEvent, toRecord } from "./cloudevents.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { startPollLoop } from "./poll-loop.ts";
import type { EventLog } from "./port.ts";
import { sleep } from "./retry.ts";

/** One event bound for a topic under a key (the aggregate id). */
export interface OutboxEntry {
  topic: string;
  key: string;
  event: OutgoingEvent;
}

/** Seed of the key-lock hash (keeps key locks apart from other advisory locks). */
const KEY_LOCK_SEED = 0x0cb0_0b0c;

/**
 * Writes events to the outbox. Call it with the transaction that makes the state change, so
 * the change and its events commit (or roll back) together; call it once per transaction.
 */
export async function enqueue(tx: Executor, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Per-key order = commit order: a second transaction writing the same key waits here until
  // the first commits, so its rows get later ids (ids are handed out at insert, not at commit).
  // Keys are locked in sorted order, so two writers of the same keys cannot deadlock.
  const keys = [...new Set(entries.map((e) => `${e.topic}/${e.key}`))].sort();
  // One JSON parameter per statement rather than one per key and five per row: for a batch of
  // thousands of events (a consumer's batch effect) this is ~3× faster and never hits the
  // 65 535-parameter limit. Rows are inserted in `entries` order, so ids follow it.
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(k, ${KEY_LOCK_SEED}))
        FROM jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) AS k ORDER BY k`,
  );
  const rows = entries.map(({ topic, key, event }, i) => {
    const record = toRecord(topic, key, event);
    return {
      i,
      event_id: event.id,
      topic,
      key,
      type: event.type,
      headers: record.headers,
      payload: record.value,
    };
  });
  await tx.execute(
    sql`INSERT INTO outbox (event_id, topic, key, type, headers, payload)
        SELECT r.event_id, r.topic, r.key, r.type, r.headers, r.payload
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS r(i int, event_id uuid, topic text, key text, type text, headers jsonb, payload text)
        ORDER BY r.i`,
  );
}

/**
 * Writes contract events (built with `makeEvent`) to the outbox; each goes to its type's topic,
 * keyed by its aggregate id, as the contract's registry says.
 */
export async function enqueueEvents(tx: Executor, events: CloudEvent[]): Promise<void> {
  await enqueue(
    tx,
    events.map((event) => {
      if (!isEventType(event.type)) throw new Error(`not a contract event type: ${event.type}`);
      const topic = EVENT_TYPES[event.type].topic;
      // biome-ignore lint/suspicious/noExplicitAny: the registry pairs each type with its data; makeEvent validated it
      return { topic, key: keyOf(event.type, event.data as any), event };
    }),
  );
}

export interface OutboxRelayOptions {
  database: Database;
  log: EventLog;
  logger: Logger;
  /** Rows published per transaction. Default 500. */
  batchSize?: number;
  /** Wait when the outbox is empty. Default 25 ms. */
  pollIntervalMs?: number;
  /** Called after each published batch with its size (metrics, tests). */
  onPublished?: (count: number) => void;
  /** Advisory lock (class, id): one relay per database publishes at a time, which keeps per-key order. */
  lockId?: number;
}

export interface OutboxRelay {
  /** Publishes until the outbox is empty; returns rows this call published. */
  drain(): Promise<number>;
  stop(): Promise<void>;
  /** Rows published since start. */
  readonly published: number;
}

interface Row extends Record<string, unknown> {
  row_id: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: string;
}

/** The relay's advisory lock lives in the two-int key space (class, id), apart from key locks. */
const RELAY_LOCK_CLASS = 0x0cb0;
const DEFAULT_LOCK_ID = 1;

/**
 * Starts the relay: in one transaction it takes the relay lock, deletes the oldest rows
 * (returning them), sends them with acks=all and commits. A crash anywhere before the commit
 * leaves the rows in place, so they are sent again (at-least-once; consumers dedupe by event id)
 * and never lost.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, log, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 25;
  const lockId = options.lockId ?? DEFAULT_LOCK_ID;
  let running = true;
  let published = 0;

  /** Returns rows published, or -1 when another relay holds the lock. */
  const publishBatch = () =>
    database.transaction(async (tx) => {
      const [lock] = await database.query<{ locked: boolean }>(
        sql`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_CLASS}::int, ${lockId}::int) AS locked`,
        tx,
      );
      if (!lock?.locked) return -1;
      // Claim the oldest rows in one statement; they come back only if the transaction rolls back.
      const claimed = await database.query<Row>(
        sql`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ${batchSize})
            RETURNING id::text AS row_id, topic, key, headers, payload`,
        tx,
      );
      if (claimed.length === 0) return 0;
      // RETURNING has no order: publish in id order (numerically; "10" sorts before "9" as text).
      const rows = claimed.sort((a, b) => (BigInt(a.row_id) < BigInt(b.row_id) ? -1 : 1));
      await log.send(rows.map((r) => ({ topic: r.topic, key: r.key, value: r.payload, headers: r.headers })));
      return rows.length;
    });

  const drain = async () => {
    let total = 0;
    for (;;) {
      const n = await publishBatch();
      if (n === -1) {
        if (!running) return total;
        await sleep(Math.min(pollIntervalMs, 100)); // another relay is publishing: wait for it
        continue;
      }
      total += n;
      published += n;
      if (n > 0) options.onPublished?.(n);
      if (n < batchSize) return total;
    }
  };

  const loop = startPollLoop({ pass: drain, idleMs: pollIntervalMs, logger, name: "outbox relay" });

  return {
    drain,
    async stop() {
      running = false;
      await loop.stop();
    },
    get published() {
      return published;
    },
  };
}

/** Publishes what is in the outbox now, then stops; returns how many it published (scripts, tests, benchmarks). */
export async function drainOnce(database: Database, log: EventLog, batchSize = 500): Promise<number> {
  const relay = startOutboxRelay({ database, log, logger: silentLogger, batchSize });
  try {
    await relay.drain();
  } finally {
    await relay.stop();
  }
  return relay.published;
}
