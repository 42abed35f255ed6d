import type { Database } from "@carebridge/db";
import { findUserById, type PublicUser } from "../db/user-queries.ts";

/** Reads users for GET /me through a short-lived cache. */
export interface UserCache {
  get(id: string): Promise<PublicUser | undefined>;
}

/**
 * `GET /me` is called on every page load; the access token it rides on is already a 15-minute
 * snapshot of the identity that every service trusts. Serving the profile from a cache for a few
 * seconds (default 5 s, 10,000 users, per process) adds nothing to that staleness and keeps PII out
 * of the token. Unknown users are not cached, so a new account is visible at once.
 */
export function createUserCache(
  database: Database,
  options: { ttlMs?: number; maxEntries?: number } = {},
): UserCache {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { user: PublicUser; until: number }>();
  return {
    async get(id) {
      const hit = entries.get(id);
      if (hit && hit.until > Date.now()) return hit.user;
      entries.delete(id);
      const user = await findUserById(database.db, id);
      if (user && ttlMs > 0) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(id, { user, until: Date.now() + ttlMs });
      }
      return user;
    },
  };
}
