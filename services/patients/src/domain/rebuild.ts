import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { allEvents, getPatient } from "../db/patient-queries.ts";
import type { Store } from "../db/store.ts";
import { keys } from "../db/table.ts";
import { replay } from "./patient.ts";

/** What a rebuild did. */
export interface RebuildReport {
  patients: number;
  /** Projections that differed from their replay and were rewritten. */
  rewritten: string[];
}

/** Every patient id with an event log (each has exactly one first event). */
export async function* patientIds(store: Store): AsyncGenerator<string> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: "SK = :first",
        ExpressionAttributeValues: { ":first": keys.event(1) },
        ProjectionExpression: "PK",
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) yield (item.PK as string).slice(keys.patient("").length);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/**
 * Rebuilds every patient projection by replaying its events and rewrites the ones that differ.
 * A projection that moved on meanwhile (a newer version) is left alone: it is newer than the replay.
 */
export async function rebuildProjections(store: Store): Promise<RebuildReport> {
  const report: RebuildReport = { patients: 0, rewritten: [] };
  for await (const patientId of patientIds(store)) {
    report.patients++;
    const replayed = replay(await allEvents(store, patientId));
    if (!replayed) continue;
    const current = await getPatient(store, patientId, true);
    if (current && JSON.stringify(sortKeys(current)) === JSON.stringify(sortKeys(replayed))) continue;
    try {
      await store.doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { PK: keys.patient(patientId), SK: keys.profile, entity: "profile", ...replayed },
          ConditionExpression: "attribute_not_exists(PK) OR #version <= :v",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":v": replayed.version },
        }),
      );
      report.rewritten.push(patientId);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return report;
}

function sortKeys(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}
