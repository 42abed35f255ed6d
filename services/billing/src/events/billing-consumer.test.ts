import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CloudEvent, EVENT_TYPES, isEventType } from "@carebridge/contracts";
import { type Database, openPglite } from "@carebridge/db";
import {
  type ConsumerHandle,
  type EventLog,
  memoryEventLog,
  silentLogger,
  toRecord,
} from "@carebridge/kafka";
import { sql } from "drizzle-orm";
import { migrateBilling } from "../db/migrate.ts";
import {
  appointmentData,
  appointmentEvents as ev,
  moveTo,
  outboxContractProblems,
  patientEvent,
  waitFor,
} from "../test-support.ts";
import { startBillingConsumer } from "./billing-consumer.ts";

let database: Database;
let log: EventLog;
let consumer: ConsumerHandle;
let deadLettered = 0;
const HOUR = 3_600_000;

beforeAll(async () => {
  database = await openPglite();
  await migrateBilling(database);
  log = memoryEventLog({ retryBackoffMs: 5 });
  await log.createTopics([
    { name: "appointments", partitions: 3 },
    { name: "patients", partitions: 3 },
    { name: "appointments.dlq", partitions: 1 },
    { name: "patients.dlq", partitions: 1 },
  ]);
  consumer = await startBillingConsumer({
    database,
    log,
    logger: silentLogger,
    maxAttempts: 2,
    backoff: { initialMs: 1, maxMs: 5 },
    onBatch: (info) => {
      deadLettered += info.deadLettered;
    },
  });
}, 30_000);
afterAll(async () => {
  await consumer.stop();
  await log.close();
  await database.close();
});

const publish = async (...events: CloudEvent[]) => {
  for (const event of events) {
    if (!isEventType(event.type)) throw new Error(event.type);
    await log.send([toRecord(EVENT_TYPES[event.type].topic, event.subject, event)]);
  }
};
const processed = async () =>
  (await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM processed_events`))[0]!.n;
const settle = async (before: number, count: number) =>
  waitFor("events processed", async () => (await processed()) >= before + count);
interface Row extends Record<string, unknown> {
  id: string;
  status: string;
  total_cents: number;
  insurance_covered_cents: number;
  patient_due_cents: number;
  lines: Array<{ description: string; amountCents: number }>;
}
const invoiceOf = async (appointmentId: string) =>
  (await database.query<Row>(sql`SELECT * FROM invoices WHERE appointment_id = ${appointmentId}`))[0];
const claimsOf = async (invoiceId: string) =>
  (
    await database.query<{ payload: string }>(
      sql`SELECT payload FROM outbox WHERE key = ${invoiceId} AND type LIKE 'claim.%' ORDER BY id`,
    )
  ).map((r) => JSON.parse(r.payload) as Record<string, unknown>);
const outboxTypes = async (invoiceId: string) =>
  (
    await database.query<{ type: string }>(sql`SELECT type FROM outbox WHERE key = ${invoiceId} ORDER BY id`)
  ).map((r) => r.type);

describe("invoices from appointment events", () => {
  test("booked with no known plan: plan none, the whole fee due, invoice.issued and no claim", async () => {
    const d = appointmentData({ specialty: "Cardiology" });
    const before = await processed();
    await publish(ev.booked(d));
    await settle(before, 1);
    const invoice = await invoiceOf(d.appointmentId);
    expect(invoice).toMatchObject({
      status: "open",
      total_cents: 15_000,
      insurance_covered_cents: 0,
      patient_due_cents: 15_000,
    });
    expect(await outboxTypes(invoice!.id)).toEqual(["invoice.issued"]);
  });

  test("the plan last learned (highest version) splits the fee and a claim is submitted", async () => {
    const d = appointmentData({ specialty: "General Practice", mode: "telehealth" }); // 6400
    const before = await processed();
    // version 3 (plus) arrives before version 2 (premium): the older one must not win
    await publish(
      patientEvent(d.patientId, "basic", 1),
      patientEvent(d.patientId, "plus", 3),
      patientEvent(d.patientId, "premium", 2),
    );
    await settle(before, 3);
    await publish(ev.booked(d));
    await settle(before, 4);
    const invoice = await invoiceOf(d.appointmentId);
    expect(invoice).toMatchObject({
      total_cents: 6_400,
      insurance_covered_cents: 4_320,
      patient_due_cents: 2_080,
    });
    expect(await outboxTypes(invoice!.id)).toEqual(["invoice.issued", "claim.submitted"]);
    const [claim] = await database.query<{ payload: string }>(
      sql`SELECT payload FROM outbox WHERE key = ${invoice!.id} AND type = 'claim.submitted'`,
    );
    expect(JSON.parse(claim!.payload)).toMatchObject({
      planId: "plus",
      amountCents: 4_320,
      invoiceId: invoice!.id,
    });
  });

  test("rescheduled keeps the same invoice; cancelled > 24 h before the new start voids it", async () => {
    const d = appointmentData({ start: new Date(Date.now() + 3 * 24 * HOUR).toISOString() });
    const before = await processed();
    await publish(ev.booked(d));
    await settle(before, 1);
    const first = await invoiceOf(d.appointmentId);
    const moved = moveTo(d, new Date(Date.now() + 5 * 24 * HOUR).toISOString());
    await publish(ev.rescheduled(moved, d.start));
    await settle(before, 2);
    expect((await invoiceOf(d.appointmentId))!.id).toBe(first!.id);
    await publish(
      ev.cancelled({ ...moved, occurredAt: new Date(Date.now() + 1000).toISOString() }, "feeling better"),
    );
    await settle(before, 3);
    const voided = await invoiceOf(d.appointmentId);
    expect(voided).toMatchObject({ id: first!.id, status: "void", total_cents: 8_000 });
    expect(await outboxTypes(first!.id)).toEqual(["invoice.issued", "invoice.voided"]);
  });

  test("a cancellation within 24 h (or a no-show) replaces the lines with the 5000 fee, not covered", async () => {
    for (const final of ["late-cancel", "no-show"] as const) {
      const d = appointmentData({
        start: new Date(Date.now() + 3 * HOUR).toISOString(),
        specialty: "Dermatology",
      });
      const before = await processed();
      await publish(patientEvent(d.patientId, "basic"), ev.booked(d));
      await settle(before, 2); // the consultation is issued (and claimed) first
      const later = { ...d, occurredAt: new Date(Date.now() + 1000).toISOString() };
      await publish(final === "no-show" ? ev.noShow(later) : ev.cancelled(later));
      await settle(before, 3);
      const invoice = await invoiceOf(d.appointmentId);
      expect(invoice).toMatchObject({
        status: "open",
        total_cents: 5_000,
        insurance_covered_cents: 0,
        patient_due_cents: 5_000,
      });
      expect(invoice!.lines).toHaveLength(1);
      expect(invoice!.lines[0]!.amountCents).toBe(5_000);
      expect(await outboxTypes(invoice!.id)).toEqual([
        "invoice.issued",
        "claim.submitted",
        "invoice.issued",
        "claim.withdrawn",
      ]);
      const [submitted, withdrawn] = await claimsOf(invoice!.id);
      expect(withdrawn).toEqual({
        claimId: submitted!.claimId,
        invoiceId: invoice!.id,
        appointmentId: d.appointmentId,
        patientId: d.patientId,
        reason: "coverage-lost",
        occurredAt: expect.any(String),
      });
    }
  });

  test("a fully covered invoice (premium) is issued, then paid in the same transaction, and claimed", async () => {
    const d = appointmentData({ specialty: "Cardiology" });
    const before = await processed();
    await publish(patientEvent(d.patientId, "premium"));
    await settle(before, 1);
    await publish(ev.booked(d));
    await settle(before, 2);
    const invoice = await invoiceOf(d.appointmentId);
    expect(invoice).toMatchObject({ status: "paid", insurance_covered_cents: 15_000, patient_due_cents: 0 });
    const rows = await database.query<{ type: string; payload: string; txid: string }>(
      sql`SELECT type, payload, xmin::text AS txid FROM outbox WHERE key = ${invoice!.id} ORDER BY id`,
    );
    expect(rows.map((r) => r.type)).toEqual(["invoice.issued", "invoice.paid", "claim.submitted"]);
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ status: "open", patientDueCents: 0, paidCents: 0 });
    expect(JSON.parse(rows[1]!.payload)).toMatchObject({ status: "paid", patientDueCents: 0, paidCents: 0 });
    expect(new Set(rows.map((r) => r.txid)).size).toBe(1);
  });

  test("voiding a claimed invoice withdraws its claim, once", async () => {
    const d = appointmentData({ start: new Date(Date.now() + 3 * 24 * HOUR).toISOString() });
    const before = await processed();
    await publish(patientEvent(d.patientId, "plus"), ev.booked(d));
    await settle(before, 2);
    const cancel = ev.cancelled({ ...d, occurredAt: new Date(Date.now() + 1000).toISOString() });
    await publish(cancel, cancel);
    await settle(before, 3);
    const invoice = await invoiceOf(d.appointmentId);
    expect(invoice).toMatchObject({ status: "void" });
    expect(await outboxTypes(invoice!.id)).toEqual([
      "invoice.issued",
      "claim.submitted",
      "invoice.voided",
      "claim.withdrawn",
    ]);
    const [submitted, withdrawn] = await claimsOf(invoice!.id);
    expect(withdrawn).toMatchObject({ claimId: submitted!.claimId, reason: "invoice-voided" });
  });

  test("a cancellation arriving before its booking converges to the same invoice, nothing lost", async () => {
    const d = appointmentData({ start: new Date(Date.now() + 2 * HOUR).toISOString() });
    const booked = ev.booked(d);
    const cancelled = ev.cancelled({ ...d, occurredAt: new Date(Date.now() + 1000).toISOString() });
    const before = await processed();
    await publish(cancelled, booked); // as after a DLQ re-drive
    await settle(before, 2);
    expect(await invoiceOf(d.appointmentId)).toMatchObject({ status: "open", total_cents: 5_000 });
    const count = await database.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM invoices WHERE appointment_id = ${d.appointmentId}`,
    );
    expect(count[0]!.n).toBe(1);
  });

  test("a redelivered event has no second effect", async () => {
    const d = appointmentData();
    const booked = ev.booked(d);
    const before = await processed();
    await publish(booked, booked, booked);
    await settle(before, 1);
    await publish(ev.completed({ ...d, occurredAt: new Date(Date.now() + 1000).toISOString() }));
    await settle(before, 2);
    const invoice = await invoiceOf(d.appointmentId);
    expect(await outboxTypes(invoice!.id)).toEqual(["invoice.issued"]); // completed changes nothing
  });

  test("events failing their schema go to the DLQ; the partition flows on; nothing half-written", async () => {
    const d = appointmentData();
    const good = ev.booked(d);
    const invoicesBefore = (
      await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM invoices`)
    )[0]!.n;
    const deadBefore = deadLettered;
    const bad = toRecord("appointments", d.appointmentId, {
      ...good,
      id: crypto.randomUUID(),
      data: { ...good.data, mode: "carrier-pigeon" },
    });
    const wrongType = toRecord("appointments", d.appointmentId, {
      ...patientEvent(d.patientId, "basic"),
      id: crypto.randomUUID(),
    });
    const notJson = {
      ...toRecord("appointments", d.appointmentId, good),
      value: "{nope",
      headers: { ...toRecord("appointments", d.appointmentId, good).headers, ce_id: crypto.randomUUID() },
    };
    await log.send([bad, wrongType, notJson]);
    await publish(good);
    await waitFor(
      "the good event behind the bad ones",
      async () => (await invoiceOf(d.appointmentId)) !== undefined,
    );
    expect(deadLettered - deadBefore).toBe(3);
    const after = (await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM invoices`))[0]!.n;
    expect(after).toBe(invoicesBefore + 1);
  });
});

test("every event billing wrote to the outbox above matches its contract schema", async () => {
  expect(await outboxContractProblems(database)).toEqual([]);
  const [{ n }] = (await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM outbox`)) as [
    { n: number },
  ];
  expect(n).toBeGreaterThan(10); // issued, voided, paid (fully covered), fee re-issues, claims
});
