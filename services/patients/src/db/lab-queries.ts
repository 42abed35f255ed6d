import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { makeEvent } from "@carebridge/contracts";
import type { LabResultRecord } from "../domain/fhir-bundle.ts";
import { type AlertRecord, alertSortKey } from "./alert-queries.ts";
import { outboxItems } from "./outbox.ts";
import { EVENT_SOURCE } from "./patient-queries.ts";
import { failedConditions, type Store, type TxItem } from "./store.ts";
import { keys } from "./table.ts";

/** An upload URL issued for a report: only issued reports may become lab results. */
export interface UploadRecord {
  reportId: string;
  patientId: string;
  key: string;
  fileName: string;
  issuedBy: string;
  issuedAt: string;
  expiresAt: string;
}

/** Records an issued upload (a new report id, so a plain conditional create). */
export async function putUpload(store: Store, upload: UploadRecord): Promise<void> {
  await store.doc.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        PK: keys.patient(upload.patientId),
        SK: keys.upload(upload.reportId),
        entity: "upload",
        ...upload,
      },
      ConditionExpression: "attribute_not_exists(PK)",
    }),
  );
}

/** The upload issued for `reportId` to this patient, or null. */
export async function getUpload(
  store: Store,
  patientId: string,
  reportId: string,
): Promise<UploadRecord | null> {
  const { Item } = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.patient(patientId), SK: keys.upload(reportId) },
      ConsistentRead: true,
    }),
  );
  return (Item as UploadRecord | undefined) ?? null;
}

/** The lab result recorded for a report, or null. */
export async function getResultForReport(store: Store, reportId: string): Promise<LabResultRecord | null> {
  const { Item } = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.report(reportId), SK: "REPORT" },
      ConsistentRead: true,
    }),
  );
  return Item ? (Item.result as LabResultRecord) : null;
}

/**
 * Records a lab result (and its alert) once per report: the `REPORT#id` item (conditional create),
 * the result, the alert and their events commit together. Returns the result stored for the report,
 * which is `result` unless another call recorded the same report first.
 */
export async function recordLabResult(
  store: Store,
  result: LabResultRecord,
  alert: AlertRecord | null,
): Promise<{ created: boolean; result: LabResultRecord }> {
  const kafka = [
    makeEvent(
      "labresult.recorded",
      {
        labResultId: result.id,
        reportId: result.reportId,
        patientId: result.patientId,
        collectedAt: result.collectedAt,
        receivedAt: result.receivedAt,
        analytes: result.analytes,
      },
      { source: EVENT_SOURCE },
    ),
    ...(alert
      ? [
          makeEvent(
            "alert.raised",
            {
              alertId: alert.id,
              patientId: alert.patientId,
              labResultId: alert.labResultId,
              severity: alert.severity,
              summary: alert.summary,
              createdAt: alert.createdAt,
            },
            { source: EVENT_SOURCE },
          ),
        ]
      : []),
  ];
  const items: TxItem[] = [
    {
      Put: {
        TableName: "",
        Item: {
          PK: keys.report(result.reportId),
          SK: "REPORT",
          entity: "report",
          patientId: result.patientId,
          result,
        },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    {
      Put: {
        TableName: "",
        Item: {
          PK: keys.patient(result.patientId),
          SK: keys.labResult(result.receivedAt, result.id),
          entity: "lab-result",
          ...result,
        },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    ...(alert
      ? [
          {
            Put: {
              TableName: "",
              Item: {
                PK: keys.alert(alert.id),
                SK: "ALERT",
                GSI1PK: keys.patientAlerts(alert.patientId),
                GSI1SK: alertSortKey(alert),
                entity: "alert",
                ...alert,
              },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          } satisfies TxItem,
        ]
      : []),
    ...outboxItems(kafka),
  ];
  try {
    await store.transact(items);
    return { created: true, result };
  } catch (error) {
    if (!failedConditions(error).includes(0)) throw error;
    const existing = await getResultForReport(store, result.reportId);
    if (!existing) throw error;
    return { created: false, result: existing };
  }
}

/** One page of a patient's lab results, newest first; the cursor is the last item's sort key. */
export async function listLabResults(
  store: Store,
  patientId: string,
  page: { limit: number; after?: string },
): Promise<{ items: LabResultRecord[]; next: string | null }> {
  const { Items = [], LastEvaluatedKey } = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.patient(patientId), ":prefix": keys.labPrefix },
      ScanIndexForward: false,
      Limit: page.limit,
      ...(page.after ? { ExclusiveStartKey: { PK: keys.patient(patientId), SK: page.after } } : {}),
    }),
  );
  return {
    items: Items.map(({ PK: _pk, SK: _sk, entity: _e, ...r }) => r as LabResultRecord),
    next: LastEvaluatedKey ? (LastEvaluatedKey.SK as string) : null,
  };
}
