import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  type AppointmentStatus,
  EVENT_TYPES,
  keyOf,
  makeEvent,
  type TypedCloudEvent,
} from "@carebridge/contracts";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import {
  type ConsumedMessage,
  type ConsumerHandle,
  contractTopicConfigs,
  DLQ_HEADERS,
  dlqTopic,
  type EventLog,
  memoryEventLog,
  silentLogger,
  toRecord,
} from "@carebridge/kafka";
import { cachedCareTeam } from "../db/care-team-cache.ts";
import { getCareLink, isCareTeam } from "../db/care-team-queries.ts";
import { startDynamoOutboxRelay } from "../db/outbox.ts";
import { getPatient } from "../db/patient-queries.ts";
import { keys } from "../db/table.ts";
import type { PatientsDeps } from "../deps.ts";
import { authed, buildTestApp, type LocalAws, startLocalAws } from "../test-support.ts";
import { GROUPS, startCareTeamConsumer, startUserConsumer } from "./consumers.ts";

let aws: LocalAws;
let app: HttpApp;
let deps: PatientsDeps;
let issuer: TestIssuer;
let log: EventLog;
let consumers: ConsumerHandle[];
/** `doctor/patient` pairs the care-team consumer invalidated, in order. */
const invalidated: string[] = [];

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  ({ app, deps, issuer } = await buildTestApp(aws));
  // A frozen clock: a cached grant never expires here, so only an invalidation can revoke it.
  const cache = cachedCareTeam((d, p) => isCareTeam(deps.store, d, p), { now: () => 0 });
  deps.careTeam = cache;
  log = memoryEventLog({ retryBackoffMs: 5 });
  await log.createTopics(contractTopicConfigs());
  const options = {
    store: deps.store,
    log,
    logger: silentLogger,
    seedDemo: true,
    careTeam: {
      invalidate(doctorId: string, patientId: string) {
        cache.invalidate(doctorId, patientId);
        invalidated.push(`${doctorId}/${patientId}`);
      },
    },
    backoff: { initialMs: 5, maxMs: 20 },
  };
  consumers = await Promise.all([startUserConsumer(options), startCareTeamConsumer(options)]);
}, 120_000);
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await log.close();
  deps.close();
  await aws.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: any contract event
async function publish(...events: TypedCloudEvent<any>[]) {
  await log.send(
    events.map((e) =>
      toRecord(EVENT_TYPES[e.type as keyof typeof EVENT_TYPES].topic, keyOf(e.type, e.data), e),
    ),
  );
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

const registered = (id: string, role: "patient" | "doctor", email = `${id}@example.com`) =>
  makeEvent("user.registered", { id, email, name: "Reg Istered", role }, { source: "/carebridge/auth" });

/** Whether `group` has committed its processed marker for the event (its effect is committed too). */
async function processed(group: string, eventId: string): Promise<boolean> {
  const { Item } = await deps.store.doc.send(
    new GetCommand({
      TableName: deps.store.tableName,
      Key: { PK: keys.processed(group, eventId), SK: "PROCESSED" },
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

/** Reads every record of a topic from the start with a fresh group. */
async function readTopic(topic: string, count: number): Promise<ConsumedMessage[]> {
  const seen: ConsumedMessage[] = [];
  const reader = await log.consume(
    { groupId: `reader-${crypto.randomUUID()}`, topics: [topic] },
    async (b) => {
      seen.push(...b.messages);
    },
  );
  await waitFor(`${count} records on ${topic}`, async () => seen.length >= count);
  await reader.stop();
  return seen;
}

describe("user.registered → patient record", () => {
  test("duplicates (redelivery and a second event for the same user) make one record; other roles none", async () => {
    const id = Bun.randomUUIDv7();
    const doctor = Bun.randomUUIDv7();
    const first = registered(id, "patient");
    await publish(first, first, registered(id, "patient"), registered(doctor, "doctor"));
    await waitFor("the record", async () => (await getPatient(deps.store, id, true)) !== null);
    const marker = Bun.randomUUIDv7(); // a later event proves the earlier ones were all handled
    await publish(registered(marker, "patient"));
    await waitFor("the marker record", async () => (await getPatient(deps.store, marker, true)) !== null);
    expect(await getPatient(deps.store, id, true)).toMatchObject({
      version: 1,
      insurance: { planId: "none" },
    });
    expect(await getPatient(deps.store, doctor, true)).toBeNull();
    const token = await issuer.sign({ sub: id, role: "patient" });
    const history = (await (await app.request(authed(token, `/api/patients/${id}/history`))).json()) as {
      items: Array<{ type: string }>;
    };
    expect(history.items.map((i) => i.type)).toEqual(["patient.registered"]);
  });

  test("the demo patient gets the demo plan; patient.registered then patient.updated reach `patients` in order", async () => {
    const id = Bun.randomUUIDv7();
    await publish(registered(id, "patient", "patient@example.com"));
    await waitFor("the demo record", async () => (await getPatient(deps.store, id, true)) !== null);
    expect(await getPatient(deps.store, id, true)).toMatchObject({
      version: 2,
      insurance: { planId: "basic" },
    });
    const relay = startDynamoOutboxRelay({ store: deps.store, log, logger: silentLogger });
    try {
      await relay.drain();
    } finally {
      await relay.stop();
    }
    const records = (await readTopic("patients", 1)).filter((r) => r.key === id);
    expect(records.map((r) => r.headers.ce_type)).toEqual(["patient.registered", "patient.updated"]);
    expect(JSON.parse(records[1]!.value)).toMatchObject({
      patientId: id,
      version: 2,
      insurance: { planId: "basic", memberId: "DEMO-0001" },
      changedFields: ["insurance"],
    });
  });
});

describe("appointments → care team", () => {
  const appointment = (
    type: "appointment.booked" | "appointment.cancelled" | "appointment.completed" | "appointment.no-show",
    ids: { appointmentId: string; patientId: string; doctorId: string },
    occurredAt: string,
  ) => {
    const status = {
      "appointment.booked": "booked",
      "appointment.cancelled": "cancelled",
      "appointment.completed": "completed",
      "appointment.no-show": "no-show",
    }[type] as AppointmentStatus;
    const data = {
      ...ids,
      specialty: "Cardiology",
      start: "2026-12-01T09:00:00Z",
      end: "2026-12-01T09:30:00Z",
      mode: "in-person" as const,
      status,
      occurredAt,
      ...(type === "appointment.cancelled" ? { reason: null } : {}),
    };
    // biome-ignore lint/suspicious/noExplicitAny: the status matches the type
    return makeEvent(type, data as any, { source: "/carebridge/appointments" });
  };

  test("booked grants, cancelled revokes, completed and no-show grant; the latest occurredAt wins", async () => {
    const patientId = Bun.randomUUIDv7();
    const doctorId = Bun.randomUUIDv7();
    await publish(registered(patientId, "patient"));
    await waitFor("the record", async () => (await getPatient(deps.store, patientId, true)) !== null);
    const token = await issuer.sign({ sub: doctorId, role: "doctor" });
    const read = async () => (await app.request(authed(token, `/api/patients/${patientId}`))).status;
    const until = (status: number) => waitFor(`GET → ${status}`, async () => (await read()) === status);
    const a1 = { appointmentId: Bun.randomUUIDv7(), patientId, doctorId };
    const a2 = { appointmentId: Bun.randomUUIDv7(), patientId, doctorId };
    expect(await read()).toBe(404);
    await publish(appointment("appointment.booked", a1, "2026-11-20T10:00:00Z"));
    await until(200);
    await publish(appointment("appointment.cancelled", a1, "2026-11-20T11:00:00Z"));
    await until(404);
    // Out of order: the cancellation (later) arrives before the booking (earlier): stays cancelled.
    const lateBooking = appointment("appointment.booked", a2, "2026-11-20T12:00:00Z");
    await publish(appointment("appointment.cancelled", a2, "2026-11-20T13:00:00Z"), lateBooking);
    // Wait until the older booking itself was handled (its marker commits with its effect).
    await waitFor("the late booking handled", () => processed(GROUPS.careTeam, lateBooking.id));
    expect(await getCareLink(deps.store, a2)).toMatchObject({ status: "cancelled" });
    expect(await read()).toBe(404);
    await publish(appointment("appointment.completed", a1, "2026-11-21T10:00:00Z"));
    await until(200);
    await publish(appointment("appointment.no-show", a1, "2026-11-21T11:00:00Z"));
    await waitFor("no-show recorded", async () => (await getCareLink(deps.store, a1))?.status === "no-show");
    expect(await read()).toBe(200);
  });

  test("a cancellation committed here drops the cached grant at once (the cache alone would keep it)", async () => {
    const patientId = Bun.randomUUIDv7();
    const doctorId = Bun.randomUUIDv7();
    await publish(registered(patientId, "patient"));
    await waitFor("the record", async () => (await getPatient(deps.store, patientId, true)) !== null);
    const token = await issuer.sign({ sub: doctorId, role: "doctor" });
    const read = async () => (await app.request(authed(token, `/api/patients/${patientId}`))).status;
    const ids = { appointmentId: Bun.randomUUIDv7(), patientId, doctorId };
    await publish(appointment("appointment.booked", ids, "2026-11-20T10:00:00Z"));
    await waitFor("the grant", async () => (await read()) === 200); // now cached (frozen clock)
    const pair = `${doctorId}/${patientId}`;
    const before = invalidated.filter((p) => p === pair).length;
    const cancelled = appointment("appointment.cancelled", ids, "2026-11-20T11:00:00Z");
    await publish(cancelled);
    await waitFor("the cancellation handled", () => processed(GROUPS.careTeam, cancelled.id));
    await waitFor("the pair invalidated", async () => invalidated.filter((p) => p === pair).length > before);
    expect(await read()).toBe(404);
  });
});

describe("events breaking the contract", () => {
  test("a malformed user.registered goes to auth.users.dlq with its error; the partition flows on", async () => {
    const id = Bun.randomUUIDv7();
    const good = registered(id, "patient");
    const bad = { ...registered(id, "patient"), data: { id, name: "No Email", role: "patient" } };
    await log.send([toRecord("auth.users", id, bad), toRecord("auth.users", id, good)]);
    // The valid event behind it, same key and partition, is applied.
    await waitFor("the record", async () => (await getPatient(deps.store, id, true)) !== null);
    const dead = (await readTopic(dlqTopic("auth.users"), 1)).filter((m) => m.headers.ce_id === bad.id);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers[DLQ_HEADERS.group]).toBe(GROUPS.users);
    expect(dead[0]!.headers[DLQ_HEADERS.error]).toContain("email");
    expect(await processed(GROUPS.users, bad.id)).toBe(false);
    expect(await getPatient(deps.store, id, true)).toMatchObject({ email: `${id}@example.com`, version: 1 });
  });
});
