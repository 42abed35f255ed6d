import { env, parseConfig } from "@carebridge/config";
import { z } from "zod";
import { DEV_KEY_ENCRYPTION_KEY } from "./domain/key-encryption.ts";
import { DEFAULT_THROTTLE } from "./domain/login-throttle.ts";

/** Issuer and audience used when configuration does not set them (the embedded stack, tests). */
export const AUTH_DEFAULTS = { issuer: "https://carebridge.dev/auth", audience: "carebridge" } as const;

const schema = z
  .object({
    NODE_ENV: z.string().default("development"),
    PORT: env.port(8081),
    DATABASE_URL: z.string().min(1),
    KAFKA_BROKERS: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    SEED_DEMO: env.bool(false),
    /** Base64 of 32 bytes: wraps the signing keys at rest. Required in production. */
    AUTH_KEY_ENCRYPTION_KEY: z.base64().optional(),
    /** `id:secret,id2:secret2`: client-credentials clients, synced on start. */
    SERVICE_CLIENTS: z.string().optional(),
    /** Failed sign-ins allowed per account, and per client address, within the window. */
    THROTTLE_ACCOUNT_LIMIT: env.int(DEFAULT_THROTTLE.account.limit),
    THROTTLE_ADDRESS_LIMIT: env.int(DEFAULT_THROTTLE.address.limit),
    THROTTLE_WINDOW_SECONDS: env.int(DEFAULT_THROTTLE.account.windowSeconds),
    AUTH_ISSUER: z.string().min(1).default(AUTH_DEFAULTS.issuer),
    AUTH_AUDIENCE: z.string().min(1).default(AUTH_DEFAULTS.audience),
  })
  .superRefine((value, ctx) => {
    if (value.NODE_ENV === "production" && !value.AUTH_KEY_ENCRYPTION_KEY) {
      ctx.addIssue({ code: "custom", path: ["AUTH_KEY_ENCRYPTION_KEY"], message: "required in production" });
    }
  });

/** The auth service's configuration (from the environment). */
export type AuthConfig = z.infer<typeof schema> & { keyEncryptionKey: string };

/**
 * Parses the environment, failing with every problem listed. Outside production a fixed dev key
 * encrypts the signing keys when AUTH_KEY_ENCRYPTION_KEY is unset (never in production).
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = parseConfig(schema, source);
  return { ...parsed, keyEncryptionKey: parsed.AUTH_KEY_ENCRYPTION_KEY ?? DEV_KEY_ENCRYPTION_KEY };
}
