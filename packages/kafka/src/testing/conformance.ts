import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Batch, ConsumedMessage, EventLog } from "../port.ts";

/** Waits until `check` returns true, or fails with `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
const records = (topic: string, keys: number, perKey: number) =>
  Array.from({ length: keys * perKey }, (_, i) => ({
    topic,
    key: `key-${i % keys}`,
    value: JSON.stringify({ seq: Math.floor(i / keys) }),
    headers: { ce_id: `${topic}-${i}`, "content-type": "application/json" },
  }));

/**
 * The EventLog contract, run against every adapter (in-memory and kafkajs on a real broker):
 * the same behaviour is what lets the embedded stack stand in for Kafka.
 */
export function eventLogConformance(name: string, open: () => Promise<EventLog>) {
  describe(`EventLog conformance: ${name}`, () => {
    let log: EventLog;
    beforeAll(async () => {
      log = await open();
    });
    afterAll(async () => {
      await log.close();
    });

    const collect = async (groupId: string, topic: string, into: ConsumedMessage[], options = {}) =>
      log.consume({ groupId, topics: [topic], ...options }, async (batch) => {
        into.push(...batch.messages);
      });

    test("delivers every record once, per-key order kept, keys and headers intact", async () => {
      const topic = unique("conf-order");
      await log.createTopics([{ name: topic, partitions: 3 }]);
      await log.createTopics([{ name: topic, partitions: 3 }]); // idempotent
      const sent = records(topic, 7, 30);
      await log.send(sent.slice(0, 100));
      await log.send(sent.slice(100));
      const got: ConsumedMessage[] = [];
      const consumer = await collect(unique("g"), topic, got);
      await waitFor("all records", () => got.length >= sent.length);
      await consumer.stop();
      expect(got.length).toBe(sent.length);
      expect(new Set(got.map((m) => m.headers.ce_id)).size).toBe(sent.length);
      for (let k = 0; k < 7; k++) {
        const seqs = got.filter((m) => m.key === `key-${k}`).map((m) => JSON.parse(m.value).seq);
        expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i));
      }
      const partitionsOfKey = new Map<string, Set<number>>();
      for (const m of got)
        partitionsOfKey.set(m.key, (partitionsOfKey.get(m.key) ?? new Set()).add(m.partition));
      for (const parts of partitionsOfKey.values()) expect(parts.size).toBe(1);
      expect(got[0]!.headers["content-type"]).toBe("application/json");
      const ends = await log.endOffsets(topic);
      expect([...ends.values()].reduce((a, b) => a + Number(b), 0)).toBe(sent.length);
    });

    test("members of one group split the partitions; another group gets everything", async () => {
      const topic = unique("conf-groups");
      await log.createTopics([{ name: topic, partitions: 4 }]);
      const groupId = unique("g");
      const a: ConsumedMessage[] = [];
      const b: ConsumedMessage[] = [];
      const other: ConsumedMessage[] = [];
      const ca = await collect(groupId, topic, a);
      const cb = await collect(groupId, topic, b);
      const co = await collect(unique("g"), topic, other);
      const sent = records(topic, 40, 5);
      await log.send(sent);
      await waitFor("both groups", () => a.length + b.length >= sent.length && other.length >= sent.length);
      await Promise.all([ca.stop(), cb.stop(), co.stop()]);
      expect(other.length).toBe(sent.length);
      expect(a.length + b.length).toBe(sent.length);
      const pa = new Set(a.map((m) => m.partition));
      const pb = new Set(b.map((m) => m.partition));
      expect([...pa].filter((p) => pb.has(p))).toEqual([]);
      expect(pa.size).toBeGreaterThan(0);
      expect(pb.size).toBeGreaterThan(0);
    });

    test("a new member resumes from the committed offsets", async () => {
      const topic = unique("conf-commit");
      await log.createTopics([{ name: topic, partitions: 2 }]);
      const groupId = unique("g");
      const first: ConsumedMessage[] = [];
      await log.send(records(topic, 4, 10));
      const c1 = await collect(groupId, topic, first);
      await waitFor("first 40", () => first.length >= 40);
      await c1.stop();
      const committed = await log.committedOffsets(groupId, topic);
      expect([...committed.values()].reduce((a, b) => a + Number(b), 0)).toBe(40);
      await log.send(
        records(topic, 4, 10).map((r) => ({
          ...r,
          headers: { ...r.headers, ce_id: `${r.headers.ce_id}-b` },
        })),
      );
      const second: ConsumedMessage[] = [];
      const c2 = await collect(groupId, topic, second);
      await waitFor("second 40", () => second.length >= 40);
      await c2.stop();
      expect(second.length).toBe(40);
      expect(second.every((m) => m.headers.ce_id!.endsWith("-b"))).toBe(true);
    });

    test("a batch whose handler throws is delivered again, nothing skipped", async () => {
      const topic = unique("conf-redeliver");
      await log.createTopics([{ name: topic, partitions: 1 }]);
      await log.send(records(topic, 1, 20));
      const seen: string[] = [];
      let failures = 0;
      const consumer = await log.consume({ groupId: unique("g"), topics: [topic] }, async (batch: Batch) => {
        if (failures < 2) {
          failures++;
          throw new Error("transient");
        }
        seen.push(...batch.messages.map((m) => m.headers.ce_id!));
      });
      await waitFor("redelivery", () => seen.length >= 20);
      await consumer.stop();
      expect(failures).toBe(2);
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `${topic}-${i}`));
    });

    test("a record re-driven for one group reaches only that group, and the others commit past it", async () => {
      const topic = unique("conf-redrive");
      await log.createTopics([{ name: topic, partitions: 1 }]);
      const [plain, forBilling, forAnalytics] = records(topic, 1, 3);
      await log.send([
        plain!,
        { ...forBilling!, headers: { ...forBilling!.headers, "redrive-group": "billing" } },
        { ...forAnalytics!, headers: { ...forAnalytics!.headers, "redrive-group": "analytics" } },
      ]);
      const got: ConsumedMessage[] = [];
      const consumer = await collect("analytics", topic, got);
      await waitFor(
        "committed past all three",
        async () => (await log.committedOffsets("analytics", topic)).get(0) === "3",
      );
      await consumer.stop();
      expect(got.map((m) => m.headers.ce_id)).toEqual([plain!.headers.ce_id, forAnalytics!.headers.ce_id]);
    });

    test("a handler that takes only the first n records gets the rest again", async () => {
      const topic = unique("conf-prefix");
      await log.createTopics([{ name: topic, partitions: 1 }]);
      await log.send(records(topic, 1, 10));
      const seen: string[] = [];
      let first = true;
      const consumer = await log.consume({ groupId: unique("g"), topics: [topic] }, async (batch) => {
        const take = first ? 4 : batch.messages.length;
        first = false;
        seen.push(...batch.messages.slice(0, take).map((m) => m.headers.ce_id!));
        return take;
      });
      await waitFor("all ten", () => seen.length >= 10);
      await consumer.stop();
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `${topic}-${i}`));
    });

    test("fromBeginning: false starts a new group at the end", async () => {
      const topic = unique("conf-latest");
      await log.createTopics([{ name: topic, partitions: 2 }]);
      await log.send(records(topic, 2, 5));
      const got: ConsumedMessage[] = [];
      const consumer = await collect(unique("g"), topic, got, { fromBeginning: false });
      const later = records(topic, 2, 5).map((r) => ({
        ...r,
        headers: { ...r.headers, ce_id: `late-${r.headers.ce_id}` },
      }));
      await log.send(later);
      await waitFor("later records", () => got.length >= later.length);
      await Bun.sleep(200);
      await consumer.stop();
      expect(got.map((m) => m.headers.ce_id).sort()).toEqual(later.map((r) => r.headers.ce_id).sort());
    });
  });
}
