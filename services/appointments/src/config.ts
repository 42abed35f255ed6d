import { env, parseConfig } from "@carebridge/config";
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: env.port(8083),
  DATABASE_URL: z.string().min(1),
  DATABASE_POOL_SIZE: env.int(20),
  KAFKA_BROKERS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  SEED_DEMO: env.bool(false),
  PUBLIC_URL: z.url().default("http://localhost:8080"),
  AUTH_ISSUER: z.string().min(1).default("https://carebridge.dev/auth"),
  AUTH_AUDIENCE: z.string().min(1).default("carebridge"),
  /** Defaults to `${PUBLIC_URL}/api/auth/.well-known/jwks.json`. */
  AUTH_JWKS_URL: z.url().optional(),
});

/** The appointments service's configuration (from the environment). */
export type AppointmentsConfig = z.infer<typeof schema> & { jwksUrl: string };

/** Parses the environment, failing with every problem listed. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppointmentsConfig {
  const parsed = parseConfig(schema, source);
  const jwksUrl =
    parsed.AUTH_JWKS_URL ?? new URL("/api/auth/.well-known/jwks.json", parsed.PUBLIC_URL).toString();
  return { ...parsed, jwksUrl };
}
