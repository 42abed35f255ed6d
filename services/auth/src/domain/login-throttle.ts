import type { Database } from "@carebridge/db";
import { tooManyRequests } from "@carebridge/http";
import { type SQL, sql } from "drizzle-orm";
import { loginFailures } from "../db/schema.ts";

/** One sliding window: at most `limit` failures within `windowSeconds`. */
export interface ThrottleWindow {
  limit: number;
  windowSeconds: number;
}

/**
 * Limits on failed sign-ins per account (counted per client address, so an attacker cannot lock
 * the owner out) and per client address (across all accounts: credential stuffing).
 */
export interface ThrottleOptions {
  account: ThrottleWindow;
  address: ThrottleWindow;
}

/** Defaults: 10 failures per account per 15 minutes, 50 per address per 15 minutes. */
export const DEFAULT_THROTTLE: ThrottleOptions = {
  account: { limit: 10, windowSeconds: 900 },
  address: { limit: 50, windowSeconds: 900 },
};

/** Checks and records failed sign-ins in PostgreSQL, so every replica shares the windows. */
export interface LoginThrottle {
  /** Throws 429 with Retry-After when the account or the address is past its limit. */
  check(email: string, ip: string | null): Promise<void>;
  /** Records a failure. Successes record nothing and erase nothing. */
  fail(email: string, ip: string | null): Promise<void>;
}

interface WindowState extends Record<string, unknown> {
  n: number;
  retry_after: number | null;
}

/**
 * Sliding-window log over `login_failures`. An account's failures count per client address, so
 * guessing from one address locks that address out of the account (and, past the address limit,
 * out of every account), while the owner signing in from their own address is never locked out by
 * someone else. Refused (429) attempts are not recorded, so hammering cannot extend a lock: it
 * lifts at most one window after the last counted failure. Count-then-insert is not atomic;
 * concurrent attempts can overshoot a limit slightly.
 */
export function createLoginThrottle(
  database: Database,
  options: ThrottleOptions = DEFAULT_THROTTLE,
): LoginThrottle {
  const state = async (where: SQL, window: ThrottleWindow) => {
    const seconds = window.windowSeconds;
    const [row] = await database.query<WindowState>(sql`
      SELECT count(*)::int AS n,
             ceil(extract(epoch FROM min(at) + make_interval(secs => ${seconds}) - now()))::int AS retry_after
        FROM login_failures
       WHERE ${where} AND at > now() - make_interval(secs => ${seconds})`);
    return { count: Number(row?.n ?? 0), retryAfter: Math.max(1, Number(row?.retry_after ?? 1)) };
  };

  return {
    async check(email, ip) {
      const [account, address] = await Promise.all([
        // The account's failures from this address only: failures from an attacker's address lock
        // the account for that address, never for the owner signing in from elsewhere.
        state(sql`email = ${email} AND ip IS NOT DISTINCT FROM ${ip}`, options.account),
        ip ? state(sql`ip = ${ip}`, options.address) : Promise.resolve({ count: 0, retryAfter: 1 }),
      ]);
      const blocked = [
        account.count >= options.account.limit ? account.retryAfter : 0,
        address.count >= options.address.limit ? address.retryAfter : 0,
      ].filter((s) => s > 0);
      if (blocked.length > 0) {
        throw tooManyRequests(Math.max(...blocked), "Too many failed sign-ins; try again later.");
      }
    },
    async fail(email, ip) {
      await database.db.insert(loginFailures).values({ email, ip });
    },
  };
}
