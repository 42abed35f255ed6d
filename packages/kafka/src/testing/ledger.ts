import type { Database, Executor } from "@carebridge/db";
import { sql } from "drizzle-orm";
import type { OutgoingEvent, ReceivedEvent } from "../cloudevents.ts";
import type { OutboxEntry } from "../outbox.ts";

/** Data of the events the proofs use: the n-th event of a key. */
export interface Sequenced {
  key: string;
  n: number;
}

/** `keys × perKey` events for `topic`, ordered per key (n = 0, 1, …). */
export function sequencedEntries(
  topic: string,
  keys: number,
  perKey: number,
  keyPrefix = "k",
): OutboxEntry[] {
  return Array.from({ length: keys * perKey }, (_, i) => {
    const key = `${keyPrefix}-${i % keys}`;
    const event: OutgoingEvent = {
      id: Bun.randomUUIDv7(),
      source: "/carebridge/test",
      type: "test.sequenced",
      specversion: "1.0",
      time: new Date().toISOString(),
      subject: key,
      data: { key, n: Math.floor(i / keys) } satisfies Sequenced,
    };
    return { topic, key, event };
  });
}

export interface LedgerStats {
  /** Effects applied (a duplicate effect counts twice). */
  effects: number;
  /** Distinct events with an effect. */
  distinct: number;
  /** Keys whose effects did not come in n order. */
  outOfOrderKeys: string[];
}

/**
 * The consumer's ledger in the proofs: one row per effect applied, deliberately without a unique
 * constraint, so a duplicate effect would show up as an extra row.
 */
export function ledger(database: Database, table = `ledger_${crypto.randomUUID().slice(0, 8)}`) {
  const name = sql.raw(table);
  return {
    table,
    async create() {
      await database.query(
        sql`CREATE TABLE ${name} (seq bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, n int NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL)`,
      );
    },
    /** The effect: append one row, in the consumer's transaction. */
    async record(tx: Executor, event: ReceivedEvent) {
      const data = event.data as Sequenced;
      await database.query(
        sql`INSERT INTO ${name} (event_id, key, n, partition, "offset") VALUES (${event.id}, ${data.key}, ${data.n}, ${event.partition}, ${event.offset})`,
        tx,
      );
    },
    /** The same effect for many events: one multi-row insert. */
    async recordBatch(tx: Executor, events: ReceivedEvent[]) {
      if (events.length === 0) return;
      const rows = events.map((e, i) => ({
        ...(e.data as Sequenced),
        i,
        event_id: e.id,
        partition: e.partition,
        offset: e.offset,
      }));
      await database.query(
        sql`INSERT INTO ${name} (event_id, key, n, partition, "offset")
            SELECT event_id, key, n, partition, "offset"::bigint
            FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
              AS r(i int, event_id text, key text, n int, partition int, "offset" text)
            ORDER BY i`,
        tx,
      );
    },
    async distinct(): Promise<number> {
      const [row] = await database.query<{ c: number }>(
        sql`SELECT count(DISTINCT event_id)::int AS c FROM ${name}`,
      );
      return row!.c;
    },
    async stats(): Promise<LedgerStats> {
      const [counts] = await database.query<{ effects: number; distinct: number }>(
        sql`SELECT count(*)::int AS effects, count(DISTINCT event_id)::int AS distinct FROM ${name}`,
      );
      const rows = await database.query<{ key: string; n: number }>(
        sql`SELECT key, n FROM ${name} ORDER BY seq`,
      );
      const last = new Map<string, number>();
      const outOfOrder = new Set<string>();
      for (const { key, n } of rows) {
        if (n !== (last.get(key) ?? -1) + 1) outOfOrder.add(key);
        last.set(key, n);
      }
      return { effects: counts!.effects, distinct: counts!.distinct, outOfOrderKeys: [...outOfOrder] };
    },
  };
}
