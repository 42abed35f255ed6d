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
import type { AppointmentsConfig } from "./config.ts";
import { executorRunner, preparedRunner, type StatementRunner } from "./db/booking-statement.ts";
import { createDoctorCache, type DoctorCache } from "./db/doctor-cache.ts";
import { pgAuditSink } from "./db/phi-audit.ts";

/** The clock: epoch milliseconds now (injected so tests can move time). */
export type Clock = () => number;

/** Everything the appointments app needs; built once per process (or per test). */
export interface AppointmentsDeps {
  database: Database;
  logger: Logger;
  verifier: JwtVerifier;
  idempotency: IdempotencyStore;
  /** Where reads of patient data are recorded (fails closed: no record, no data). */
  audit: AuditSink;
  clock: Clock;
  /** Doctors remembered by this process (bookings, slot search). */
  doctors: DoctorCache;
  /** Runs the booking statement: prepared through postgres.js on PostgreSQL, through drizzle on PGlite. */
  runStatement: StatementRunner;
}

/** Options of {@link createAppointmentsDeps}. */
export interface AppointmentsDepsOptions {
  database: Database;
  logger: Logger;
  keys: JwtKeySource;
  claims?: { issuer: string; audience: string };
  clock?: Clock;
  audit?: AuditSink;
  /** How long a specialty's doctors are served from memory in slot search. Default 2000 ms. */
  doctorListTtlMs?: number;
}

/** Wires the verifier and the idempotency store around an open database. */
export function createAppointmentsDeps(options: AppointmentsDepsOptions): AppointmentsDeps {
  const claims = options.claims ?? { issuer: "https://carebridge.dev/auth", audience: "carebridge" };
  return {
    database: options.database,
    logger: options.logger,
    verifier: createJwtVerifier({ ...claims, keys: options.keys }),
    idempotency: pgIdempotencyStore(options.database),
    audit: options.audit ?? pgAuditSink(options.database),
    clock: options.clock ?? Date.now,
    doctors: createDoctorCache({ ttlMs: options.doctorListTtlMs }),
    runStatement: preparedRunner(options.database) ?? executorRunner(options.database.db),
  };
}

/** buildDeps(config): the only place that connects to PostgreSQL. */
export async function buildDeps(config: AppointmentsConfig): Promise<AppointmentsDeps> {
  const logger = createLogger({ service: "appointments", level: config.LOG_LEVEL });
  const database = await connectPostgres(config.DATABASE_URL, {
    applicationName: "carebridge-appointments",
    max: config.DATABASE_POOL_SIZE,
  });
  return createAppointmentsDeps({
    database,
    logger,
    keys: { jwksUrl: config.jwksUrl },
    claims: { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
  });
}
