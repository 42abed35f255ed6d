import { expect, test } from "bun:test";
// kafkajs's own murmur2: the reference our in-memory adapter must agree with.
import kafkajsMurmur2 from "kafkajs/src/producer/partitioners/default/murmur2.js";
import { murmur2, partitionForKey } from "./partitioner.ts";

test("murmur2 matches kafkajs (and so the Java client) for ASCII and UTF-8 keys of every length", () => {
  const keys = [
    "",
    "a",
    "ab",
    "abc",
    "abcd",
    "abcde",
    "01936b2e-7c1a-7000-8000-000000000000",
    "ünïcødé-ключ-鍵",
  ];
  for (let i = 0; i < 200; i++) keys.push(crypto.randomUUID().slice(0, i % 37));
  for (const key of keys) expect(murmur2(key)).toBe(kafkajsMurmur2(key));
});

test("keys spread over partitions and stay put", () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) counts[partitionForKey(`patient-${i}`, 3)]!++;
  for (const c of counts) expect(c).toBeGreaterThan(800);
  expect(partitionForKey("same", 3)).toBe(partitionForKey("same", 3));
});
