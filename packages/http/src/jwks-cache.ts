import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

export interface RemoteKeySetOptions {
  /** Minimum time between fetches after the last attempt (unknown kid, failed refresh). Default 30 000 ms. */
  cooldownMs?: number;
  /** How long fetched keys are fresh; then the next token triggers a refresh. Default 600 000 ms. */
  cacheMaxAgeMs?: number;
  /** While refreshes fail, keys fetched at most this long ago are still used. Default 3 600 000 ms. */
  staleMaxAgeMs?: number;
  /** JWKS request timeout. Default 5 000 ms. */
  timeoutMs?: number;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * The auth service's JWKS, fetched and cached. Unlike jose's remote set, a failed refresh does not
 * throw away keys that were good a moment ago: while the auth service is down, tokens signed by
 * known keys keep verifying for up to `staleMaxAgeMs` (other services stay up), and refetches are
 * rate-limited after failures too. A kid never seen triggers one refetch per cooldown.
 */
export function remoteKeySet(url: string, options: RemoteKeySetOptions = {}): JWTVerifyGetKey {
  const cooldownMs = options.cooldownMs ?? 30_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  const staleMaxAgeMs = options.staleMaxAgeMs ?? 3_600_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchImpl = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const now = options.now ?? Date.now;
  let keys: JWTVerifyGetKey | null = null;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;

  const refresh = () => {
    inFlight ??= (async () => {
      attemptedAt = now();
      try {
        const res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`JWKS endpoint answered ${res.status}`);
        keys = createLocalJWKSet((await res.json()) as JSONWebKeySet);
        fetchedAt = now();
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
  const coolingDown = () => now() - attemptedAt < cooldownMs;

  return async (header, token) => {
    if (!keys || (now() - fetchedAt > cacheMaxAgeMs && !coolingDown())) {
      try {
        await refresh();
      } catch (error) {
        // Keep using what we had, within bounds; with nothing usable the caller answers 503.
        if (!keys || now() - fetchedAt > staleMaxAgeMs) throw error;
      }
    }
    if (now() - fetchedAt > staleMaxAgeMs) throw new Error("JWKS too old and cannot be refreshed");
    try {
      return await keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || coolingDown()) throw error;
      await refresh().catch(() => {
        throw error; // auth unreachable: the kid stays unknown (401)
      });
      return keys!(header, token);
    }
  };
}
