import { sql } from "drizzle-orm";
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/** A stored HTTP response: what a repeated idempotent request gets back. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Events waiting to be published, written in the transaction of the state change they describe.
 * `id` order is publish order; `headers` are the CloudEvents binary-mode headers, `payload` the JSON data.
 */
export const outbox = pgTable("outbox", {
  id: bigserial("id", { mode: "bigint" }).primaryKey(),
  eventId: uuid("event_id").notNull().unique(),
  topic: text("topic").notNull(),
  key: text("key").notNull(),
  type: text("type").notNull(),
  headers: jsonb("headers").$type<Record<string, string>>().notNull(),
  payload: text("payload").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Events a consumer group has applied, recorded in the transaction of their effect. */
export const processedEvents = pgTable(
  "processed_events",
  {
    groupId: text("group_id").notNull(),
    eventId: text("event_id").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    offset: text("offset").notNull(),
    processedAt: timestamp("processed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.eventId] })],
);

/** Idempotency-Key reservations and the responses they produced. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").primaryKey(),
    fingerprint: text("fingerprint").notNull(),
    /** Token of the request holding the claim: only it may complete or release it. */
    owner: text("owner").notNull().default(""),
    state: text("state", { enum: ["in-progress", "completed"] }).notNull(),
    response: jsonb("response").$type<StoredResponse>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    check("idempotency_keys_state_check", sql`${t.state} IN ('in-progress', 'completed')`),
    check("idempotency_keys_response_check", sql`${t.state} = 'in-progress' OR ${t.response} IS NOT NULL`),
    index("idempotency_keys_expires_at_idx").on(t.expiresAt),
  ],
);
