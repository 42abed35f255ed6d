import type { Database } from "@carebridge/db";
import type { AuditRecord, AuditSink } from "@carebridge/http";
import { phiAudit } from "./schema.ts";

/** The audit sink over the append-only `phi_audit` table. */
export function pgAuditSink(database: Database): AuditSink {
  return {
    async write(record: AuditRecord) {
      await database.db.insert(phiAudit).values({ ...record, at: new Date(record.at) });
    },
  };
}
