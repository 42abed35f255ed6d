import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { makeEvent } from "@carebridge/contracts";
import { outboxItems } from "./outbox.ts";
import { EVENT_SOURCE } from "./patient-queries.ts";
import { failedConditions, type Store } from "./store.ts";
import { GSI1, keys } from "./table.ts";

/** The contract's `alert`. */
export interface AlertRecord {
  id: string;
  patientId: string;
  labResultId: string;
  severity: "warning" | "critical";
  summary: string;
  status: "open" | "acknowledged";
  createdAt: string;
}

const FIELDS = ["id", "patientId", "labResultId", "severity", "summary", "status", "createdAt"] as const;

function toAlert(item: Record<string, unknown>): AlertRecord {
  return Object.fromEntries(FIELDS.map((f) => [f, item[f]])) as unknown as AlertRecord;
}

/** An alert by id, or null. */
export async function getAlert(store: Store, alertId: string): Promise<AlertRecord | null> {
  const { Item } = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.alert(alertId), SK: "ALERT" },
      ConsistentRead: true,
    }),
  );
  return Item ? toAlert(Item) : null;
}

/** Where an alert sorts in a patient's alert index (`createdAt#id`: newest first when descending). */
export const alertSortKey = (alert: Pick<AlertRecord, "createdAt" | "id">) =>
  `${alert.createdAt}#${alert.id}`;

/**
 * The newest `count` alerts of a patient (optionally of one status) that sort before `before`
 * (an {@link alertSortKey}; all when absent), newest first. Reads at most `count` index items per
 * round trip, so without `status` one query of ≤ `count` items; with `status`, rounds continue past
 * alerts of the other status until `count` are found or the index ends.
 */
export async function patientAlerts(
  store: Store,
  patientId: string,
  options: { count: number; status?: AlertRecord["status"]; before?: string },
): Promise<AlertRecord[]> {
  const { count, status, before } = options;
  const alerts: AlertRecord[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1,
        KeyConditionExpression: before ? "GSI1PK = :pk AND GSI1SK < :before" : "GSI1PK = :pk",
        ExpressionAttributeValues: {
          ":pk": keys.patientAlerts(patientId),
          ...(before ? { ":before": before } : {}),
          ...(status ? { ":status": status } : {}),
        },
        ...(status
          ? { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } }
          : {}),
        ScanIndexForward: false,
        Limit: count - alerts.length,
        ExclusiveStartKey,
      }),
    );
    alerts.push(...(page.Items ?? []).map(toAlert));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && alerts.length < count);
  return alerts;
}

/**
 * Marks an open alert acknowledged, with `alert.acknowledged` in the same transaction. Returns the
 * alert as it is afterwards; acknowledging an acknowledged alert changes nothing.
 */
export async function acknowledgeAlert(
  store: Store,
  alert: AlertRecord,
  doctorId: string,
): Promise<AlertRecord> {
  if (alert.status === "acknowledged") return alert;
  const acknowledgedAt = new Date().toISOString();
  const event = makeEvent(
    "alert.acknowledged",
    { alertId: alert.id, patientId: alert.patientId, acknowledgedBy: doctorId, acknowledgedAt },
    { source: EVENT_SOURCE },
  );
  try {
    await store.transact([
      {
        Update: {
          TableName: "",
          Key: { PK: keys.alert(alert.id), SK: "ALERT" },
          UpdateExpression: "SET #status = :ack, acknowledgedBy = :by, acknowledgedAt = :at",
          ConditionExpression: "#status = :open",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":ack": "acknowledged",
            ":open": "open",
            ":by": doctorId,
            ":at": acknowledgedAt,
          },
        },
      },
      ...outboxItems([event]),
    ]);
  } catch (error) {
    if (!failedConditions(error).includes(0)) throw error; // acknowledged meanwhile: the same outcome
  }
  return { ...alert, status: "acknowledged" };
}
