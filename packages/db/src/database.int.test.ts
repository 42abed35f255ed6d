import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql, TransactionRollbackError } from "drizzle-orm";
import { connectPostgres } from "./connect-postgres.ts";
import { migratePlatform } from "./migrate-platform.ts";
import { outbox } from "./platform-schema.ts";
import { KINDS, type OpenedDatabase, openDatabase } from "./testing/databases.ts";
import { platformMigrationCount } from "./testing/migration-count.ts";
import type { Database } from "./types.ts";

const outboxRow = (topic = "test") => ({
  eventId: crypto.randomUUID(),
  topic,
  key: "k-1",
  type: "test.happened",
  headers: { ce_id: "x", "content-type": "application/json" },
  payload: '{"n":1}',
});

const countOutbox = async (database: Database, topic: string) => {
  const [row] = await database.query<{ c: number }>(
    sql`SELECT count(*)::int AS c FROM outbox WHERE topic = ${topic}`,
  );
  return row?.c;
};

for (const kind of KINDS) {
  describe(`database over ${kind}`, () => {
    let opened: OpenedDatabase;
    let database: Database;
    beforeAll(async () => {
      opened = await openDatabase(kind);
      database = opened.database;
    });
    afterAll(() => opened?.drop());

    test("platform migrations apply to an empty database, idempotently, tracked in __platform_migrations", async () => {
      const fresh = await openDatabase(kind, { migrate: false });
      try {
        await Promise.all([migratePlatform(fresh.database), migratePlatform(fresh.database)]);
        await migratePlatform(fresh.database);
        if (fresh.url) {
          // Another pool (another replica) migrating the same database waits for the advisory lock.
          const other = await connectPostgres(fresh.url, { max: 2 });
          await Promise.all([migratePlatform(other), migratePlatform(fresh.database)]);
          await other.close();
        }
        const applied = await fresh.database.query<{ hash: string }>(
          sql`SELECT hash FROM drizzle.__platform_migrations`,
        );
        expect(applied).toHaveLength(platformMigrationCount());
        const tables = await fresh.database.query<{ name: string }>(
          sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
        );
        expect(tables.map((t) => t.name)).toEqual(["idempotency_keys", "outbox", "processed_events"]);
        const [gist] = await fresh.database.query(
          sql`SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'`,
        );
        expect(gist).toBeDefined();
      } finally {
        await fresh.drop();
      }
    });

    test("query returns plain rows: int8 as string, jsonb as object, timestamptz as a UTC string", async () => {
      const row = outboxRow("rows");
      await database.db.insert(outbox).values(row);
      const rows = await database.query<{ id: string; headers: unknown; created_at: string; n: number }>(
        sql`SELECT id, headers, created_at, 7::int AS n FROM outbox WHERE event_id = ${row.eventId}`,
      );
      expect(Array.isArray(rows) && rows.constructor === Array).toBe(true);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toMatch(/^\d+$/);
      expect(rows[0]!.headers).toEqual(row.headers);
      expect(rows[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
      expect(rows[0]!.n).toBe(7);
      const [typed] = await database.db.select().from(outbox).where(sql`${outbox.eventId} = ${row.eventId}`);
      expect(typeof typed!.id).toBe("bigint");
      expect(typed!.createdAt).toBeInstanceOf(Date);
    });

    test("a transaction commits on return and passes the value through", async () => {
      const value = await database.transaction(async (tx) => {
        await tx.insert(outbox).values([outboxRow("commit"), outboxRow("commit")]);
        expect(await database.query(sql`SELECT 1 FROM outbox WHERE topic = 'commit'`, tx)).toHaveLength(2);
        return 42;
      });
      expect(value).toBe(42);
      expect(await countOutbox(database, "commit")).toBe(2);
    });

    test("a transaction rolls back on throw and on tx.rollback(); a failed savepoint keeps the outer work", async () => {
      const boom = new Error("boom");
      await expect(
        database.transaction(async (tx) => {
          await tx.insert(outbox).values(outboxRow("rollback"));
          throw boom;
        }),
      ).rejects.toBe(boom);
      await expect(
        database.transaction(async (tx) => {
          await database.query(
            sql`INSERT INTO outbox (event_id, topic, key, type, headers, payload)
            VALUES (${crypto.randomUUID()}, 'rollback', 'k', 't', '{}', '{}')`,
            tx,
          );
          tx.rollback();
        }),
      ).rejects.toBeInstanceOf(TransactionRollbackError);
      expect(await countOutbox(database, "rollback")).toBe(0);

      await database.transaction(async (tx) => {
        await tx.insert(outbox).values(outboxRow("savepoint"));
        await tx
          .transaction(async (inner) => {
            await inner.insert(outbox).values(outboxRow("savepoint"));
            throw boom;
          })
          .catch(() => {});
      });
      expect(await countOutbox(database, "savepoint")).toBe(1);
    });

    test("the isolation level applies to the transaction; READ COMMITTED by default", async () => {
      const level = (opts?: Parameters<Database["transaction"]>[1]) =>
        database.transaction(async (tx) => {
          const [row] = await database.query<{ level: string }>(
            sql`SELECT current_setting('transaction_isolation') AS level`,
            tx,
          );
          return row?.level;
        }, opts);
      expect(await level()).toBe("read committed");
      expect(await level({ isolationLevel: "repeatable read" })).toBe("repeatable read");
      expect(await level({ isolationLevel: "serializable" })).toBe("serializable");
    });

    test("20 concurrent read-modify-write transactions all count", async () => {
      await database.query(sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`);
      await database.query(sql`INSERT INTO counter VALUES (1, 0)`);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          database.transaction(async (tx) => {
            const [row] = await database.query<{ n: number }>(
              sql`SELECT n FROM counter WHERE id = 1 FOR UPDATE`,
              tx,
            );
            await Bun.sleep(1); // room for another transaction to interleave, were they not isolated
            await database.query(sql`UPDATE counter SET n = ${row!.n + 1} WHERE id = 1`, tx);
          }),
        ),
      );
      const [row] = await database.query<{ n: number }>(sql`SELECT n FROM counter WHERE id = 1`);
      expect(row?.n).toBe(20);
    });

    test("a statement outside a transaction is not swallowed by a concurrent one that rolls back", async () => {
      let began!: () => void;
      const inside = new Promise<void>((resolve) => {
        began = resolve;
      });
      const failing = database.transaction(async (tx) => {
        await tx.insert(outbox).values(outboxRow("isolated-tx"));
        began();
        await Bun.sleep(30);
        throw new Error("roll it back");
      });
      await inside;
      await database.db.insert(outbox).values(outboxRow("isolated-outside"));
      await expect(failing).rejects.toThrow("roll it back");
      expect(await countOutbox(database, "isolated-tx")).toBe(0);
      expect(await countOutbox(database, "isolated-outside")).toBe(1);
    });
  });
}

test("REPEATABLE READ reads one snapshot while another connection commits (server only)", async () => {
  const opened = await openDatabase("postgres");
  const { database } = opened;
  try {
    const seen = await database.transaction(
      async (tx) => {
        const before = await database.query<{ c: number }>(sql`SELECT count(*)::int AS c FROM outbox`, tx);
        await database.db.insert(outbox).values(outboxRow("snapshot")); // another pool connection
        const after = await database.query<{ c: number }>(sql`SELECT count(*)::int AS c FROM outbox`, tx);
        return [before[0]?.c, after[0]?.c];
      },
      { isolationLevel: "repeatable read" },
    );
    expect(seen).toEqual([0, 0]);
    expect(await countOutbox(database, "snapshot")).toBe(1);
  } finally {
    await opened.drop();
  }
});
