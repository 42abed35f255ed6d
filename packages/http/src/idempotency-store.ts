/** A response kept for replay. */
export interface StoredResponse {
  status: number;
  /** Only the headers worth replaying (`content-type`, `location`). */
  headers: Record<string, string>;
  body: string;
}

/** What {@link IdempotencyStore.reserve} found for a scope. */
export type ReserveResult =
  | { state: "reserved"; owner: string }
  | { state: "in-progress"; fingerprint: string }
  | { state: "completed"; fingerprint: string; response: StoredResponse };

/**
 * Port for idempotency records, keyed by scope (caller + method + path + key). `reserve` must be
 * atomic: of two concurrent calls for one scope exactly one gets `"reserved"`, with an owner token.
 * An in-progress claim lives for a short lease (a request that dies frees the key soon); a
 * completed one for `ttlMs` from completion. Only the owner may complete or release its claim.
 * Adapters: {@link memoryIdempotencyStore}; PostgreSQL in `@carebridge/db`.
 */
export interface IdempotencyStore {
  reserve(scope: string, fingerprint: string, leaseMs: number): Promise<ReserveResult>;
  /** Stores the response of the owner's live claim; it is replayed for ttlMs from now. */
  complete(scope: string, owner: string, response: StoredResponse, ttlMs: number): Promise<void>;
  /** Drops the owner's in-progress claim (the request failed) so the client can retry with the same key. */
  release(scope: string, owner: string): Promise<void>;
}

interface Entry {
  fingerprint: string;
  owner: string;
  expiresAt: number;
  response?: StoredResponse;
}

/** Options of {@link memoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

const SWEEP_EVERY_MS = 60_000;

/** In-process {@link IdempotencyStore} with TTL (tests, the embedded stack). Expired entries are swept lazily. */
export function memoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let nextSweep = now() + SWEEP_EVERY_MS;

  const live = (scope: string): Entry | undefined => {
    const entry = entries.get(scope);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(scope);
      return undefined;
    }
    return entry;
  };

  const sweep = () => {
    const t = now();
    if (t < nextSweep) return;
    nextSweep = t + SWEEP_EVERY_MS;
    for (const [scope, entry] of entries) if (entry.expiresAt <= t) entries.delete(scope);
  };

  return {
    async reserve(scope, fingerprint, leaseMs) {
      sweep();
      const entry = live(scope);
      if (!entry) {
        const owner = crypto.randomUUID();
        entries.set(scope, { fingerprint, owner, expiresAt: now() + leaseMs });
        return { state: "reserved", owner };
      }
      return entry.response
        ? { state: "completed", fingerprint: entry.fingerprint, response: entry.response }
        : { state: "in-progress", fingerprint: entry.fingerprint };
    },
    async complete(scope, owner, response, ttlMs) {
      const entry = live(scope);
      if (!entry || entry.owner !== owner || entry.response) return;
      entry.response = response;
      // Retention counts from completion, not from the reservation.
      entry.expiresAt = now() + ttlMs;
    },
    async release(scope, owner) {
      const entry = entries.get(scope);
      if (entry && entry.owner === owner && !entry.response) entries.delete(scope);
    },
  };
}
