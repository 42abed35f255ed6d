import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import { sql } from "drizzle-orm";
import {
  applyEvents,
  appointmentData,
  buildTestApp,
  appointmentEvents as ev,
  outboxContractProblems,
  patientEvent,
  waitFor,
} from "../test-support.ts";
import { processDueRefunds, startRefundWorker } from "./refunds.ts";
import { sweepStalePayments } from "./settle-payment.ts";

// A charge the processor carries out but whose answer is lost (timeout, crash): the payment is left
// pending with its outcome unknown. Nothing may strand it: the worker's sweep or the next request
// finishes it under its own id once its lease (30 s here) has ended.
const HOUR = 3_600_000;
const LEASE = 30_000;
let database: Database;
let clock = Date.now();
const now = () => new Date(clock).toISOString();
/** Invoices whose next charge is carried out, then answered with a throw. */
const loseAnswer = new Set<string>();
/** Invoices whose charges are declined. */
const decline = new Set<string>();
let t: Awaited<ReturnType<typeof buildTestApp>>;

beforeAll(async () => {
  database = await openPglite();
  t = await buildTestApp(database, {
    now,
    pendingLeaseMs: LEASE,
    processor: {
      fail: (r) => loseAnswer.delete(r.invoiceId),
      decline: (r) => (decline.has(r.invoiceId) ? "insufficient funds" : null),
    },
  });
}, 30_000);
afterAll(() => database.close());

/** A GP visit (plan none: 8000 due) starting in `startsInHours`, whose first charge's answer is lost (→ 503). */
async function strandedVisit(startsInHours: number, { declined = false } = {}) {
  const d = appointmentData({ start: new Date(clock + startsInHours * HOUR).toISOString() });
  await applyEvents(database, [patientEvent(d.patientId, "none"), ev.booked(d)], now);
  const [row] = await database.query<{ id: string }>(
    sql`SELECT id FROM invoices WHERE appointment_id = ${d.appointmentId}`,
  );
  const id = row!.id;
  const token = await t.issuer.sign({ sub: d.patientId, role: "patient" });
  const pay = (amountCents: number) =>
    t.app.request(`/api/invoices/${id}/pay`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: JSON.stringify({ amountCents, method: "card" }),
    });
  loseAnswer.add(id);
  if (declined) decline.add(id);
  expect((await pay(8_000)).status).toBe(503);
  const cancel = () =>
    applyEvents(database, [ev.cancelled({ ...d, occurredAt: new Date(clock + 1000).toISOString() })], now);
  const read = async () =>
    (await t.app.request(`/api/invoices/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
  return { id, pay, cancel, read };
}

const paymentsOf = (invoiceId: string) =>
  database.query<{ id: string; status: string; amount_cents: number }>(
    sql`SELECT id, status, amount_cents FROM payments WHERE invoice_id = ${invoiceId} ORDER BY id`,
  );
const refundsOf = (invoiceId: string) =>
  database.query<{ amount_cents: number; status: string; payment_id: string }>(
    sql`SELECT amount_cents, status, payment_id FROM refunds WHERE invoice_id = ${invoiceId} ORDER BY id`,
  );
const chargesOf = (invoiceId: string) =>
  [...t.processor.charges.values()].filter((c) => c.invoiceId === invoiceId);
const chargeCallsOf = (invoiceId: string) => t.processor.calls.filter((c) => c.invoiceId === invoiceId);
const refundedOf = (invoiceId: string) =>
  [...t.processor.refunds.values()].filter((r) => r.invoiceId === invoiceId).map((r) => r.amountCents);
const paidEvents = async (invoiceId: string) =>
  (
    await database.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM outbox WHERE key = ${invoiceId} AND type = 'invoice.paid'`,
    )
  )[0]!.n;

describe("charged, answer lost, then the invoice is voided (cancelled > 24 h ahead)", () => {
  test("before the change a retry cannot reach the payment: 409 invoice-void", async () => {
    const visit = await strandedVisit(72);
    await visit.cancel();
    expect(await visit.read()).toMatchObject({ status: "void", paidCents: 0, refundedCents: 0 });
    const retry = await visit.pay(8_000);
    expect(retry.status).toBe(409);
    expect((await paymentsOf(visit.id)).map((p) => p.status)).toEqual(["pending"]); // leased: left alone
    expect(await sweepStalePayments(t.deps)).toEqual({ finished: [], failed: 0 });
    clock += LEASE + 1_000;
    await sweepStalePayments(t.deps); // tidy: later tests start with no stale payments
  });

  test("the refund worker settles it once the lease ends and refunds the whole charge", async () => {
    const visit = await strandedVisit(72);
    await visit.cancel();
    const [payment] = await paymentsOf(visit.id);
    clock += LEASE + 1_000;
    const worker = startRefundWorker(t.deps, { intervalMs: 10 });
    try {
      await waitFor(
        "the stranded charge refunded",
        async () => (await refundsOf(visit.id))[0]?.status === "succeeded",
      );
    } finally {
      await worker.stop();
    }
    expect(await paymentsOf(visit.id)).toEqual([
      { id: payment!.id, status: "succeeded", amount_cents: 8_000 },
    ]);
    expect(await visit.read()).toMatchObject({ status: "void", paidCents: 0, refundedCents: 8_000 });
    expect(await refundsOf(visit.id)).toEqual([
      { amount_cents: 8_000, status: "succeeded", payment_id: payment!.id },
    ]);
    // the charge re-sent under its own id: charged once, refunded once, in full
    expect(chargeCallsOf(visit.id).map((c) => c.paymentId)).toEqual([payment!.id, payment!.id]);
    expect(chargesOf(visit.id)).toHaveLength(1);
    expect(refundedOf(visit.id)).toEqual([8_000]);
    expect(await paidEvents(visit.id)).toBe(0);
    // a retry now gets the final answer, nothing charged
    const retry = await visit.pay(8_000);
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ type: "https://carebridge.dev/problems/invoice-void" });
    expect(chargeCallsOf(visit.id)).toHaveLength(2);
  });

  test("a retry after the lease finishes it itself: 409 invoice-void, the refund owed and carried out", async () => {
    const visit = await strandedVisit(72);
    await visit.cancel();
    clock += LEASE + 1_000;
    const retry = await visit.pay(8_000);
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ type: "https://carebridge.dev/problems/invoice-void" });
    expect((await paymentsOf(visit.id)).map((p) => p.status)).toEqual(["succeeded"]);
    expect(await refundsOf(visit.id)).toMatchObject([{ amount_cents: 8_000, status: "pending" }]);
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 1, failed: 0 });
    expect(chargesOf(visit.id)).toHaveLength(1);
    expect(refundedOf(visit.id)).toEqual([8_000]);
  });
});

describe("charged, answer lost, then a late cancellation lowers the amount due 8000 → 5000", () => {
  test("before the lease ends: 8000 → 400, 5000 → 409 payment-in-progress with Retry-After", async () => {
    const visit = await strandedVisit(3);
    await visit.cancel();
    expect(await visit.read()).toMatchObject({ status: "open", patientDueCents: 5_000, paidCents: 0 });
    expect((await visit.pay(8_000)).status).toBe(400);
    const busy = await visit.pay(5_000);
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ type: "https://carebridge.dev/problems/payment-in-progress" });
    expect(Number(busy.headers.get("retry-after"))).toBeGreaterThan(0);
    // …and after it: the retry settles the stranded charge and answers with the paid invoice
    clock += LEASE + 1_000;
    const retry = await visit.pay(5_000);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: "paid", paidCents: 5_000, refundedCents: 3_000 });
    expect(chargesOf(visit.id)).toHaveLength(1);
    expect(await refundsOf(visit.id)).toMatchObject([{ amount_cents: 3_000, status: "pending" }]);
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 1, failed: 0 });
    expect(refundedOf(visit.id)).toEqual([3_000]);
    expect((await visit.pay(5_000)).status).toBe(409); // already paid
  });

  test("the sweep counts it up to the fee, refunds the excess, emits invoice.paid once", async () => {
    const visit = await strandedVisit(3);
    await visit.cancel();
    clock += LEASE + 1_000;
    const { finished, failed } = await sweepStalePayments(t.deps);
    expect(failed).toBe(0);
    expect(finished).toMatchObject([{ kind: "counted", invoice: { id: visit.id, status: "paid" } }]);
    expect(await visit.read()).toMatchObject({ status: "paid", paidCents: 5_000, refundedCents: 3_000 });
    expect(await paidEvents(visit.id)).toBe(1);
    expect(await processDueRefunds(t.deps)).toEqual({ succeeded: 1, failed: 0 });
    expect(chargesOf(visit.id)).toHaveLength(1);
    expect(refundedOf(visit.id)).toEqual([3_000]);
    expect(await sweepStalePayments(t.deps)).toEqual({ finished: [], failed: 0 }); // done once
    const retry = await visit.pay(5_000);
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ type: "https://carebridge.dev/problems/invoice-paid" });
  });
});

describe("finishing a stranded payment", () => {
  test("processor still unreachable: stays pending, retried after a new lease, charged once", async () => {
    const visit = await strandedVisit(72);
    clock += LEASE + 1_000;
    loseAnswer.add(visit.id);
    expect(await sweepStalePayments(t.deps)).toEqual({ finished: [], failed: 1 });
    expect((await paymentsOf(visit.id)).map((p) => p.status)).toEqual(["pending"]);
    expect(await sweepStalePayments(t.deps)).toEqual({ finished: [], failed: 0 }); // its lease renewed
    clock += LEASE + 1_000;
    expect((await sweepStalePayments(t.deps)).finished).toMatchObject([{ kind: "counted" }]);
    expect(await visit.read()).toMatchObject({ status: "paid", paidCents: 8_000, refundedCents: 0 });
    expect(chargesOf(visit.id)).toHaveLength(1);
    expect(await refundsOf(visit.id)).toEqual([]);
  });

  test("a retry while the processor is still unreachable → 503, the payment still pending", async () => {
    const visit = await strandedVisit(72);
    clock += LEASE + 1_000;
    loseAnswer.add(visit.id);
    expect((await visit.pay(8_000)).status).toBe(503);
    expect((await paymentsOf(visit.id)).map((p) => p.status)).toEqual(["pending"]);
    clock += LEASE + 1_000;
    expect((await visit.pay(8_000)).status).toBe(200);
    expect(chargesOf(visit.id)).toHaveLength(1);
  });

  test("a lost decline is settled declined; the invoice stays payable", async () => {
    const visit = await strandedVisit(72, { declined: true });
    clock += LEASE + 1_000;
    expect((await sweepStalePayments(t.deps)).finished).toEqual([
      { kind: "declined", reason: "insufficient funds" },
    ]);
    expect((await paymentsOf(visit.id)).map((p) => p.status)).toEqual(["declined"]);
    expect(await visit.read()).toMatchObject({ status: "open", paidCents: 0 });
    decline.delete(visit.id);
    expect((await visit.pay(8_000)).status).toBe(200);
    expect(chargesOf(visit.id)).toHaveLength(1);
  });

  test("every event written above matches its contract schema", async () => {
    expect(await outboxContractProblems(database)).toEqual([]);
  });
});
