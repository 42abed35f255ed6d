import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { sql } from "drizzle-orm";
import type { FakePaymentProcessor } from "../domain/payment-processor.ts";
import {
  applyEvents,
  appointmentData,
  buildTestApp,
  appointmentEvents as ev,
  outboxContractProblems,
  patientEvent,
} from "../test-support.ts";

let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
let processor: FakePaymentProcessor;
/** Invoices whose card the fake processor declines. */
const declined = new Set<string>();

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer, processor } = await buildTestApp(database, {
    processor: { decline: (r) => (declined.has(r.invoiceId) ? "insufficient funds" : null) },
  }));
}, 30_000);
afterAll(() => database.close());

/** A booked GP visit for a new patient on plan basic: 8000 total, 3600 covered, 4400 due. */
async function newInvoice(plan: "basic" | "none" = "basic") {
  const d = appointmentData({ specialty: "General Practice" });
  await applyEvents(database, [patientEvent(d.patientId, plan), ev.booked(d)]);
  const [row] = await database.query<{ id: string }>(
    sql`SELECT id FROM invoices WHERE appointment_id = ${d.appointmentId}`,
  );
  const token = await issuer.sign({ sub: d.patientId, role: "patient" });
  return { id: row!.id, d, token };
}

const pay = (id: string, token: string, body: unknown, key: string | null = crypto.randomUUID()) =>
  app.request(`/api/invoices/${id}/pay`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...(key === null ? {} : { "idempotency-key": key }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const state = async (id: string) =>
  (
    await database.query<{ status: string; paid_cents: number; payments: number; paid_events: number }>(
      sql`SELECT status, paid_cents,
            (SELECT count(*)::int FROM payments WHERE invoice_id = ${id} AND status = 'succeeded') AS payments,
            (SELECT count(*)::int FROM outbox WHERE key = ${id} AND type = 'invoice.paid') AS paid_events
          FROM invoices WHERE id = ${id}`,
    )
  )[0]!;

describe("POST /api/invoices/{id}/pay", () => {
  test("the exact open balance → 200 paid invoice, one charge, invoice.paid in the outbox", async () => {
    const { id, token } = await newInvoice();
    const res = await pay(id, token, { amountCents: 4_400, method: "card" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      status: "paid",
      paidCents: 4_400,
      patientDueCents: 4_400,
      totalCents: 8_000,
    });
    expect(await state(id)).toEqual({ status: "paid", paid_cents: 4_400, payments: 1, paid_events: 1 });
    expect([...processor.charges.values()].filter((c) => c.invoiceId === id)).toHaveLength(1);
  });

  test("paying again → 409, nothing charged", async () => {
    const { id, token } = await newInvoice();
    expect((await pay(id, token, { amountCents: 4_400, method: "card" })).status).toBe(200);
    const calls = processor.calls.length;
    const res = await pay(id, token, { amountCents: 4_400, method: "card" });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(processor.calls.length).toBe(calls);
  });

  test("the same Idempotency-Key and body replays the first answer without a second charge", async () => {
    const { id, token } = await newInvoice();
    const key = crypto.randomUUID();
    const first = await pay(id, token, { amountCents: 4_400, method: "card" }, key);
    const calls = processor.calls.length;
    const again = await pay(id, token, { amountCents: 4_400, method: "card" }, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(processor.calls.length).toBe(calls);
    const other = await pay(id, token, { amountCents: 4_401, method: "card" }, key);
    expect(other.status).toBe(422);
  });

  test.each([
    ["less than the balance", { amountCents: 4_399, method: "card" }],
    ["more than the balance", { amountCents: 8_000, method: "card" }],
    ["zero", { amountCents: 0, method: "card" }],
    ["negative", { amountCents: -4_400, method: "card" }],
    ["not an integer", { amountCents: 4_400.5, method: "card" }],
    ["a string amount", { amountCents: "4400", method: "card" }],
    ["another method", { amountCents: 4_400, method: "cash" }],
    ["no body fields", {}],
    ["malformed JSON", '{"amountCents": 44'],
  ])("%s → 400 problem, nothing charged or written", async (_label, body) => {
    const { id, token } = await newInvoice();
    const calls = processor.calls.length;
    const res = await pay(id, token, body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(processor.calls.length).toBe(calls);
    expect(await state(id)).toEqual({ status: "open", paid_cents: 0, payments: 0, paid_events: 0 });
  });

  test("no Idempotency-Key → 400 (payments must be safely retryable)", async () => {
    const { id, token } = await newInvoice();
    expect((await pay(id, token, { amountCents: 4_400, method: "card" }, null)).status).toBe(400);
  });

  test("a declined card → 402 problem, the invoice stays open, a later payment works", async () => {
    const { id, token } = await newInvoice();
    declined.add(id);
    const res = await pay(id, token, { amountCents: 4_400, method: "card" });
    expect(res.status).toBe(402);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await state(id)).toEqual({ status: "open", paid_cents: 0, payments: 0, paid_events: 0 });
    const [rows] = await database.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM payments WHERE invoice_id = ${id} AND status = 'declined'`,
    );
    expect(rows!.n).toBe(1);
    declined.delete(id);
    expect((await pay(id, token, { amountCents: 4_400, method: "card" })).status).toBe(200);
  });

  test("a void invoice → 409", async () => {
    const { id, d, token } = await newInvoice();
    await applyEvents(database, [ev.cancelled({ ...d, occurredAt: new Date().toISOString() })]); // 7 days ahead
    expect((await pay(id, token, { amountCents: 4_400, method: "card" })).status).toBe(409);
  });

  test("after a late-cancellation fee the balance is the fee (5000, not covered)", async () => {
    const { id, d, token } = await newInvoice();
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    await applyEvents(database, [
      ev.cancelled({
        ...d,
        start: soon,
        end: new Date(Date.parse(soon) + 1_800_000).toISOString(),
        occurredAt: new Date().toISOString(),
      }),
    ]);
    expect((await pay(id, token, { amountCents: 4_400, method: "card" })).status).toBe(400);
    const res = await pay(id, token, { amountCents: 5_000, method: "card" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "paid", paidCents: 5_000, insuranceCoveredCents: 0 });
  });

  test("concurrent payments of one invoice charge it once", async () => {
    const { id, token } = await newInvoice();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => pay(id, token, { amountCents: 4_400, method: "card" })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect([...processor.charges.values()].filter((c) => c.invoiceId === id)).toHaveLength(1);
    expect(await state(id)).toEqual({ status: "paid", paid_cents: 4_400, payments: 1, paid_events: 1 });
  });
});

describe("a charge whose outcome is unknown (processor unreachable after charging)", () => {
  test("→ 503; the retry takes the pending payment over under the same processor key: one charge", async () => {
    let failNext = true;
    const crashy = await buildTestApp(database, {
      pendingLeaseMs: 0,
      processor: {
        fail: () => {
          const fail = failNext;
          failNext = false;
          return fail;
        },
      },
    });
    const d = appointmentData();
    await applyEvents(database, [ev.booked(d)]); // plan none: 8000 due
    const [row] = await database.query<{ id: string }>(
      sql`SELECT id FROM invoices WHERE appointment_id = ${d.appointmentId}`,
    );
    const token = await crashy.issuer.sign({ sub: d.patientId, role: "patient" });
    const request = (key: string) =>
      crashy.app.request(`/api/invoices/${row!.id}/pay`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify({ amountCents: 8_000, method: "card" }),
      });
    const key = crypto.randomUUID();
    const first = await request(key);
    expect(first.status).toBe(503);
    expect(crashy.processor.charges.size).toBe(1); // it did charge; billing could not know
    const retry = await request(key);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: "paid", paidCents: 8_000 });
    expect(crashy.processor.calls).toHaveLength(2);
    expect(crashy.processor.calls[0]!.paymentId).toBe(crashy.processor.calls[1]!.paymentId);
    expect(crashy.processor.charges.size).toBe(1);
  });
});

describe("the invoice changes while the card is being charged", () => {
  test("voided meanwhile → 409; the charge is settled and owed back in full (a pending refund)", async () => {
    const d = appointmentData();
    const racing = await buildTestApp(database, {
      processor: {
        during: () => applyEvents(database, [ev.cancelled({ ...d, occurredAt: new Date().toISOString() })]),
      },
    });
    await applyEvents(database, [ev.booked(d)]);
    const [row] = await database.query<{ id: string }>(
      sql`SELECT id FROM invoices WHERE appointment_id = ${d.appointmentId}`,
    );
    const token = await racing.issuer.sign({ sub: d.patientId, role: "patient" });
    const res = await racing.app.request(`/api/invoices/${row!.id}/pay`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": "k-1",
      },
      body: JSON.stringify({ amountCents: 8_000, method: "card" }),
    });
    expect(res.status).toBe(409);
    const payments = await database.query<{ status: string }>(
      sql`SELECT status FROM payments WHERE invoice_id = ${row!.id}`,
    );
    expect(payments).toEqual([{ status: "succeeded" }]);
    expect(await state(row!.id)).toEqual({ status: "void", paid_cents: 0, payments: 1, paid_events: 0 });
    const refunds = await database.query<{ amount_cents: number; status: string }>(
      sql`SELECT amount_cents, status FROM refunds WHERE invoice_id = ${row!.id}`,
    );
    expect(refunds).toEqual([{ amount_cents: 8_000, status: "pending" }]);
  });

  test("a fee lowers the balance meanwhile → paid up to the fee, the rest a pending refund", async () => {
    const d = appointmentData({ start: new Date(Date.now() + 3 * 3_600_000).toISOString() });
    const racing = await buildTestApp(database, {
      processor: {
        during: () => applyEvents(database, [ev.cancelled({ ...d, occurredAt: new Date().toISOString() })]),
      },
    });
    await applyEvents(database, [ev.booked(d)]); // plan none: 8000 due
    const [row] = await database.query<{ id: string }>(
      sql`SELECT id FROM invoices WHERE appointment_id = ${d.appointmentId}`,
    );
    const token = await racing.issuer.sign({ sub: d.patientId, role: "patient" });
    const res = await racing.app.request(`/api/invoices/${row!.id}/pay`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": "k-2",
      },
      body: JSON.stringify({ amountCents: 8_000, method: "card" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "paid", paidCents: 5_000, refundedCents: 3_000 });
    const refunds = await database.query<{ amount_cents: number }>(
      sql`SELECT amount_cents FROM refunds WHERE invoice_id = ${row!.id}`,
    );
    expect(refunds).toEqual([{ amount_cents: 3_000 }]);
  });
});

test("every event the payments above wrote to the outbox matches its contract schema", async () => {
  const types = await database.query<{ type: string }>(
    sql`SELECT DISTINCT type FROM outbox WHERE type = 'invoice.paid'`,
  );
  expect(types).toHaveLength(1);
  expect(await outboxContractProblems(database)).toEqual([]);
});
