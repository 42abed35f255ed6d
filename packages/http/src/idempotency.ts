import type { MiddlewareHandler } from "hono";
import { badRequest, conflict, unprocessable } from "./errors.ts";
import type { IdempotencyStore, StoredResponse } from "./idempotency-store.ts";
import type { AppEnv } from "./principal.ts";

/** Request header naming the idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** Response header marking a replayed response. */
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

/** Options of {@link idempotency}. */
export interface IdempotencyOptions {
  /** A missing key is 400 (the route's contract demands one). Default false: no key, no idempotency. */
  required?: boolean;
  /** How long a completed key is remembered. Default 24 h. */
  ttlMs?: number;
  /** How long an in-progress claim holds the key if its request never finishes. Default 60 s. */
  leaseMs?: number;
}

const VALID_KEY = /^[\x20-\x7E]{1,255}$/;
const REPLAYED_HEADERS = ["content-type", "location"];

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

function replay(response: StoredResponse): Response {
  const headers = new Headers(response.headers);
  headers.set(IDEMPOTENT_REPLAYED_HEADER, "true");
  return new Response(response.body, { status: response.status, headers });
}

/**
 * `Idempotency-Key` for creating POSTs. Scope: caller (or "anonymous") + method + path + key; the
 * fingerprint is the SHA-256 of the raw body. A repeat with the same body replays the first
 * response (`Idempotent-Replayed: true`); another body → 422; while the first is running → 409.
 * Responses ≥ 500, 408, 429 and thrown errors release the key. An in-progress claim is a lease
 * (default 60 s), so a request that dies does not lock its key for a day. Place it after `requireAuth`.
 */
export function idempotency(
  store: IdempotencyStore,
  options: IdempotencyOptions = {},
): MiddlewareHandler<AppEnv> {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  return async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) {
      if (options.required) {
        throw badRequest("This operation requires an Idempotency-Key header.", {
          code: "idempotency-key-required",
        });
      }
      return next();
    }
    if (!VALID_KEY.test(key)) {
      throw badRequest("Idempotency-Key must be 1-255 printable ASCII characters.", {
        code: "invalid-idempotency-key",
        errors: { [IDEMPOTENCY_KEY_HEADER]: "must be 1-255 printable ASCII characters" },
      });
    }
    // Hono caches the body, so validators and the handler can still read it.
    const fingerprint = await sha256Hex(await c.req.arrayBuffer());
    // Anonymous callers (register, say) cannot be told apart, so their scope includes the body:
    // one anonymous caller can never be handed another one's stored response.
    const caller = c.get("principal")?.userId ?? `anonymous:${fingerprint}`;
    const scope = JSON.stringify([caller, c.req.method, c.req.path, key]);

    const found = await store.reserve(scope, fingerprint, leaseMs);
    if (found.state !== "reserved") {
      if (found.fingerprint !== fingerprint) {
        throw unprocessable("This Idempotency-Key was already used with a different request body.", {
          code: "idempotency-key-reused",
        });
      }
      if (found.state === "in-progress") {
        throw conflict("A request with this Idempotency-Key is still in progress.", {
          code: "idempotency-key-in-progress",
          headers: { "Retry-After": "1" },
        });
      }
      return replay(found.response);
    }

    const { owner } = found;
    const release = () =>
      store
        .release(scope, owner)
        .catch((err: unknown) => c.var.logger.error({ err }, "idempotency release failed"));
    try {
      await next();
    } catch (err) {
      await release();
      throw err;
    }
    // Failures and "try again later" answers are not results to replay: the key is freed.
    if (c.error || c.res.status >= 500 || c.res.status === 429 || c.res.status === 408) {
      await release();
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = c.res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const response = { status: c.res.status, headers, body: await c.res.clone().text() };
    // The effect has happened: answer the client even if the record cannot be written.
    await store.complete(scope, owner, response, ttlMs).catch((err: unknown) => {
      c.var.logger.error({ err }, "idempotency record not stored");
    });
  };
}
