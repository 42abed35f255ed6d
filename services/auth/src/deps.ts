import { connectPostgres, type Database } from "@carebridge/db";
import { createJwtVerifier, createLogger, type JwtVerifier } from "@carebridge/http";
import type { Logger } from "pino";
import type { AuthConfig } from "./config.ts";
import type { TokenClaims } from "./domain/access-token.ts";
import { importKeyEncryptionKey } from "./domain/key-encryption.ts";
import { createKeyStore, type KeyStore } from "./domain/key-store.ts";
import { createLoginThrottle, type LoginThrottle, type ThrottleOptions } from "./domain/login-throttle.ts";
import {
  createPasswordHasher,
  type PasswordHasher,
  type PasswordHasherOptions,
} from "./domain/password-hasher.ts";
import { createUserCache, type UserCache } from "./domain/user-cache.ts";

/** Everything the auth app needs; built once per process (or per test). */
export interface AuthDeps {
  database: Database;
  logger: Logger;
  hasher: PasswordHasher;
  keys: KeyStore;
  verifier: JwtVerifier;
  claims: TokenClaims;
  throttle: LoginThrottle;
  users: UserCache;
}

/** Options of {@link createAuthDeps}. */
export interface AuthDepsOptions {
  database: Database;
  logger: Logger;
  keyEncryptionKey: string;
  claims: TokenClaims;
  hasher?: PasswordHasherOptions;
  throttle?: ThrottleOptions;
}

/** Wires the hasher, key store and verifier around an open database. */
export async function createAuthDeps(options: AuthDepsOptions): Promise<AuthDeps> {
  const kek = await importKeyEncryptionKey(options.keyEncryptionKey);
  const keys = createKeyStore({ database: options.database, kek });
  const verifier = createJwtVerifier({
    issuer: options.claims.issuer,
    audience: options.claims.audience,
    algorithms: ["EdDSA"],
    keys: keys.resolver,
  });
  return {
    database: options.database,
    logger: options.logger,
    hasher: createPasswordHasher(options.hasher),
    keys,
    verifier,
    claims: options.claims,
    throttle: createLoginThrottle(options.database, options.throttle),
    users: createUserCache(options.database),
  };
}

/** buildDeps(config): the only place that connects to PostgreSQL. */
export async function buildDeps(config: AuthConfig): Promise<AuthDeps> {
  const logger = createLogger({ service: "auth", level: config.LOG_LEVEL });
  const database = await connectPostgres(config.DATABASE_URL, { applicationName: "carebridge-auth" });
  return createAuthDeps({
    database,
    logger,
    keyEncryptionKey: config.keyEncryptionKey,
    claims: { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    throttle: {
      account: { limit: config.THROTTLE_ACCOUNT_LIMIT, windowSeconds: config.THROTTLE_WINDOW_SECONDS },
      address: { limit: config.THROTTLE_ADDRESS_LIMIT, windowSeconds: config.THROTTLE_WINDOW_SECONDS },
    },
  });
}
