import { connectPostgres, type Database, pgIdempotencyStore } from "@carebridge/db";
import {
  type AuditSink,
  createJwtVerifier,
  createLogger,
  type IdempotencyStore,
  type JwtKeySource,
  type JwtVerifier,
} from "@carebridge/http";
import type { Logger } from "pino";
import type { BillingConfig } from "./config.ts";
import { pgAuditSink } from "./db/audit-sink.ts";
import type { PaymentProcessor } from "./domain/payment-processor.ts";

/** Everything the billing app needs; built once per process (or per test). */
export interface BillingDeps {
  database: Database;
  logger: Logger;
  verifier: JwtVerifier;
  processor: PaymentProcessor;
  idempotencyStore: IdempotencyStore;
  /** Where reads of invoices are recorded. */
  audit: AuditSink;
  /** RFC 3339 UTC now. */
  now: () => string;
  /** How long a pending payment blocks a new attempt on the same invoice. */
  pendingLeaseMs: number;
}

/** Options of {@link createBillingDeps}. */
export interface BillingDepsOptions {
  database: Database;
  logger: Logger;
  keys: JwtKeySource;
  claims: { issuer: string; audience: string };
  processor: PaymentProcessor;
  now?: () => string;
  pendingLeaseMs?: number;
}

/** Wires the verifier, idempotency store and processor around an open database. */
export function createBillingDeps(options: BillingDepsOptions): BillingDeps {
  return {
    database: options.database,
    logger: options.logger,
    verifier: createJwtVerifier({ ...options.claims, keys: options.keys }),
    processor: options.processor,
    idempotencyStore: pgIdempotencyStore(options.database),
    audit: pgAuditSink(options.database),
    now: options.now ?? (() => new Date().toISOString()),
    pendingLeaseMs: options.pendingLeaseMs ?? 30_000,
  };
}

/** buildDeps(config): the only place that connects to PostgreSQL. */
export async function buildDeps(config: BillingConfig, processor: PaymentProcessor): Promise<BillingDeps> {
  const logger = createLogger({ service: "billing", level: config.LOG_LEVEL });
  const database = await connectPostgres(config.DATABASE_URL, { applicationName: "carebridge-billing" });
  return createBillingDeps({
    database,
    logger,
    keys: { jwksUrl: config.jwksUrl },
    claims: { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    processor,
    pendingLeaseMs: config.PAYMENT_PENDING_LEASE_MS,
  });
}
