import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import { sql } from "drizzle-orm";
import { claimDueRefunds } from "../db/refund-queries.ts";
import {
  applyEvents,
  appointmentData,
  buildTestApp,
  appointmentEvents as ev,
  outboxContractProblems,
  patientEvent,
} from "../test-support.ts";
import { allocateRefund, processDueRefunds } from "./refunds.ts";

const HOUR = 3_600_000;
let database: Database;
let clock = Date.now();
const now = () => new Date(clock).toISOString();
let failNextRefund = false;
let t: Awaited<ReturnType<typeof buildTestApp>>;

beforeAll(async () => {
  database = await openPglite();
  t = await buildTestApp(database, {
    now,
    processor: {
      failRefund: () => {
        const fail = failNextRefund;
        failNextRefund = false;
        return fail;
      },
    },
  });
}, 30_000);
afterAll(() => database.close());

/** A GP visit (8000) starting in `startsInHours`, for a patient on `plan`, paid in full through the API. */
async function paidVisit(startsInHours: number, plan: "none" | "basic" = "none") {
  const d = appointmentData({
    specialty: "General Practice",
    start: new Date(clock + startsInHours * HOUR).toISOString(),
  });
  await applyEvents(database, [patientEvent(d.patientId, plan), ev.booked(d)], now);
  const [row] = await database.query<{ id: string; patient_due_cents: number }>(
    sql`SELECT id, patient_due_cents FROM invoices WHERE appointment_id = ${d.appointmentId}`,
  );
  const token = await t.issuer.sign({ sub: d.patientId, role: "patient" });
  const paid = await t.app.request(`/api/invoices/${row!.id}/pay`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID(),
    },
    body: JSON.stringify({ amountCents: row!.patient_due_cents, method: "card" }),
  });
  expect(paid.status).toBe(200);
  const cancel = () =>
    applyEvents(database, [ev.cancelled({ ...d, occurredAt: new Date(clock + 1000).toISOString() })], now);
  const read = async () =>
    (
      await t.app.request(`/api/invoices/${row!.id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
  return { id: row!.id, cancel, read };
}

const refundsOf = (invoiceId: string) =>
  database.query<{ id: string; amount_cents: number; status: string; payment_id: string }>(
    sql`SELECT id, amount_cents, status, payment_id FROM refunds WHERE invoice_id = ${invoiceId} ORDER BY id`,
  );
const refundedByProcessor = (invoiceId: string) =>
  [...t.processor.refunds.values()].filter((r) => r.invoiceId === invoiceId);

describe("refunds", () => {
  test("paid 8000, then a late cancellation (fee 5000): paid 5000 of 5000, 3000 refunded to the card", async () => {
    const visit = await paidVisit(3);
    await visit.cancel();
    expect(await visit.read()).toMatchObject({
      status: "paid",
      totalCents: 5_000,
      patientDueCents: 5_000,
      paidCents: 5_000,
      refundedCents: 3_000,
    });
    const [refund] = await refundsOf(visit.id);
    expect(refund).toMatchObject({ amount_cents: 3_000, status: "pending" });
    expect(refundedByProcessor(visit.id)).toEqual([]); // never inside the transaction

    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 1, failed: 0 });
    const charge = [...t.processor.charges.values()].find((c) => c.invoiceId === visit.id)!;
    expect(refundedByProcessor(visit.id)).toEqual([
      expect.objectContaining({
        refundId: refund!.id,
        paymentId: charge.paymentId,
        paymentReference: charge.reference,
        amountCents: 3_000,
        currency: "EUR",
      }),
    ]);
    expect((await refundsOf(visit.id))[0]).toMatchObject({ status: "succeeded" });
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 0, failed: 0 }); // done once
  });

  test("a paid invoice voided (cancelled > 24 h ahead): everything paid is refunded", async () => {
    const visit = await paidVisit(72, "basic"); // 4400 due
    await visit.cancel();
    expect(await visit.read()).toMatchObject({ status: "void", paidCents: 0, refundedCents: 4_400 });
    await processDueRefunds(t.deps);
    expect(refundedByProcessor(visit.id).map((r) => r.amountCents)).toEqual([4_400]);
  });

  test("a redelivered cancellation refunds nothing twice", async () => {
    const visit = await paidVisit(3);
    await visit.cancel();
    await visit.cancel();
    expect((await refundsOf(visit.id)).map((r) => r.amount_cents)).toEqual([3_000]);
    await processDueRefunds(t.deps);
    expect(refundedByProcessor(visit.id).map((r) => r.amountCents)).toEqual([3_000]);
  });

  test("the processor's answer lost (crash, timeout): retried under the same id, refunded once", async () => {
    const visit = await paidVisit(3);
    await visit.cancel();
    failNextRefund = true;
    expect(await processDueRefunds(t.deps, { retryMs: 60_000 })).toEqual({ succeeded: 0, failed: 1 });
    expect((await refundsOf(visit.id))[0]).toMatchObject({ status: "pending" });
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 0, failed: 0 }); // backing off
    clock += 61_000;
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 1, failed: 0 });
    const calls = t.processor.refundCalls.filter((r) => r.invoiceId === visit.id);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.refundId).toBe(calls[1]!.refundId);
    expect(refundedByProcessor(visit.id)).toHaveLength(1);
    expect((await refundsOf(visit.id))[0]).toMatchObject({ status: "succeeded" });
  });

  test("a worker that dies after claiming: the refund is taken over once its lease ends", async () => {
    const visit = await paidVisit(3);
    await visit.cancel();
    // the dead worker's claim: committed, never finished
    await database.transaction((tx) =>
      claimDueRefunds(tx, now(), new Date(clock + 30_000).toISOString(), 50),
    );
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 0, failed: 0 }); // still leased
    clock += 31_000;
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 1, failed: 0 });
    expect(refundedByProcessor(visit.id).map((r) => r.amountCents)).toEqual([3_000]);
  });

  test("every event written above matches its contract schema (paidCents never exceeds what is due)", async () => {
    expect(await outboxContractProblems(database)).toEqual([]);
  });
});

describe("allocateRefund", () => {
  const at = "2027-01-01T00:00:00.000Z";
  const owed = (amountCents: number) => ({ invoiceId: crypto.randomUUID(), currency: "EUR", amountCents });
  test("newest payment first, never more of a payment than is left of it", () => {
    const rows = allocateRefund(
      owed(1_000),
      [
        { paymentId: "p2", invoiceId: "i", refundableCents: 600 },
        { paymentId: "p1", invoiceId: "i", refundableCents: 4_400 },
      ],
      at,
    );
    expect(rows.map((r) => [r.paymentId, r.amountCents, r.status])).toEqual([
      ["p2", 600, "pending"],
      ["p1", 400, "pending"],
    ]);
  });
  test("more than was paid is refused", () => {
    expect(() =>
      allocateRefund(owed(500), [{ paymentId: "p", invoiceId: "i", refundableCents: 400 }], at),
    ).toThrow(/exceed/);
  });
});
