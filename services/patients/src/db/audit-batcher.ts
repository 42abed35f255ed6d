import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type BatchWriteCommandOutput, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRecord, AuditSink } from "@carebridge/http";
import { auditItem } from "./audit-sink.ts";
import type { Store } from "./store.ts";

/** Options of {@link batchedAuditSink}. */
export interface AuditBatcherOptions {
  /** Records per write call (at most 100 for TransactWriteItems, 25 for BatchWriteItem). */
  maxBatch?: number;
  /** Write calls in flight at once; records arriving meanwhile wait for the next call. */
  maxInFlight?: number;
  /** Tries per record when DynamoDB throttles it or leaves it unprocessed, before its request fails. */
  maxAttempts?: number;
  /** Pause before retrying throttled or unprocessed records (doubled per try). */
  backoffMs?: number;
}

interface Waiter {
  item: Record<string, unknown>;
  attempts: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** Why a write was refused for one record while others of its call went through. */
export class AuditWriteError extends Error {
  override readonly name = "AuditWriteError";
}

/**
 * Group commit of PHI audit records: each `write` resolves only once its own record is durable in
 * DynamoDB, and rejects (→ 503 upstream) when that record could not be written. Records written by
 * concurrent requests share one call:
 * - native store: TransactWriteItems of ≤ 100 Puts, each `attribute_not_exists(PK)` (conditional
 *   create). A cancelled transaction wrote nothing: the record whose condition failed is refused,
 *   the others are sent again; throttled or conflicting records are retried `maxAttempts` times.
 * - emulated store (dynalite, no transactions): BatchWriteItem of ≤ 25 Puts. Its keys
 *   (`AUDIT#patient`, `<at>#<UUIDv7>`) are unique by construction, so a put creates and never
 *   replaces; unprocessed items are retried, then only their requests fail.
 * An error of the whole call fails exactly the requests whose records were in it.
 */
export function batchedAuditSink(store: Store, options: AuditBatcherOptions = {}): AuditSink {
  const native = store.mode === "native";
  const limit = native ? 100 : 25;
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? limit, limit));
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const backoffMs = options.backoffMs ?? 10;
  const queue: Waiter[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // After the current I/O turn, so every request that reached its audit in this turn joins.
    setImmediate(pump);
  };
  function pump() {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      (native ? transact(batch) : batchWrite(batch))
        .catch((error) => {
          // Not expected (both settle every waiter themselves); never leave a request hanging.
          for (const w of batch) w.reject(error);
        })
        .finally(() => {
          inFlight--;
          if (queue.length > 0) schedule();
        });
    }
  }
  /** Puts records back for another call after a pause, or fails them when out of tries. */
  const retry = (waiters: Waiter[], error: unknown) => {
    const again: Waiter[] = [];
    for (const w of waiters) {
      if (++w.attempts >= maxAttempts) w.reject(error);
      else again.push(w);
    }
    if (again.length === 0) return;
    setTimeout(
      () => {
        queue.unshift(...again);
        schedule();
      },
      backoffMs * 2 ** (again[0]!.attempts - 1),
    );
  };

  async function transact(batch: Waiter[]): Promise<void> {
    try {
      await store.doc.send(
        new TransactWriteCommand({
          TransactItems: batch.map((w) => ({
            Put: {
              TableName: store.tableName,
              Item: w.item,
              ConditionExpression: "attribute_not_exists(PK)",
            },
          })),
        }),
      );
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (!reasons || reasons.length !== batch.length) {
        for (const w of batch) w.reject(error);
        return;
      }
      const innocent: Waiter[] = [];
      const throttled: Waiter[] = [];
      reasons.forEach((reason, i) => {
        const w = batch[i]!;
        const code = reason.Code ?? "None";
        if (code === "None") innocent.push(w);
        else if (["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"].includes(code))
          throttled.push(w);
        else w.reject(new AuditWriteError(`audit record refused: ${code}`, { cause: error }));
      });
      // Nothing of a cancelled transaction was written: the innocent records go again at once.
      if (innocent.length > 0) {
        queue.unshift(...innocent);
        schedule();
      }
      retry(throttled, error);
      return;
    }
    for (const w of batch) w.resolve();
  }

  async function batchWrite(batch: Waiter[]): Promise<void> {
    let out: BatchWriteCommandOutput;
    try {
      out = await store.doc.send(
        new BatchWriteCommand({
          RequestItems: { [store.tableName]: batch.map((w) => ({ PutRequest: { Item: w.item } })) },
        }),
      );
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    const unprocessed = new Set(
      (out.UnprocessedItems?.[store.tableName] ?? []).map((r) => keyOf(r.PutRequest?.Item ?? {})),
    );
    const left: Waiter[] = [];
    for (const w of batch) {
      if (unprocessed.has(keyOf(w.item))) left.push(w);
      else w.resolve();
    }
    retry(left, new AuditWriteError("audit record left unprocessed by DynamoDB"));
  }

  return {
    write(record: AuditRecord) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item: auditItem(record), attempts: 0, resolve, reject });
        schedule();
      });
    },
  };
}

const keyOf = (item: Record<string, unknown>) => `${item.PK}\u0000${item.SK}`;
