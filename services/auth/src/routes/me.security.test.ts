import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import { type JWTHeaderParameters, SignJWT } from "jose";
import { AUTH_DEFAULTS } from "../config.ts";
import type { AuthDeps } from "../deps.ts";
import { buildTestApp, postJson, type SessionBody } from "../test-support.ts";

let database: Database;
let app: HttpApp;
let deps: AuthDeps;
let session: SessionBody;
let publicX: string;

beforeAll(async () => {
  database = await openPglite();
  ({ app, deps } = await buildTestApp(database));
  const res = await app.request(
    postJson("/api/auth/register", { email: "victim@example.com", password: "victim-password-1", name: "V" }),
  );
  session = (await res.json()) as SessionBody;
  const jwks = (await (await app.request("/api/auth/.well-known/jwks.json")).json()) as {
    keys: Array<{ x: string }>;
  };
  publicX = jwks.keys[0]?.x ?? "";
}, 30_000);
afterAll(() => database.close());

const me = (token: string) => app.request("/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const parts = () => session.accessToken.split(".") as [string, string, string];
const header = () => JSON.parse(Buffer.from(parts()[0], "base64url").toString()) as Record<string, unknown>;
const claims = () => JSON.parse(Buffer.from(parts()[1], "base64url").toString()) as Record<string, unknown>;

/** Signs with the service's real current key, overriding claims or header. */
async function signReal(
  override: { iss?: string; aud?: string; exp?: number; nbf?: number } = {},
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const key = await deps.keys.current();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: "admin" })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, ...header })
    .setSubject(session.user.id)
    .setIssuer(override.iss ?? AUTH_DEFAULTS.issuer)
    .setAudience(override.aud ?? AUTH_DEFAULTS.audience)
    .setIssuedAt(now - 60)
    .setNotBefore(override.nbf ?? now - 60)
    .setExpirationTime(override.exp ?? now + 600)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

describe("GET /api/auth/me rejects every forged token", () => {
  test("control: the real token and a token signed with the real key pass", async () => {
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await me(await signReal())).status).toBe(200);
  });

  const forgeries: Array<[string, () => Promise<string>]> = [
    [
      "tampered payload (role admin)",
      async () => {
        const [h, , s] = parts();
        return `${h}.${b64({ ...claims(), role: "admin" })}.${s}`;
      },
    ],
    ["alg none", async () => `${b64({ ...header(), alg: "none" })}.${b64({ ...claims(), role: "admin" })}.`],
    [
      "HS256 signed with the public key",
      async () => {
        return new SignJWT(claims())
          .setProtectedHeader({ alg: "HS256", kid: String(header().kid) })
          .sign(Buffer.from(publicX, "base64url"));
      },
    ],
    [
      "unknown kid (an attacker's own Ed25519 key)",
      async () => {
        const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
          "sign",
          "verify",
        ])) as CryptoKeyPair;
        return new SignJWT(claims())
          .setProtectedHeader({ alg: "EdDSA", kid: "attacker" })
          .sign(pair.privateKey);
      },
    ],
    ["expired", () => signReal({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ["not yet valid", () => signReal({ nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ["wrong issuer", () => signReal({ iss: "https://evil.example/auth" })],
    ["wrong audience", () => signReal({ aud: "someone-else" })],
    ["jku header", () => signReal({}, { jku: "https://evil.example/jwks.json" })],
    ["x5u header", () => signReal({}, { x5u: "https://evil.example/cert.pem" })],
    ["embedded jwk header", () => signReal({}, { jwk: { kty: "OKP", crv: "Ed25519", x: publicX } })],
    ["garbage", async () => "not.a.jwt"],
  ];

  test.each(forgeries)("%s → 401", async (_name, forge) => {
    const res = await me(await forge());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("no token → 401", async () => {
    expect((await app.request("/api/auth/me")).status).toBe(401);
  });
});
