import { describe, expect, test } from "bun:test";
import { EVENT_TYPE_NAMES, EVENT_TYPES } from "./registry.ts";
import { allTopicNames, dlqTopic, TOPIC, TOPICS, topicSpec, topicsToCreate } from "./topics.ts";

describe("TOPICS", () => {
  test("every event type's topic exists and lists the type", () => {
    for (const type of EVENT_TYPE_NAMES) {
      expect({ type, listed: topicSpec(EVENT_TYPES[type].topic)?.eventTypes.includes(type) }).toEqual({
        type,
        listed: true,
      });
    }
  });

  test("every type a topic carries is a registered event type", () => {
    for (const spec of TOPICS) for (const type of spec.eventTypes) expect(EVENT_TYPE_NAMES).toContain(type);
  });

  test("every contract topic is specified exactly once", () => {
    const names = TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.toSorted()).toEqual(Object.values(TOPIC).toSorted());
  });

  test("late events carry the appointment events the window job reads", () => {
    const appointmentTypes = EVENT_TYPE_NAMES.filter((t) => EVENT_TYPES[t].topic === TOPIC.appointments);
    expect(topicSpec(TOPIC.lateEvents)?.eventTypes).toEqual(appointmentTypes);
  });

  test("only the upsert topic is compacted, and compaction keeps records without a time limit", () => {
    const compacted = TOPICS.filter((t) => t.cleanupPolicy === "compact");
    expect(compacted.map((t) => t.name)).toEqual([TOPIC.appointmentsPerMinute]);
    expect(compacted[0]?.retentionMs).toBe(-1);
    for (const t of TOPICS.filter((t) => t.cleanupPolicy === "delete"))
      expect(t.retentionMs).toBeGreaterThan(0);
  });

  test("topicSpec returns undefined for a name outside the contract", () => {
    expect(topicSpec("appointments.dlq")).toBeUndefined();
  });
});

describe("topic names for creation", () => {
  test("allTopicNames lists each topic and its .dlq twin (every topic has one, per the contract)", () => {
    const names = allTopicNames();
    for (const spec of TOPICS) {
      expect(names).toContain(spec.name);
      expect(names).toContain(`${spec.name}.dlq`);
    }
    expect(names.length).toBe(2 * TOPICS.length);
  });

  test("dlqTopic appends .dlq", () => {
    expect(dlqTopic("appointments")).toBe("appointments.dlq");
  });

  test("topicsToCreate matches allTopicNames and never compacts a DLQ", () => {
    const toCreate = topicsToCreate();
    expect(toCreate.map((t) => t.name)).toEqual(allTopicNames());
    const dlqs = toCreate.filter((t) => t.name.endsWith(".dlq"));
    expect(dlqs.length).toBeGreaterThan(0);
    for (const dlq of dlqs) expect(dlq.cleanupPolicy).toBe("delete");
    expect(
      toCreate.find((t) => t.name === dlqTopic(TOPIC.appointmentsPerMinute))?.retentionMs,
    ).toBeGreaterThan(0);
  });
});
