import type { Database, Executor } from "@carebridge/db";
import { type AuditRecord, type AuditSink, serviceUnavailable } from "@carebridge/http";
import { phiAudit } from "./schema.ts";

/** The audit sink over the append-only `phi_audit` table. */
export function pgAuditSink(database: Database): AuditSink {
  return {
    async write(record: AuditRecord) {
      await database.db.insert(phiAudit).values({ ...record, at: new Date(record.at) });
    },
  };
}

/**
 * Writes `record` in the transaction of the change whose response it audits: the change and its
 * record commit together, so a change is never unaudited and never answered 503 after committing.
 */
export async function writePhiAudit(tx: Executor, record: AuditRecord): Promise<void> {
  try {
    await tx.insert(phiAudit).values({ ...record, at: new Date(record.at) });
  } catch (cause) {
    throw serviceUnavailable("The change could not be audited, so it was not made.", {
      code: "audit-unavailable",
      cause,
    });
  }
}
