/**
 * Two consumers applying overlapping batches at once (a rebalance hands a partition over while
 * its old owner is still mid-batch), on a real PostgreSQL server: the per-appointment locks are
 * taken in the same round trip as the locked read of the invoices, and must still come first.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Database } from "@carebridge/db";
import { createTestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { migrateBilling } from "../db/migrate.ts";
import {
  appointmentData,
  appointmentEvents as ev,
  outboxContractProblems,
  received,
} from "../test-support.ts";
import { applyAppointmentEvents } from "./apply-appointment-events.ts";

let database: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ database, drop } = await createTestDatabase({ max: 6 }));
  await migrateBilling(database);
}, 60_000);
afterAll(() => drop?.());

const now = () => new Date().toISOString();

test("overlapping batches applied concurrently: each waits for the other's locks and sees its invoices", async () => {
  for (let round = 0; round < 10; round++) {
    const datas = Array.from({ length: 300 }, () => appointmentData());
    const booked = datas.map((d, i) => received(ev.booked(d), "appointments", i));
    // A late cancellation of the same appointments: the second writer must update, not insert.
    const cancelled = datas.map((d, i) =>
      received(
        ev.cancelled({ ...d, occurredAt: new Date(Date.parse(d.start) - 3_600_000).toISOString() }),
        "appointments",
        i,
      ),
    );
    const results = await Promise.allSettled([
      database.transaction((tx) => applyAppointmentEvents(tx, booked, now)),
      database.transaction((tx) => applyAppointmentEvents(tx, cancelled, now)),
      database.transaction((tx) => applyAppointmentEvents(tx, [...booked].reverse(), now)),
    ]);
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
    const rows = await database.query<{ n: number; fee: number }>(
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE total_cents = 5000 AND status = 'open')::int AS fee
          FROM invoices WHERE appointment_id = ANY(${`{${datas.map((d) => d.appointmentId).join(",")}}`}::uuid[])`,
    );
    expect(rows[0]).toEqual({ n: 300, fee: 300 }); // one invoice each, whatever order the writers ran in
  }
  expect(await outboxContractProblems(database)).toEqual([]);
}, 120_000);
