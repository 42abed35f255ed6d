import type { Database } from "@carebridge/db";
import type { AuditSink } from "@carebridge/http";
import { billingAudit } from "./schema.ts";

/** Writes audit records to the append-only `billing_audit` table. */
export function pgAuditSink(database: Database): AuditSink {
  return {
    async write(record) {
      await database.db.insert(billingAudit).values(record);
    },
  };
}
