import { beforeAll, describe, expect, test } from "bun:test";
import {
  base64url,
  type CryptoKey,
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { createHttpApp } from "./app.ts";
import { createJwtVerifier } from "./jwt-verifier.ts";
import { requireAuth } from "./require-auth.ts";
import { captureLogger } from "./test-support.ts";

const ISS = "https://carebridge.test/api/auth";
const AUD = "carebridge";

let edPrivate: CryptoKey;
let edPublicJwk: JWK;
let rsaPrivate: CryptoKey;
let esPrivate: CryptoKey;
let attackerPrivate: CryptoKey;
let attackerPublicJwk: JWK;
let app: ReturnType<typeof buildApp>;

const now = () => Math.floor(Date.now() / 1000);
const claims = (over: JWTPayload = {}): JWTPayload => ({
  sub: "user-1",
  role: "patient",
  jti: "token-1",
  iss: ISS,
  aud: AUD,
  iat: now(),
  exp: now() + 900,
  ...over,
});

function withoutClaim(name: string): JWTPayload {
  const payload = claims();
  delete payload[name];
  return payload;
}

async function sign(
  payload: JWTPayload,
  header: Record<string, unknown> = {},
  key: CryptoKey | Uint8Array = edPrivate,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "EdDSA", kid: "ed-1", ...header }).sign(key);
}

const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

function buildApp(jwks: { keys: JWK[] }) {
  const verifier = createJwtVerifier({ issuer: ISS, audience: AUD, keys: createLocalJWKSet(jwks) });
  const httpApp = createHttpApp({ service: "test", logger: captureLogger().logger });
  httpApp.get("/api/me", requireAuth(verifier), (c) => c.json(c.var.principal));
  return httpApp;
}

const call = (token: string) => app.request("/api/me", { headers: { Authorization: `Bearer ${token}` } });

beforeAll(async () => {
  const ed = await generateKeyPair("EdDSA");
  edPrivate = ed.privateKey;
  edPublicJwk = { ...(await exportJWK(ed.publicKey)), kid: "ed-1", alg: "EdDSA", use: "sig" };
  const rsa = await generateKeyPair("RS256");
  rsaPrivate = rsa.privateKey;
  const es = await generateKeyPair("ES256");
  esPrivate = es.privateKey;
  const attacker = await generateKeyPair("EdDSA");
  attackerPrivate = attacker.privateKey;
  attackerPublicJwk = { ...(await exportJWK(attacker.publicKey)), kid: "ed-1", alg: "EdDSA" };
  app = buildApp({
    keys: [
      edPublicJwk,
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      // Trusted key of an algorithm outside the allowlist: its tokens must still be refused.
      { ...(await exportJWK(es.publicKey)), kid: "es-1", alg: "ES256", use: "sig" },
    ],
  });
});

describe("valid tokens", () => {
  test("an EdDSA token yields the principal", async () => {
    const res = await call(await sign(claims()));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: "user-1", role: "patient", tokenId: "token-1" });
  });

  test("an RS256 token from the JWKS is accepted", async () => {
    const token = await sign(claims({ role: "doctor" }), { alg: "RS256", kid: "rsa-1" }, rsaPrivate);
    const res = await call(token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { role: string }).role).toBe("doctor");
  });

  test("expiry within the 5 s clock tolerance is accepted", async () => {
    expect((await call(await sign(claims({ exp: now() - 2 })))).status).toBe(200);
  });
});

describe("verified-token cache", () => {
  /** A verifier over the test key that counts full verifications (jose hands the resolver the signature). */
  const counting = () => {
    const local = createLocalJWKSet({ keys: [edPublicJwk] });
    const state = { fullChecks: 0, retired: false };
    const verifier = createJwtVerifier({
      issuer: ISS,
      audience: AUD,
      keys: (header, input) => {
        if (input.signature !== "") state.fullChecks++;
        if (state.retired) throw new errors.JWKSNoMatchingKey();
        return local(header, input);
      },
    });
    return { verifier, state };
  };

  test("a token's signature is checked once, then it is served from the cache until its exp, not past it", async () => {
    const { verifier, state } = counting();
    const token = await sign(claims({ exp: now() + 2 }));
    await verifier.verify(token);
    await verifier.verify(token);
    expect(state.fullChecks).toBe(1);
    // A different token (even one character off) is checked afresh, and a forgery is still refused.
    const at = token.length - 20; // inside the signature (the last character only carries padding bits)
    const forged = `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ status: 401 });
    expect(state.fullChecks).toBe(2);
    await Bun.sleep(2_100); // past exp: the cache never outlives it, so the token is checked again
    await verifier.verify(token); // (still within the 5 s clock tolerance)
    expect(state.fullChecks).toBe(3);
  });

  test("a cached token stops working as soon as its key is retired", async () => {
    const { verifier, state } = counting();
    const token = await sign(claims());
    await verifier.verify(token);
    state.retired = true;
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
  });
});

describe("forged and invalid tokens are all 401", () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ["alg none", async () => `${encodeJson({ alg: "none", kid: "ed-1" })}.${encodeJson(claims())}.`],
    [
      "HS256 signed with the public key bytes",
      () => sign(claims(), { alg: "HS256" }, base64url.decode(edPublicJwk.x ?? "")),
    ],
    [
      "HS256 signed with the public JWK JSON",
      () => sign(claims(), { alg: "HS256" }, new TextEncoder().encode(JSON.stringify(edPublicJwk))),
    ],
    ["unknown kid", () => sign(claims(), { kid: "nobody" }, attackerPrivate)],
    ["known kid, attacker's key", () => sign(claims(), {}, attackerPrivate)],
    [
      "trusted key but alg outside the allowlist (ES256)",
      () => sign(claims(), { alg: "ES256", kid: "es-1" }, esPrivate),
    ],
    ["no kid", () => sign(claims(), { kid: undefined })],
    ["expired", () => sign(claims({ exp: now() - 60 }))],
    [
      "minted to live ten years (exp − iat beyond 15 minutes)",
      () => sign(claims({ exp: now() + 10 * 365 * 86_400 })),
    ],
    ["issued a year in the future", () => sign(claims({ iat: now() + 365 * 86_400 }))],
    ["issued more than 15 minutes ago", () => sign(claims({ iat: now() - 3_600, exp: now() + 60 }))],
    ["no iat", () => sign(claims({ iat: undefined }))],
    ["nbf in the future", () => sign(claims({ nbf: now() + 60 }))],
    ["wrong issuer", () => sign(claims({ iss: "https://evil.test" }))],
    ["wrong audience", () => sign(claims({ aud: "someone-else" }))],
    [
      "tampered payload",
      async () => {
        const [h, , s] = (await sign(claims())).split(".");
        return `${h}.${encodeJson(claims({ role: "admin" }))}.${s}`;
      },
    ],
    ["jku header", () => sign(claims(), { jku: "https://evil.test/jwks.json" })],
    ["x5u header", () => sign(claims(), { x5u: "https://evil.test/cert.pem" })],
    ["x5c header", () => sign(claims(), { x5c: ["MIIBszCCAVmgAwIBAgIUU"] })],
    ["jwk header (trusted signature)", () => sign(claims(), { jwk: attackerPublicJwk })],
    ["jwk header (self-signed)", () => sign(claims(), { jwk: attackerPublicJwk }, attackerPrivate)],
    ["missing sub", () => sign(withoutClaim("sub"))],
    ["missing role", () => sign(withoutClaim("role"))],
    ["missing jti", () => sign(withoutClaim("jti"))],
    ["missing exp", () => sign(withoutClaim("exp"))],
    ["unknown role", () => sign(claims({ role: "superuser" }))],
    ["empty sub", () => sign(claims({ sub: "" }))],
    ["garbage", async () => "not.a.jwt"],
    ["oversized", async () => `${await sign(claims())}${"A".repeat(9000)}`],
  ];

  test.each(cases)("%s", async (_, forge) => {
    const res = await call(await forge());
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { type: string }).type).toBe(
      "https://carebridge.dev/problems/invalid-token",
    );
  });
});

describe("missing credentials", () => {
  test.each([
    ["no header", undefined],
    ["Basic scheme", "Basic dXNlcjpwYXNz"],
    ["Bearer without token", "Bearer "],
  ])("%s → 401 with a Bearer challenge", async (_, authorization) => {
    const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
    const res = await app.request("/api/me", { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="carebridge"');
  });
});

describe("configuration", () => {
  test.each(["HS256", "none"])("refuses %s in the allowlist", (alg) => {
    expect(() =>
      createJwtVerifier({
        issuer: ISS,
        audience: AUD,
        algorithms: [alg],
        keys: createLocalJWKSet({ keys: [] }),
      }),
    ).toThrow(TypeError);
  });
});
