import type { Executor } from "@carebridge/db";
import { authAudit } from "./schema.ts";

/** What the audit trail records. */
export type AuditAction =
  | "login.succeeded"
  | "login.failed"
  | "token.refreshed"
  | "token.reuse-detected"
  | "user.created"
  | "client.token-issued"
  | "key.created";

/** One audit row. */
export interface AuditEntry {
  action: AuditAction;
  userId?: string | null;
  email?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends to `auth_audit` (in the caller's transaction when given one). */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db.insert(authAudit).values({
    action: entry.action,
    userId: entry.userId ?? null,
    email: entry.email ?? null,
    ip: entry.ip ?? null,
    detail: entry.detail ?? null,
  });
}
