/** A `fetch` as the handler uses it (global fetch, or the embedded stack's in-process one). */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** Hands out a cached client-credentials access token. */
export interface TokenProvider {
  /** A token valid for at least the refresh margin (fetches a new one when needed). */
  token(): Promise<string>;
  /** Forgets `token` (after a 401) so the next call fetches a fresh one. */
  invalidate(token: string): void;
}

/** Thrown when no token can be had: the caller retries later (the file is not at fault). */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

export interface TokenProviderOptions {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  fetch: Fetch;
  clock: () => Date;
  /** Refresh this long before the token's `exp` (default 60 s). */
  refreshMarginMs?: number;
  /** Lifetime assumed when the token carries no readable `exp` (default 5 min). */
  fallbackTtlMs?: number;
}

/**
 * Client-credentials grant against `POST {authUrl}/api/auth/token {clientId, clientSecret}` →
 * `{accessToken}`. The token is cached until shortly before its `exp`; concurrent callers share
 * one request.
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const margin = options.refreshMarginMs ?? 60_000;
  const fallbackTtl = options.fallbackTtlMs ?? 5 * 60_000;
  let cached: { token: string; refreshAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const url = new URL("/api/auth/token", options.authUrl).toString();
    let res: Response;
    try {
      res = await options.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ clientId: options.clientId, clientSecret: options.clientSecret }),
      });
    } catch (error) {
      throw new TokenError(`auth unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = (await res.json().catch(() => null)) as { accessToken?: unknown } | null;
    if (res.status !== 200 || typeof body?.accessToken !== "string") {
      throw new TokenError(`token request failed with HTTP ${res.status}`);
    }
    const now = options.clock().getTime();
    const exp = expiryOf(body.accessToken);
    cached = { token: body.accessToken, refreshAt: exp ? exp - margin : now + fallbackTtl };
    return body.accessToken;
  }

  return {
    token() {
      if (cached && options.clock().getTime() < cached.refreshAt) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
}

/** The `exp` of a JWT in epoch milliseconds, or null (the token is opaque to us otherwise). */
export function expiryOf(jwt: string): number | null {
  const payload = jwt.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}
