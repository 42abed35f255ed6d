import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import {
  isExclusionViolation,
  isSerializationFailure,
  isUniqueViolation,
  pgErrorCode,
  pgErrorConstraint,
} from "./pg-errors.ts";
import { outbox } from "./platform-schema.ts";
import { KINDS, type OpenedDatabase, openDatabase } from "./testing/databases.ts";
import type { Database } from "./types.ts";

const caught = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
};

for (const kind of KINDS) {
  describe(`PostgreSQL errors over ${kind}`, () => {
    let opened: OpenedDatabase;
    let database: Database;
    beforeAll(async () => {
      opened = await openDatabase(kind);
      database = opened.database;
      await database.query(sql`CREATE TABLE bookings (
        room text NOT NULL,
        during tstzrange NOT NULL,
        CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)
      )`);
    });
    afterAll(() => opened?.drop());

    test("a duplicate key is a unique violation, from drizzle, raw SQL and inside a transaction", async () => {
      const row = {
        eventId: crypto.randomUUID(),
        topic: "t",
        key: "k",
        type: "x.happened",
        headers: {},
        payload: "{}",
      };
      await database.db.insert(outbox).values(row);
      const fromBuilder = await caught(database.db.insert(outbox).values(row));
      const fromRaw = await caught(
        database.query(sql`INSERT INTO outbox (event_id, topic, key, type, headers, payload)
          VALUES (${row.eventId}, 't', 'k', 'x', '{}', '{}')`),
      );
      const fromTx = await caught(database.transaction((tx) => tx.insert(outbox).values(row)));
      for (const error of [fromBuilder, fromRaw, fromTx]) {
        expect(isUniqueViolation(error)).toBe(true);
        expect(isExclusionViolation(error)).toBe(false);
        expect(pgErrorConstraint(error)).toBe("outbox_event_id_unique");
      }
    });

    test("an overlapping range in an EXCLUDE USING gist (room WITH =, during WITH &&) is an exclusion violation", async () => {
      const book = (room: string, from: string, to: string) =>
        database.query(
          sql`INSERT INTO bookings VALUES (${room}, tstzrange(${from}::timestamptz, ${to}::timestamptz))`,
        );
      await book("a", "2026-11-23T09:00:00Z", "2026-11-23T09:30:00Z");
      await book("a", "2026-11-23T09:30:00Z", "2026-11-23T10:00:00Z"); // adjacent: [) ranges do not overlap
      await book("b", "2026-11-23T09:00:00Z", "2026-11-23T09:30:00Z"); // another room
      const error = await caught(book("a", "2026-11-23T09:15:00Z", "2026-11-23T09:45:00Z"));
      expect(isExclusionViolation(error)).toBe(true);
      expect(isUniqueViolation(error)).toBe(false);
      expect(pgErrorCode(error)).toBe("23P01");
      expect(pgErrorConstraint(error)).toBe("bookings_no_overlap");
    });

    test("other errors are neither", async () => {
      const error = await caught(database.query(sql`SELECT * FROM no_such_table`));
      expect(pgErrorCode(error)).toBe("42P01");
      expect(isUniqueViolation(error) || isExclusionViolation(error) || isSerializationFailure(error)).toBe(
        false,
      );
    });
  });
}

test("a serialization conflict between two SERIALIZABLE transactions is detected (server only)", async () => {
  const opened = await openDatabase("postgres");
  const { database } = opened;
  try {
    await database.query(sql`CREATE TABLE acct (id int PRIMARY KEY, n int NOT NULL)`);
    await database.query(sql`INSERT INTO acct VALUES (1, 0), (2, 0)`);
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => {
      let waiting = 2;
      bothRead = () => {
        if (--waiting === 0) resolve();
      };
    });
    // Each reads the other's row then writes its own: a write skew SERIALIZABLE must refuse.
    const skew = (mine: number, theirs: number) =>
      database.transaction(
        async (tx) => {
          await database.query(sql`SELECT n FROM acct WHERE id = ${theirs}`, tx);
          bothRead();
          await barrier;
          await database.query(sql`UPDATE acct SET n = n + 1 WHERE id = ${mine}`, tx);
        },
        { isolationLevel: "serializable" },
      );
    const results = await Promise.allSettled([skew(1, 2), skew(2, 1)]);
    const failures = results.filter((r) => r.status === "rejected");
    expect(failures).toHaveLength(1);
    expect(isSerializationFailure((failures[0] as PromiseRejectedResult).reason)).toBe(true);
  } finally {
    await opened.drop();
  }
});
