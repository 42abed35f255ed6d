import { env, parseConfig } from "@carebridge/config";
import { z } from "zod";

/** Issuer and audience of access tokens when configuration does not set them. */
export const TOKEN_DEFAULTS = { issuer: "https://carebridge.dev/auth", audience: "carebridge" } as const;

const schema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: env.port(8084),
  DATABASE_URL: z.string().min(1),
  KAFKA_BROKERS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  PUBLIC_URL: z.url().default("http://localhost:8080"),
  AUTH_ISSUER: z.string().min(1).default(TOKEN_DEFAULTS.issuer),
  AUTH_AUDIENCE: z.string().min(1).default(TOKEN_DEFAULTS.audience),
  AUTH_JWKS_URL: z.url().optional(),
  /** How long a payment may stay pending (processor outcome unknown) before a retry takes it over. */
  PAYMENT_PENDING_LEASE_MS: env.int(30_000),
});

/** The billing service's configuration (from the environment). */
export type BillingConfig = z.infer<typeof schema> & { jwksUrl: string };

/** Parses the environment, failing with every problem listed. */
export function loadConfig(source: Record<string, string | undefined> = process.env): BillingConfig {
  const parsed = parseConfig(schema, source);
  const jwksUrl =
    parsed.AUTH_JWKS_URL ?? new URL("/api/auth/.well-known/jwks.json", parsed.PUBLIC_URL).toString();
  return { ...parsed, jwksUrl };
}
