import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { ProcessedEventStore, ReceivedEvent } from "@carebridge/kafka";
import { failedConditions, isRetriableStoreError, type Store, type TxItem } from "../db/store.ts";
import { keys } from "../db/table.ts";

/** Writes to commit with an event's marker, and what to do once they are committed (this process only). */
export interface EffectPlan {
  items: TxItem[];
  onCommitted?: () => void;
}

/** An event's effect as DynamoDB writes, computed from current state (no writes of its own). */
export type DynamoEffect = (event: ReceivedEvent) => Promise<TxItem[] | EffectPlan>;

/** A write in the effect lost a race (its condition failed): retried with fresh state. */
export class EffectConflictError extends Error {
  override readonly name = "EffectConflictError";
}

/**
 * Processed-event markers on DynamoDB: the marker item (`PROCESSED#group#eventId`, conditional
 * create) and the effect's items commit in one TransactWriteItems, so redelivery has no second effect.
 */
export function dynamoProcessedStore(store: Store, effect: DynamoEffect): ProcessedEventStore {
  return {
    async applyOnce(groupId, event) {
      const marker = { PK: keys.processed(groupId, event.id), SK: "PROCESSED" };
      const { Item } = await store.doc.send(
        new GetCommand({ TableName: store.tableName, Key: marker, ConsistentRead: true }),
      );
      if (Item) return false;
      const plan = await effect(event);
      const { items, onCommitted } = Array.isArray(plan) ? { items: plan, onCommitted: undefined } : plan;
      try {
        await store.transact([
          {
            Put: {
              TableName: "",
              Item: {
                ...marker,
                entity: "processed",
                type: event.type,
                topic: event.topic,
                at: new Date().toISOString(),
              },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          ...items,
        ]);
        onCommitted?.();
        return true;
      } catch (error) {
        const failed = failedConditions(error);
        if (failed.includes(0)) return false; // processed meanwhile by another member
        if (failed.length > 0)
          throw new EffectConflictError("a concurrent write won; retrying", { cause: error });
        throw error;
      }
    },
    isInfrastructureError: isRetriableStoreError,
  };
}
