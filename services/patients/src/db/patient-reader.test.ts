import { describe, expect, test } from "bun:test";
import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { batchedPatientReader } from "./patient-reader.ts";
import type { Store } from "./store.ts";

type Sent = { keys: string[]; release: (outcome: { error?: unknown; output?: unknown }) => void };

/** A store whose BatchGetItem calls wait until the test answers them. */
function heldStore() {
  const sent: Sent[] = [];
  const store = {
    tableName: "t",
    mode: "emulated",
    doc: {
      send: (command: BatchGetCommand) =>
        new Promise((resolve, reject) => {
          expect(command).toBeInstanceOf(BatchGetCommand);
          const keys = (command.input.RequestItems?.t?.Keys ?? []).map((k) => {
            expect(k.SK).toBe("PROFILE");
            return String(k.PK);
          });
          sent.push({ keys, release: (o) => (o.error ? reject(o.error) : resolve(o.output)) });
        }),
    },
  } as unknown as Store;
  return { store, sent };
}

const item = (id: string) => ({ PK: `PATIENT#${id}`, SK: "PROFILE", entity: "profile", id, version: 1 });
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("batched patient reads", () => {
  test("reads of one turn share one BatchGetItem sent after they asked; each gets its own record (or null)", async () => {
    const { store, sent } = heldStore();
    const reader = batchedPatientReader(store);
    const reads = ["a", "b", "a", "missing"].map((id) => reader.get(id));
    expect(sent).toHaveLength(0); // not sent before the turn ends: later askers of this turn join
    await tick();
    expect(sent.map((s) => s.keys)).toEqual([["PATIENT#a", "PATIENT#b", "PATIENT#missing"]]);
    // A read asked now is not served by the call already sent: it waits for a new one.
    const late = reader.get("a");
    sent[0]!.release({ output: { Responses: { t: [item("b"), item("a")] } } });
    const [a1, b, a2, missing] = await Promise.all(reads);
    expect(a1).toEqual({ id: "a", version: 1 } as never);
    expect(a2).toEqual(a1!);
    expect(a2).not.toBe(a1); // copies: one caller cannot alter another's
    expect(b).toEqual({ id: "b", version: 1 } as never);
    expect(missing).toBeNull();
    await tick();
    expect(sent[1]!.keys).toEqual(["PATIENT#a"]);
    sent[1]!.release({ output: { Responses: { t: [{ ...item("a"), version: 2 }] } } });
    expect(await late).toMatchObject({ version: 2 });
  });

  test("at most 100 keys per call; an error fails only the callers of the failed call", async () => {
    const { store, sent } = heldStore();
    const reader = batchedPatientReader(store);
    const ids = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const reads = ids.map((id) =>
      reader.get(id).then(
        (r) => r?.id ?? null,
        () => "failed",
      ),
    );
    await tick();
    expect(sent.map((s) => s.keys.length)).toEqual([100, 50]);
    sent[0]!.release({ error: new Error("throttled for good") });
    sent[1]!.release({ output: { Responses: { t: ids.slice(100).map(item) } } });
    const results = await Promise.all(reads);
    expect(results.slice(0, 100).every((r) => r === "failed")).toBe(true);
    expect(results.slice(100)).toEqual(ids.slice(100));
  });

  test("unprocessed keys are asked again, then fail alone", async () => {
    const { store, sent } = heldStore();
    const reader = batchedPatientReader(store, { maxAttempts: 2, backoffMs: 1 });
    const reads = ["a", "b", "c"].map((id) =>
      reader.get(id).then(
        (r) => r?.id ?? null,
        () => "failed",
      ),
    );
    await tick();
    const unprocessed = (ids: string[]) => ({
      t: { Keys: ids.map((id) => ({ PK: `PATIENT#${id}`, SK: "PROFILE" })) },
    });
    sent[0]!.release({ output: { Responses: { t: [item("a")] }, UnprocessedKeys: unprocessed(["b", "c"]) } });
    await tick(20);
    expect(sent[1]!.keys).toEqual(["PATIENT#b", "PATIENT#c"]);
    sent[1]!.release({ output: { Responses: { t: [item("b")] }, UnprocessedKeys: unprocessed(["c"]) } });
    expect(await Promise.all(reads)).toEqual(["a", "b", "failed"]);
  });
});
