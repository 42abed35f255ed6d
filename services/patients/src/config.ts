import { env, parseConfig } from "@carebridge/config";
import { z } from "zod";

/** Issuer and audience of access tokens when configuration does not set them (the embedded stack, tests). */
export const AUTH_DEFAULTS = { issuer: "https://carebridge.dev/auth", audience: "carebridge" } as const;

const schema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: env.port(8082),
  PUBLIC_URL: z.url().default("http://localhost:8080"),
  KAFKA_BROKERS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  SEED_DEMO: env.bool(false),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  /** Local DynamoDB (dynalite, DynamoDB Local); unset in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  DYNAMODB_TABLE: z.string().min(3).default("carebridge-patients"),
  /**
   * `native` uses TransactWriteItems; `emulated` serialises transactions in this process (dynalite
   * has no transactions); `auto` probes the endpoint once at start.
   */
  DYNAMODB_TRANSACTIONS: z.enum(["auto", "native", "emulated"]).default("auto"),
  /** Create the table at start when missing. Default: only with DYNAMODB_ENDPOINT (local stacks); Terraform owns it in the cloud. */
  DYNAMODB_CREATE_TABLE: z.enum(["true", "false", "1", "0"]).optional(),
  /** Local S3 (s3rver); unset in the cloud. */
  S3_ENDPOINT: z.url().optional(),
  LAB_BUCKET: z.string().min(3).default("carebridge-lab-reports"),
  AUTH_ISSUER: z.string().min(1).default(AUTH_DEFAULTS.issuer),
  AUTH_AUDIENCE: z.string().min(1).default(AUTH_DEFAULTS.audience),
  /** Defaults to `${PUBLIC_URL}/api/auth/.well-known/jwks.json`. */
  AUTH_JWKS_URL: z.url().optional(),
});

/** The patients service's configuration (from the environment). */
export type PatientsConfig = Omit<z.infer<typeof schema>, "DYNAMODB_CREATE_TABLE"> & {
  jwksUrl: string;
  createTable: boolean;
  /** `auto` becomes `native` against AWS itself (no endpoint): only local endpoints are probed. */
  transactions: "auto" | "native" | "emulated";
};

/** Parses the environment, failing with every problem listed. */
export function loadConfig(source: Record<string, string | undefined> = process.env): PatientsConfig {
  const { DYNAMODB_CREATE_TABLE, ...parsed } = parseConfig(schema, source);
  return {
    ...parsed,
    createTable:
      DYNAMODB_CREATE_TABLE === undefined
        ? parsed.DYNAMODB_ENDPOINT !== undefined
        : DYNAMODB_CREATE_TABLE === "true" || DYNAMODB_CREATE_TABLE === "1",
    transactions:
      parsed.DYNAMODB_TRANSACTIONS === "auto" && parsed.DYNAMODB_ENDPOINT === undefined
        ? "native"
        : parsed.DYNAMODB_TRANSACTIONS,
    jwksUrl: parsed.AUTH_JWKS_URL ?? new URL("/api/auth/.well-known/jwks.json", parsed.PUBLIC_URL).toString(),
  };
}
