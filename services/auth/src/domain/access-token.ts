import { SignJWT } from "jose";
import type { KeyStore } from "./key-store.ts";

/** Access tokens live 15 minutes. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** Who the token is for. */
export interface TokenSubject {
  id: string;
  role: "patient" | "doctor" | "analyst" | "admin" | "service";
}

/** Issuer and audience every access token carries. */
export interface TokenClaims {
  issuer: string;
  audience: string;
}

/** Signs a 15-minute EdDSA access token with the current key (`kid` in the header). */
export async function signAccessToken(
  keys: KeyStore,
  claims: TokenClaims,
  subject: TokenSubject,
): Promise<string> {
  const key = await keys.current();
  return new SignJWT({ role: subject.role })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
    .setSubject(subject.id)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}
