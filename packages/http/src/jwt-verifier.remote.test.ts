import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createHttpApp } from "./app.ts";
import { AppError } from "./errors.ts";
import { createJwtVerifier } from "./jwt-verifier.ts";
import { requireAuth } from "./require-auth.ts";
import { captureLogger } from "./test-support.ts";

const ISS = "https://carebridge.test/api/auth";
const AUD = "carebridge";

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA");
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" } };
}

const token = (key: SigningKey) =>
  new SignJWT({ role: "doctor" })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
    .setSubject("doctor-1")
    .setJti(crypto.randomUUID())
    .setIssuer(ISS)
    .setAudience(AUD)
    .setIssuedAt()
    .setExpirationTime("15m")
    .sign(key.privateKey);

/** A tiny JWKS endpoint whose key set (and health) the test controls. */
let published: JWK[] = [];
let failing = false;
let fetches = 0;
let server: ReturnType<typeof Bun.serve>;
let jwksUrl: string;
let k1: SigningKey;
let k2: SigningKey;

beforeAll(async () => {
  k1 = await newKey("k1");
  k2 = await newKey("k2");
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch() {
      fetches++;
      if (failing) return new Response("boom", { status: 500 });
      return Response.json({ keys: published });
    },
  });
  jwksUrl = `http://127.0.0.1:${server.port}/api/auth/.well-known/jwks.json`;
});

afterAll(async () => {
  await server.stop(true);
});

function reset(keys: JWK[]) {
  published = keys;
  failing = false;
  fetches = 0;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("remote JWKS", () => {
  test("a rotated-in key (new kid) is picked up by refetching", async () => {
    reset([k1.jwk]);
    const verifier = createJwtVerifier({ issuer: ISS, audience: AUD, keys: { jwksUrl, cooldownMs: 0 } });
    expect((await verifier.verify(await token(k1))).userId).toBe("doctor-1");
    expect(fetches).toBe(1);

    // The issuer rotates: the new key is published next to the previous one.
    published = [k2.jwk, k1.jwk];
    expect((await verifier.verify(await token(k2))).role).toBe("doctor");
    expect(fetches).toBe(2);

    // Cached: known kids need no further fetch.
    await verifier.verify(await token(k1));
    await verifier.verify(await token(k2));
    expect(fetches).toBe(2);
  });

  test("a kid absent even after refetching is 401", async () => {
    reset([k1.jwk]);
    const verifier = createJwtVerifier({ issuer: ISS, audience: AUD, keys: { jwksUrl, cooldownMs: 0 } });
    const err = await rejection(verifier.verify(await token(k2)));
    expect(err.status).toBe(401);
  });

  test("unknown kids do not refetch during the cooldown", async () => {
    reset([k1.jwk]);
    const verifier = createJwtVerifier({ issuer: ISS, audience: AUD, keys: { jwksUrl, cooldownMs: 60_000 } });
    await verifier.verify(await token(k1));
    published = [k2.jwk, k1.jwk];
    for (let i = 0; i < 5; i++) expect((await rejection(verifier.verify(await token(k2)))).status).toBe(401);
    expect(fetches).toBe(1);
  });

  test("an unreachable JWKS is 503 (retriable), not 401", async () => {
    reset([k1.jwk]);
    failing = true;
    const verifier = createJwtVerifier({ issuer: ISS, audience: AUD, keys: { jwksUrl } });
    const app = createHttpApp({ service: "test", logger: captureLogger().logger });
    app.get("/api/me", requireAuth(verifier), (c) => c.json(c.var.principal));
    const res = await app.request("/api/me", { headers: { Authorization: `Bearer ${await token(k1)}` } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { type: string }).type).toBe(
      "https://carebridge.dev/problems/jwks-unavailable",
    );
  });

  test("a custom fetch (in-process JWKS) is used instead of the network", async () => {
    reset([]);
    const seen: string[] = [];
    const verifier = createJwtVerifier({
      issuer: ISS,
      audience: AUD,
      keys: {
        jwksUrl: "http://carebridge.internal/api/auth/.well-known/jwks.json",
        fetch: async (url) => {
          seen.push(url);
          return Response.json({ keys: [k1.jwk] });
        },
      },
    });
    expect((await verifier.verify(await token(k1))).userId).toBe("doctor-1");
    expect(seen).toEqual(["http://carebridge.internal/api/auth/.well-known/jwks.json"]);
    expect(fetches).toBe(0);
  });

  test("while the auth service is down, known keys keep verifying for up to an hour, then 503", async () => {
    reset([k1.jwk]);
    let clock = 1_000_000;
    const verifier = createJwtVerifier({
      issuer: ISS,
      audience: AUD,
      keys: {
        jwksUrl,
        cooldownMs: 30_000,
        cacheMaxAgeMs: 600_000,
        staleMaxAgeMs: 3_600_000,
        now: () => clock,
      },
    });
    expect((await verifier.verify(await token(k1))).userId).toBe("doctor-1");
    failing = true;
    clock += 11 * 60_000; // past the cache age: the refresh fails, the cached key still serves
    expect((await verifier.verify(await token(k1))).userId).toBe("doctor-1");
    const attempts = fetches;
    clock += 10_000; // within the cooldown after the failed refresh: no new fetch
    await verifier.verify(await token(k1));
    expect(fetches).toBe(attempts);
    clock += 60 * 60_000; // keys now over an hour old and still no way to refresh them
    expect((await rejection(verifier.verify(await token(k1)))).status).toBe(503);
    failing = false;
    clock += 31_000; // auth is back: the next token refreshes and verifies
    expect((await verifier.verify(await token(k1))).userId).toBe("doctor-1");
  });
});
