import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRecord, AuditSink } from "@carebridge/http";
import type { Store } from "./store.ts";
import { keys } from "./table.ts";

/** The item of one audit record: `AUDIT#patientId`, `<at>#<id>` (unique: the id is a UUIDv7). */
export function auditItem(record: AuditRecord): Record<string, unknown> {
  return { PK: keys.audit(record.patientId), SK: `${record.at}#${record.id}`, entity: "audit", ...record };
}

/**
 * PHI audit on DynamoDB, one PutItem per record (the service wires `batchedAuditSink` from
 * `audit-batcher.ts`, which writes the same items in group commits): one item per record
 * (`AUDIT#patientId`, `<at>#<id>`), created with attribute_not_exists. This service has no code path that updates or deletes an audit item; in
 * the cloud the service role is also denied UpdateItem/DeleteItem on `AUDIT#*` keys (IAM
 * dynamodb:LeadingKeys).
 */
export function dynamoAuditSink(store: Store): AuditSink {
  return {
    async write(record) {
      await store.doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: auditItem(record),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    },
  };
}

/** A patient's audit trail, oldest first (for audits and tests; read-only). */
export async function listAudit(store: Store, patientId: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.audit(patientId) },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    records.push(...(page.Items ?? []).map(({ PK: _pk, SK: _sk, entity: _e, ...r }) => r as AuditRecord));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records;
}
