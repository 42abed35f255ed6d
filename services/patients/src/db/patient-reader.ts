import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import type { PatientRecord } from "../domain/patient.ts";
import { toPatient } from "./patient-queries.ts";
import type { Store } from "./store.ts";
import { keys } from "./table.ts";

/** Reads patient records (the `PROFILE` projection). */
export interface PatientReader {
  get(patientId: string): Promise<PatientRecord | null>;
}

/** Options of {@link batchedPatientReader}. */
export interface PatientReaderOptions {
  /** Keys per BatchGetItem (DynamoDB allows 100). */
  maxBatch?: number;
  /** Calls in flight at once; reads asked meanwhile wait for the next call (bigger batches under load). */
  maxInFlight?: number;
  /** Tries for keys DynamoDB leaves unprocessed (throttling) before their requests fail. */
  maxAttempts?: number;
  /** Pause before asking again for unprocessed keys (doubled per try). */
  backoffMs?: number;
}

/** DynamoDB kept returning some keys unprocessed. */
export class PatientReadError extends Error {
  override readonly name = "PatientReadError";
}

type Waiters = Array<{ resolve(record: PatientRecord | null): void; reject(error: unknown): void }>;

/**
 * Coalesces the record reads of concurrent requests into BatchGetItem calls (the DataLoader
 * pattern), never a cache: a read joins only a call that has not been sent yet, so every caller
 * gets the item as DynamoDB has it after the caller asked, exactly what its own GetItem would have
 * returned (same read consistency as `getPatient`). Callers asking for the same id in one turn
 * share one key. An error fails exactly the callers whose keys were in the failed call.
 */
export function batchedPatientReader(store: Store, options: PatientReaderOptions = {}): PatientReader {
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 100, 100));
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const backoffMs = options.backoffMs ?? 10;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 2);
  let pending = new Map<string, Waiters>();
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // After the current I/O turn, so every request that asked in this turn joins.
    setImmediate(flush);
  };
  function flush() {
    scheduled = false;
    if (inFlight >= maxInFlight || pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += maxBatch) {
      inFlight++;
      const chunk = ids.slice(i, i + maxBatch);
      read(chunk, batch)
        .catch((error) => {
          // Not expected (read settles every waiter itself); never leave a request hanging.
          for (const id of chunk) for (const w of batch.get(id)!) w.reject(error);
        })
        .finally(() => {
          inFlight--;
          if (pending.size > 0) schedule();
        });
    }
  }

  async function read(ids: string[], waiters: Map<string, Waiters>): Promise<void> {
    let left = ids;
    for (let attempt = 1; left.length > 0; attempt++) {
      let found: Record<string, unknown>[];
      let unprocessed: Set<string>;
      try {
        const out = await store.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [store.tableName]: { Keys: left.map((id) => ({ PK: keys.patient(id), SK: keys.profile })) },
            },
          }),
        );
        found = out.Responses?.[store.tableName] ?? [];
        unprocessed = new Set((out.UnprocessedKeys?.[store.tableName]?.Keys ?? []).map((k) => String(k.PK)));
      } catch (error) {
        for (const id of left) for (const w of waiters.get(id)!) w.reject(error);
        return;
      }
      const items = new Map(found.map((item) => [String(item.PK), item]));
      for (const id of left) {
        const pk = keys.patient(id);
        if (unprocessed.has(pk)) continue;
        const item = items.get(pk);
        for (const w of waiters.get(id)!) w.resolve(item ? toPatient(item) : null);
      }
      left = left.filter((id) => unprocessed.has(keys.patient(id)));
      if (left.length === 0) return;
      if (attempt >= maxAttempts) {
        const error = new PatientReadError("patient records left unprocessed by DynamoDB");
        for (const id of left) for (const w of waiters.get(id)!) w.reject(error);
        return;
      }
      await Bun.sleep(backoffMs * 2 ** (attempt - 1));
    }
  }

  return {
    get(patientId) {
      return new Promise((resolve, reject) => {
        const waiters = pending.get(patientId);
        if (waiters) {
          waiters.push({ resolve, reject });
          return;
        }
        pending.set(patientId, [{ resolve, reject }]);
        schedule();
      });
    },
  };
}
