import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { Observation } from "../domain/appointment-facts.ts";
import { deriveInvoice } from "../domain/invoice-state.ts";
import { CURRENCY, consultationCharge } from "../domain/money.ts";
import { findInvoicesByAppointment, type InvoiceRow, insertInvoices } from "./invoice-queries.ts";
import { migrateBilling } from "./migrate.ts";
import { isoString } from "./timestamps.ts";

let database: Database;
beforeAll(async () => {
  database = await openPglite();
  await migrateBilling(database);
}, 30_000);
afterAll(() => database.close());

const observation = (status: Observation["status"], occurredAt: string): Observation => ({
  eventId: Bun.randomUUIDv7(),
  occurredAt,
  patientId: crypto.randomUUID(),
  specialty: "Cardiology",
  mode: "telehealth",
  start: "2027-03-01T09:00:00.000Z",
  status,
});

const row = (
  outcome: Parameters<typeof deriveInvoice>[1],
  facts: InvoiceRow["facts"],
  plan: "none" | "plus",
): InvoiceRow => {
  const consultation = consultationCharge("Cardiology", "telehealth", plan);
  return {
    id: Bun.randomUUIDv7(),
    appointmentId: crypto.randomUUID(),
    patientId: facts.latest.patientId,
    currency: CURRENCY,
    ...deriveInvoice(consultation, outcome, 0),
    refundedCents: 0,
    consultation,
    facts,
    planId: plan,
    memberId: plan === "none" ? null : "M-42",
    claimId: plan === "none" ? null : Bun.randomUUIDv7(),
    issuedAt: "2027-02-20T10:00:00.123Z",
    updatedAt: "2027-02-21T11:30:00.000Z",
  };
};

test("a batch of new invoices reads back exactly as written (lines and facts rebuilt where they were left out)", async () => {
  const booked = observation("booked", "2027-02-20T10:00:00.000Z");
  const noShow = observation("no-show", "2027-03-01T10:00:00.000Z");
  const rows = [
    row({ kind: "charge" }, { latest: booked, decisive: booked }, "plus"), // lines = consultation's, one event
    row({ kind: "void" }, { latest: booked, decisive: booked }, "none"),
    row({ kind: "fee", reason: "no-show" }, { latest: noShow, decisive: noShow }, "plus"), // fee lines
    row({ kind: "fee", reason: "no-show" }, { latest: booked, decisive: noShow }, "none"), // two events
  ];
  await database.transaction((tx) => insertInvoices(tx, rows));
  const stored = await findInvoicesByAppointment(
    database.db,
    rows.map((r) => r.appointmentId),
  );
  expect(stored.size).toBe(rows.length);
  for (const written of rows) {
    const read = stored.get(written.appointmentId)!;
    expect({ ...read, issuedAt: isoString(read.issuedAt), updatedAt: isoString(read.updatedAt) }).toEqual(
      written,
    );
  }
  expect(stored.get(rows[2]!.appointmentId)!.lines).toEqual([
    { description: expect.any(String), amountCents: 5000 },
  ]);
});

test("a second invoice for the same appointment is refused", async () => {
  const booked = observation("booked", "2027-02-20T10:00:00.000Z");
  const first = row({ kind: "charge" }, { latest: booked, decisive: booked }, "none");
  await database.transaction((tx) => insertInvoices(tx, [first]));
  const again = { ...first, id: Bun.randomUUIDv7() };
  await expect(database.transaction((tx) => insertInvoices(tx, [again]))).rejects.toThrow();
});
