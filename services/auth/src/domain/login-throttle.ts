import type { Database } from "@carebridge/db";
import { tooManyRequests } from "@carebridge/http";
import { sql } from "drizzle-orm";
import { loginFailures } from "../db/schema.ts";

/** One sliding window: at most `limit` failures within `windowSeconds`. */
export interface ThrottleWindow {
  limit: number;
  windowSeconds: number;
}

/** Limits on failed sign-ins per account (email) and per client address. */
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
 * Sliding-window log over `login_failures`. Refused (429) attempts are not recorded, so an attacker
 * hammering an account cannot extend its lock: it lifts at most one window after the last counted
 * failure. Count-then-insert is not atomic; concurrent attempts can overshoot a limit slightly.
 */
export function createLoginThrottle(
  database: Database,
  options: ThrottleOptions = DEFAULT_THROTTLE,
): LoginThrottle {
  const state = async (column: "email" | "ip", value: string, window: ThrottleWindow) => {
    const seconds = window.windowSeconds;
    const [row] = await database.query<WindowState>(sql`
      SELECT count(*)::int AS n,
             ceil(extract(epoch FROM min(at) + make_interval(secs => ${seconds}) - now()))::int AS retry_after
        FROM login_failures
       WHERE ${sql.identifier(column)} = ${value} AND at > now() - make_interval(secs => ${seconds})`);
    return { count: Number(row?.n ?? 0), retryAfter: Math.max(1, Number(row?.retry_after ?? 1)) };
  };

  return {
    async check(email, ip) {
      const [account, address] = await Promise.all([
        state("email", email, options.account),
        ip ? state("ip", ip, options.address) : Promise.resolve({ count: 0, retryAfter: 1 }),
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
