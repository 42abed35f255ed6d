import { and, eq, gt, sql } from "drizzle-orm";
import { idempotencyKeys, type StoredResponse } from "./platform-schema.ts";
import type { Database } from "./types.ts";

/** What reserving an Idempotency-Key found. */
export type ReserveResult =
  | { state: "reserved"; owner: string }
  | { state: "in-progress"; fingerprint: string }
  | { state: "completed"; fingerprint: string; response: StoredResponse };

/** Storage of Idempotency-Key reservations; the http package declares the same port. */
export interface IdempotencyStore {
  /**
   * Claims `scope` for `leaseMs` (short: a request that dies frees the key soon), or reports who
   * holds it. An expired claim counts as absent. The returned owner token completes or releases it.
   */
  reserve(scope: string, fingerprint: string, leaseMs: number): Promise<ReserveResult>;
  /** Stores the response of the owner's live claim; repeats get it back for ttlMs from now. */
  complete(scope: string, owner: string, response: StoredResponse, ttlMs: number): Promise<void>;
  /** Drops the owner's in-progress claim (the request failed) so that a retry can run. */
  release(scope: string, owner: string): Promise<void>;
}

/** The idempotency store over the platform table `idempotency_keys`; expiry follows the database clock. */
export function pgIdempotencyStore(database: Database): IdempotencyStore {
  const { db } = database;
  const t = idempotencyKeys;
  return {
    async reserve(scope, fingerprint, leaseMs) {
      const expiresAt = sql`now() + ${leaseMs}::double precision * interval '1 millisecond'`;
      const owner = crypto.randomUUID();
      // A claim that is released or expires between the two statements sends us round again.
      for (let attempt = 0; attempt < 5; attempt++) {
        // Insert, or take over an expired row, in one statement: of two racing requests one wins.
        const claimed = await db
          .insert(t)
          .values({ scope, fingerprint, owner, state: "in-progress", expiresAt })
          .onConflictDoUpdate({
            target: t.scope,
            set: {
              fingerprint,
              owner,
              state: "in-progress",
              response: null,
              createdAt: sql`now()`,
              expiresAt,
            },
            setWhere: sql`${t.expiresAt} <= now()`,
          })
          .returning({ scope: t.scope });
        if (claimed.length > 0) return { state: "reserved", owner };
        const [row] = await db
          .select({ fingerprint: t.fingerprint, state: t.state, response: t.response })
          .from(t)
          .where(and(eq(t.scope, scope), gt(t.expiresAt, sql`now()`)));
        if (!row) continue;
        if (row.state === "completed" && row.response) {
          return { state: "completed", fingerprint: row.fingerprint, response: row.response };
        }
        return { state: "in-progress", fingerprint: row.fingerprint };
      }
      throw new Error(`idempotency key ${scope}: could not reserve or read it`);
    },
    async complete(scope, owner, response, ttlMs) {
      // Retention counts from completion. A claim that expired (and maybe went to another
      // request) is not ours any more: nothing is written.
      await db
        .update(t)
        .set({
          state: "completed",
          response,
          expiresAt: sql`now() + ${ttlMs}::double precision * interval '1 millisecond'`,
        })
        .where(
          and(
            eq(t.scope, scope),
            eq(t.owner, owner),
            eq(t.state, "in-progress"),
            gt(t.expiresAt, sql`now()`),
          ),
        );
    },
    async release(scope, owner) {
      await db.delete(t).where(and(eq(t.scope, scope), eq(t.owner, owner), eq(t.state, "in-progress")));
    },
  };
}
