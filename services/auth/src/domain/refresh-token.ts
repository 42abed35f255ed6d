/** Refresh tokens live 30 days from login (absolute; rotation does not extend the family). */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A new opaque refresh token: 32 random bytes, base64url. */
export function newRefreshToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** What is stored instead of the token: its SHA-256, hex. */
export function hashRefreshToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}
