import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { makeEvent } from "@carebridge/contracts";
import type { Actor, PatientEvent, PatientEventType, PatientRecord } from "../domain/patient.ts";
import { outboxItems } from "./outbox.ts";
import { failedConditions, type Store, type TxItem } from "./store.ts";
import { keys } from "./table.ts";

const SOURCE = "/carebridge/patients";

/** The projection of a patient record, or null. */
export async function getPatient(
  store: Store,
  patientId: string,
  consistent = false,
): Promise<PatientRecord | null> {
  const { Item } = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.patient(patientId), SK: keys.profile },
      ConsistentRead: consistent,
    }),
  );
  return Item ? toPatient(Item) : null;
}

/** The record fields of a profile item (keys and bookkeeping stripped). */
export function toPatient(item: Record<string, unknown>): PatientRecord {
  const { PK: _pk, SK: _sk, entity: _entity, ...record } = item;
  return record as unknown as PatientRecord;
}

/** One page of a patient's events, oldest first; `after` is the last seq of the previous page. */
export async function listEvents(
  store: Store,
  patientId: string,
  page: { limit: number; after?: number } = { limit: 1000 },
): Promise<{ events: PatientEvent[]; hasMore: boolean }> {
  const { Items = [], LastEvaluatedKey } = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": keys.patient(patientId),
        ":from": keys.event((page.after ?? 0) + 1),
        ":to": `${keys.eventPrefix}~`,
      },
      ConsistentRead: true,
      Limit: page.limit,
    }),
  );
  return { events: Items.map(toEvent), hasMore: LastEvaluatedKey !== undefined };
}

/** Every event of a patient, oldest first. */
export async function allEvents(store: Store, patientId: string): Promise<PatientEvent[]> {
  const events: PatientEvent[] = [];
  for (;;) {
    const page = await listEvents(store, patientId, { limit: 500, after: events.at(-1)?.seq });
    events.push(...page.events);
    if (!page.hasMore) return events;
  }
}

function toEvent(item: Record<string, unknown>): PatientEvent {
  return {
    seq: item.seq as number,
    type: item.type as PatientEventType,
    occurredAt: item.occurredAt as string,
    actor: item.actor as Actor,
    data: item.data as Record<string, unknown>,
  };
}

/** Another writer changed the record first (the expected version is stale). */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
}

/** A change to a patient record: its new events, the projection after them, the Kafka events. */
export interface RecordChange {
  /** The projection's version the change was computed from (0: the record must not exist yet). */
  expectedVersion: number;
  events: PatientEvent[];
  next: PatientRecord;
  kafka: ReturnType<typeof makeEvent>[];
  extra?: TxItem[];
}

/**
 * The items of one transaction appending `change`: each event item only if its seq is free, the
 * projection only if it is still at `expectedVersion`, the Kafka events in the outbox, `extra`.
 */
export function appendItems(change: RecordChange): TxItem[] {
  const pk = keys.patient(change.next.id);
  return [
    ...change.events.map(
      (event): TxItem => ({
        Put: {
          TableName: "",
          Item: { PK: pk, SK: keys.event(event.seq), entity: "event", ...event },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      }),
    ),
    {
      Put: {
        TableName: "",
        Item: { PK: pk, SK: keys.profile, entity: "profile", ...change.next },
        ...(change.expectedVersion === 0
          ? { ConditionExpression: "attribute_not_exists(PK)" }
          : {
              ConditionExpression: "#version = :expected",
              ExpressionAttributeNames: { "#version": "version" },
              ExpressionAttributeValues: { ":expected": change.expectedVersion },
            }),
      },
    },
    ...outboxItems(change.kafka),
    ...(change.extra ?? []),
  ];
}

/** Commits {@link appendItems}; throws {@link VersionConflictError} when another writer won. */
export async function appendEvents(store: Store, change: RecordChange): Promise<void> {
  const items = appendItems(change);
  try {
    await store.transact(items);
  } catch (error) {
    const failed = failedConditions(error);
    if (failed.some((i) => i <= change.events.length))
      throw new VersionConflictError("the record changed", { cause: error });
    throw error;
  }
}

/** The contract event announcing a record's state after a change (`patient.registered` / `patient.updated`). */
export function patientEvent(
  type: PatientEventType,
  record: PatientRecord,
  occurredAt: string,
  changed: string[] = [],
): ReturnType<typeof makeEvent> {
  const state = {
    patientId: record.id,
    userId: record.userId,
    name: record.name,
    email: record.email,
    insurance: record.insurance,
    version: record.version,
    occurredAt,
  };
  return type === "patient.registered"
    ? makeEvent("patient.registered", state, { source: SOURCE })
    : makeEvent("patient.updated", { ...state, changedFields: changed }, { source: SOURCE });
}

/** Makes an event for `makeEvent` users elsewhere in this service. */
export { SOURCE as EVENT_SOURCE };
