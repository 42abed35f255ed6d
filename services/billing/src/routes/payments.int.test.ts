import { afterAll, beforeAll, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import type { FakePaymentProcessor } from "../domain/payment-processor.ts";
import {
  applyEvents,
  appointmentData,
  buildTestApp,
  appointmentEvents as ev,
  patientEvent,
} from "../test-support.ts";

let testDb: TestDatabase;
let app: HttpApp;
let issuer: TestIssuer;
let processor: FakePaymentProcessor;

beforeAll(async () => {
  testDb = await createTestDatabase({ max: 10 });
  ({ app, issuer, processor } = await buildTestApp(testDb.database));
}, 60_000);
afterAll(() => testDb.drop());

const pay = (id: string, token: string, amountCents: number, key = crypto.randomUUID()) =>
  app.request(`/api/invoices/${id}/pay`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ amountCents, method: "card" }),
  });

test("20 concurrent payments of one invoice on a real connection pool: one charge, one invoice.paid", async () => {
  const d = appointmentData({ specialty: "Cardiology" });
  await applyEvents(testDb.database, [patientEvent(d.patientId, "plus"), ev.booked(d)]); // 15000: 11200 / 3800
  const [row] = await testDb.database.query<{ id: string; patient_due_cents: number }>(
    sql`SELECT id, patient_due_cents FROM invoices WHERE appointment_id = ${d.appointmentId}`,
  );
  expect(row!.patient_due_cents).toBe(3_800);
  const token = await issuer.sign({ sub: d.patientId, role: "patient" });
  const answers = await Promise.all(Array.from({ length: 20 }, () => pay(row!.id, token, 3_800)));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
  expect([...processor.charges.values()].filter((c) => c.invoiceId === row!.id)).toHaveLength(1);
  const [paid] = await testDb.database.query<{ status: string; paid_cents: number; events: number }>(
    sql`SELECT status, paid_cents, (SELECT count(*)::int FROM outbox WHERE key = ${row!.id} AND type = 'invoice.paid') AS events
        FROM invoices WHERE id = ${row!.id}`,
  );
  expect(paid).toEqual({ status: "paid", paid_cents: 3_800, events: 1 });
}, 60_000);

test("the same request sent twice at once with one key: one charge; the other waits (409) or replays", async () => {
  const d = appointmentData();
  await applyEvents(testDb.database, [ev.booked(d)]);
  const [row] = await testDb.database.query<{ id: string }>(
    sql`SELECT id FROM invoices WHERE appointment_id = ${d.appointmentId}`,
  );
  const token = await issuer.sign({ sub: d.patientId, role: "patient" });
  const key = crypto.randomUUID();
  const [a, b] = await Promise.all([pay(row!.id, token, 8_000, key), pay(row!.id, token, 8_000, key)]);
  expect([a.status, b.status].sort()).toEqual(a.status === b.status ? [200, 200] : [200, 409]);
  const again = await pay(row!.id, token, 8_000, key);
  expect(again.status).toBe(200);
  expect(again.headers.get("idempotent-replayed")).toBe("true");
  expect([...processor.charges.values()].filter((c) => c.invoiceId === row!.id)).toHaveLength(1);
}, 60_000);
