import type { Executor } from "@carebridge/db";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { refreshTokens } from "./schema.ts";

/** A refresh token row to store (the hash, never the token). */
export interface NewRefreshToken {
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
}

/** Stores a refresh token. */
export async function insertRefreshToken(db: Executor, token: NewRefreshToken): Promise<void> {
  await db.insert(refreshTokens).values({ id: Bun.randomUUIDv7(), ...token });
}

/**
 * Marks a live token spent, atomically: of two concurrent callers only one gets the row back (the
 * other's UPDATE waits on the row lock, then no longer matches `used_at IS NULL`).
 */
export async function spendRefreshToken(db: Executor, tokenHash: string) {
  const [row] = await db
    .update(refreshTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.usedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({
      userId: refreshTokens.userId,
      familyId: refreshTokens.familyId,
      expiresAt: refreshTokens.expiresAt,
    });
  return row;
}

/** The stored token with this hash, whatever its state. */
export async function findRefreshToken(db: Executor, tokenHash: string) {
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return row;
}

/** Revokes every live token of a family; returns how many. */
export async function revokeFamily(db: Executor, familyId: string): Promise<number> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length;
}
