import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { applyEvents, appointmentData, buildTestApp, appointmentEvents as ev } from "../test-support.ts";

let database: Database;
let app: HttpApp;
let issuer: TestIssuer;
const patientId = crypto.randomUUID();

beforeAll(async () => {
  database = await openPglite();
  ({ app, issuer } = await buildTestApp(database));
  // 5 bookings, the last two cancelled well ahead (void)
  for (let i = 0; i < 5; i++) {
    const d = appointmentData({ patientId });
    await applyEvents(database, [ev.booked(d)]);
    if (i >= 3) await applyEvents(database, [ev.cancelled({ ...d, occurredAt: new Date().toISOString() })]);
  }
}, 30_000);
afterAll(() => database.close());

const get = async (query: string) =>
  app.request(`/api/invoices${query}`, {
    headers: { authorization: `Bearer ${await issuer.sign({ sub: patientId, role: "patient" })}` },
  });
type Page = { items: Array<{ id: string; status: string }>; nextCursor: string | null };

test("pages with limit and cursor, newest first, without gaps or repeats", async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    expect(page.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen).toHaveLength(5);
  expect(new Set(seen).size).toBe(5);
  expect([...seen].sort().reverse()).toEqual(seen);
});

test("?status= filters", async () => {
  const open = (await (await get("?status=open")).json()) as Page;
  const voided = (await (await get("?status=void")).json()) as Page;
  expect(open.items.map((i) => i.status)).toEqual(["open", "open", "open"]);
  expect(voided.items.map((i) => i.status)).toEqual(["void", "void"]);
  expect(voided.nextCursor).toBeNull();
});

test.each(["?limit=0", "?limit=201", "?limit=abc", "?status=overdue", "?cursor=nope"])(
  "%s → 400 problem",
  async (query) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  },
);
