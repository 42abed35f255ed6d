import type { Context } from "hono";
import { serviceUnavailable } from "./errors.ts";
import type { AppEnv, Role } from "./principal.ts";
import { type AuthedAppEnv, getPrincipal } from "./require-auth.ts";

/** What was done to the patient data. */
export type AuditAction = "read" | "create" | "update" | "delete" | "export";

/** One append-only record of access to a patient's data. */
export interface AuditRecord {
  /** UUIDv7. */
  id: string;
  actorUserId: string;
  actorRole: Role;
  patientId: string;
  /** What was touched, e.g. `patient`, `lab-results`, `fhir-bundle`. */
  resource: string;
  action: AuditAction;
  requestId: string;
  /** RFC 3339 UTC. */
  at: string;
}

/** Port to the audit log; no API may change or delete what it has written. */
export interface AuditSink {
  write(record: AuditRecord): Promise<void>;
}

/** What a handler says about the access it is about to serve. */
export interface PhiAccess {
  patientId: string;
  resource: string;
  /** Default `"read"`. */
  action?: AuditAction;
}

/**
 * Writes the audit record for serving a patient's data; call it before returning the data. Fails
 * closed: if the sink cannot write, the request fails with 503 and no PHI leaves unaudited.
 */
export async function auditPhiRead(
  c: Context<AppEnv> | Context<AuthedAppEnv>,
  sink: AuditSink,
  access: PhiAccess,
): Promise<AuditRecord> {
  const record = phiAuditRecord(c, access);
  try {
    await sink.write(record);
  } catch (err) {
    throw serviceUnavailable("The access could not be audited, so the data is withheld.", {
      code: "audit-unavailable",
      cause: err,
    });
  }
  return record;
}

/**
 * The audit record of serving `access` in this request (who, role, patient, resource, action,
 * request id, time), for a service that writes it itself in the transaction of a change.
 */
export function phiAuditRecord(c: Context<AppEnv> | Context<AuthedAppEnv>, access: PhiAccess): AuditRecord {
  const principal = getPrincipal(c);
  return {
    id: Bun.randomUUIDv7(),
    actorUserId: principal.userId,
    actorRole: principal.role,
    patientId: access.patientId,
    resource: access.resource,
    action: access.action ?? "read",
    requestId: c.var.requestId,
    at: new Date().toISOString(),
  };
}

/** In-memory {@link AuditSink} for unit tests of the audit hook; `fail()` makes writes throw. */
export function memoryAuditSink(): AuditSink & {
  readonly records: readonly AuditRecord[];
  fail(on?: boolean): void;
} {
  const records: AuditRecord[] = [];
  let failing = false;
  return {
    records,
    fail(on = true) {
      failing = on;
    },
    async write(record) {
      if (failing) throw new Error("audit sink unavailable");
      records.push(Object.freeze({ ...record }));
    },
  };
}
