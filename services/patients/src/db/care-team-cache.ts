/** Whether a doctor is on a patient's care team (see `isCareTeam`). */
export interface CareTeamCheck {
  isCareTeam(doctorId: string, patientId: string): Promise<boolean>;
  /**
   * Forgets what is cached for the pair (called after this process commits a care-link change), so
   * the next check reads DynamoDB; a read in flight since before the call is not cached either.
   */
  invalidate(doctorId: string, patientId: string): void;
}

/** Options of {@link cachedCareTeam}. */
export interface CareTeamCacheOptions {
  /** How long a grant read from DynamoDB is reused, counted from when that read started (≤ 5 s). */
  ttlMs?: number;
  /** Grants kept at most; the oldest go first. */
  maxEntries?: number;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

/** The longest staleness allowed for a care-team grant (the same bound as auth's /me cache). */
export const MAX_CARE_TEAM_TTL_MS = 5_000;

/**
 * A per-process cache in front of `lookup` (a DynamoDB read). Only grants are cached, each for at
 * most `ttlMs` (≤ 5 s) after the read that found it started, so the cache can never grant access
 * DynamoDB did not grant, and a revoked appointment stops granting within 5 s. A refusal or an
 * error is never cached: a miss always reads DynamoDB. Concurrent misses for the same pair share
 * one read (started at most one read's latency before them). `invalidate` drops a pair at once:
 * this process's own care-team consumer calls it after committing a change for the pair, so a local
 * revocation is immediate; other replicas see it within `ttlMs`.
 */
export function cachedCareTeam(
  lookup: (doctorId: string, patientId: string) => Promise<boolean>,
  options: CareTeamCacheOptions = {},
): CareTeamCheck {
  const ttlMs = Math.min(options.ttlMs ?? MAX_CARE_TEAM_TTL_MS, MAX_CARE_TEAM_TTL_MS);
  const maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  const now = options.now ?? (() => performance.now());
  /** key → until when the grant may be reused. Map order = insertion order = oldest first. */
  const grants = new Map<string, number>();
  /** Reads in flight; `stale` once the pair was invalidated after the read started. */
  const reading = new Map<string, { promise: Promise<boolean>; stale: boolean }>();
  const keyOf = (doctorId: string, patientId: string) => JSON.stringify([doctorId, patientId]); // unambiguous

  const read = async (key: string, doctorId: string, patientId: string, entry: { stale: boolean }) => {
    const startedAt = now();
    try {
      const granted = await lookup(doctorId, patientId);
      if (granted && ttlMs > 0 && !entry.stale) {
        grants.delete(key);
        if (grants.size >= maxEntries) grants.delete(grants.keys().next().value!);
        grants.set(key, startedAt + ttlMs);
      }
      return granted;
    } finally {
      if (reading.get(key) === entry) reading.delete(key);
    }
  };

  return {
    isCareTeam(doctorId, patientId) {
      const key = keyOf(doctorId, patientId);
      const until = grants.get(key);
      if (until !== undefined) {
        if (now() < until) return Promise.resolve(true);
        grants.delete(key);
      }
      const pending = reading.get(key);
      if (pending) return pending.promise;
      const entry = { stale: false } as { promise: Promise<boolean>; stale: boolean };
      reading.set(key, entry);
      entry.promise = read(key, doctorId, patientId, entry);
      return entry.promise;
    },
    invalidate(doctorId, patientId) {
      const key = keyOf(doctorId, patientId);
      grants.delete(key);
      const pending = reading.get(key);
      if (pending) {
        pending.stale = true;
        reading.delete(key); // later checks start a read that sees the change
      }
    },
  };
}
