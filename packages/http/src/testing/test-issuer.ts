import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";
import type { Role } from "../principal.ts";

/** The issuer and audience the auth service stamps on every access token (AUTH_ISSUER / AUTH_AUDIENCE defaults). */
export const TEST_TOKEN_CLAIMS = { issuer: "https://carebridge.dev/auth", audience: "carebridge" } as const;

/**
 * Test-only stand-in for the auth service's signing side: an Ed25519 key, its JWKS, and `sign()`
 * minting access tokens shaped exactly like auth's (kid, sub, role, iss, aud, iat, exp 15 min, jti).
 * Pass `keys` (or serve `jwks`) to `createJwtVerifier` in the service under test.
 */
export interface TestIssuer {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  keys: JWTVerifyGetKey;
  sign(subject: { sub: string; role: Role }, options?: { expiresInSec?: number }): Promise<string>;
}

/** Creates a {@link TestIssuer} with a fresh key. */
export async function createTestIssuer(
  claims: { issuer: string; audience: string } = TEST_TOKEN_CLAIMS,
): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const kid = crypto.randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  const jwks: JSONWebKeySet = { keys: [jwk] };
  return {
    ...claims,
    jwks,
    keys: createLocalJWKSet(jwks),
    sign: (subject, options) =>
      new SignJWT({ role: subject.role })
        .setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" })
        .setSubject(subject.sub)
        .setIssuer(claims.issuer)
        .setAudience(claims.audience)
        .setIssuedAt()
        .setExpirationTime(`${options?.expiresInSec ?? 900}s`)
        .setJti(crypto.randomUUID())
        .sign(privateKey),
  };
}
