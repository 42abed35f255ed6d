import type { Executor } from "@carebridge/db";
import { unauthorized } from "@carebridge/http";
import { recordAudit } from "../db/audit.ts";
import {
  findRefreshToken,
  insertRefreshToken,
  revokeFamily,
  spendRefreshToken,
} from "../db/refresh-token-queries.ts";
import { findUserById, type PublicUser } from "../db/user-queries.ts";
import type { AuthDeps } from "../deps.ts";
import { signAccessToken } from "./access-token.ts";
import { hashRefreshToken, newRefreshToken, REFRESH_TOKEN_TTL_MS } from "./refresh-token.ts";

/** An access token and a refresh token. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/**
 * Starts a new refresh-token family for the user (in the caller's transaction); returns the token.
 * Sign the access token with {@link completeSession} after the commit: key loading must not run
 * inside an open transaction (PGlite has a single connection).
 */
export async function startSession(db: Executor, user: PublicUser): Promise<string> {
  const refreshToken = newRefreshToken();
  await insertRefreshToken(db, {
    tokenHash: hashRefreshToken(refreshToken),
    familyId: crypto.randomUUID(),
    userId: user.id,
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
  });
  return refreshToken;
}

/** Signs the access token that goes with a refresh token. */
export async function completeSession(
  deps: AuthDeps,
  user: PublicUser,
  refreshToken: string,
): Promise<TokenPair> {
  return { accessToken: await signAccessToken(deps.keys, deps.claims, user), refreshToken };
}

const invalidRefresh = () =>
  unauthorized("The refresh token is invalid, expired or already used.", { code: "invalid-refresh-token" });

/**
 * Spends a refresh token and returns a new pair in the same family (same absolute expiry). A
 * token that was already spent means it leaked: the whole family is revoked (committed) and 401.
 */
export async function rotateSession(
  deps: AuthDeps,
  refreshToken: string,
  ip: string | null,
): Promise<TokenPair> {
  const tokenHash = hashRefreshToken(refreshToken);
  const outcome = await deps.database.transaction(async (tx) => {
    const spent = await spendRefreshToken(tx, tokenHash);
    if (!spent) {
      const stored = await findRefreshToken(tx, tokenHash);
      if (stored?.usedAt && !stored.revokedAt) {
        const revoked = await revokeFamily(tx, stored.familyId);
        await recordAudit(tx, {
          action: "token.reuse-detected",
          userId: stored.userId,
          ip,
          detail: { familyId: stored.familyId, revoked },
        });
      }
      return undefined;
    }
    const user = await findUserById(tx, spent.userId);
    if (!user) return undefined;
    const next = newRefreshToken();
    await insertRefreshToken(tx, {
      tokenHash: hashRefreshToken(next),
      familyId: spent.familyId,
      userId: user.id,
      expiresAt: spent.expiresAt,
    });
    await recordAudit(tx, {
      action: "token.refreshed",
      userId: user.id,
      ip,
      detail: { familyId: spent.familyId },
    });
    return { user, refreshToken: next };
  });
  if (!outcome) throw invalidRefresh();
  const accessToken = await signAccessToken(deps.keys, deps.claims, outcome.user);
  return { accessToken, refreshToken: outcome.refreshToken };
}

/** Revokes the token's family (sign-out); unknown tokens are ignored. */
export async function endSession(deps: AuthDeps, refreshToken: string): Promise<void> {
  const stored = await findRefreshToken(deps.database.db, hashRefreshToken(refreshToken));
  if (stored) await revokeFamily(deps.database.db, stored.familyId);
}
