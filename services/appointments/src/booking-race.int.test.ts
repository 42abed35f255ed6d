import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestIssuer } from "@carebridge/http/testing";
import { createTestDatabase, type TestDatabase } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { buildTestApp, seedDoctor } from "./test-support.ts";

let testDb: TestDatabase;
let server: ReturnType<typeof Bun.serve>;
let issuer: TestIssuer;
let doctorId: string;

beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false, max: 20 });
  const built = await buildTestApp(testDb.database);
  issuer = built.issuer;
  doctorId = await seedDoctor(testDb.database);
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => built.app.fetch(req) });
}, 60_000);
afterAll(async () => {
  await server?.stop(true);
  await testDb?.drop();
});

test("500 simultaneous bookings of one slot over HTTP: exactly one 201, 499 × 409, no 5xx, one row", async () => {
  const tokens = await Promise.all(
    Array.from({ length: 500 }, () => issuer.sign({ sub: Bun.randomUUIDv7(), role: "patient" })),
  );
  const body = JSON.stringify({ doctorId, start: "2026-11-23T08:00:00Z", mode: "in-person" });
  const statuses = await Promise.all(
    tokens.map(async (token) => {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/appointments`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  const tally = Object.fromEntries(
    [...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]),
  );
  expect(tally).toEqual({ 201: 1, 409: 499 });
  const rows = await testDb.database.query<{ n: string }>(
    sql`SELECT count(*) AS n FROM appointments WHERE doctor_id = ${doctorId}`,
  );
  expect(Number(rows[0]?.n)).toBe(1);
  const events = await testDb.database.query<{ n: string }>(
    sql`SELECT count(*) AS n FROM outbox WHERE type = 'appointment.booked'`,
  );
  expect(Number(events[0]?.n)).toBe(1);
}, 120_000);
