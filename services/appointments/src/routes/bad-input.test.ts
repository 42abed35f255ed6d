import { expect, test } from "bun:test";
import { openPglite } from "@carebridge/db";
import { buildTestApp, call, seedDoctor, seedPatient } from "../test-support.ts";

// Every write route × malformed bodies × roles, and every list route × bad queries: never a 5xx,
// never a 200 for a bad query.
test("bad input anywhere → 4xx, never 5xx", async () => {
  const database = await openPglite();
  const { app, issuer } = await buildTestApp(database);
  const d = await seedDoctor(database);
  const p = await seedPatient(database);
  const tokens = [
    await issuer.sign({ sub: p, role: "patient" }),
    await issuer.sign({ sub: d, role: "doctor" }),
    await issuer.sign({ sub: p, role: "admin" }),
  ];
  const bodies = [
    "{",
    "[]",
    "null",
    '"x"',
    '{"start": null}',
    '{"reason": 5}',
    JSON.stringify({ start: "2026-13-01T00:00:00Z" }),
    JSON.stringify({ specialty: "", timeZone: "" }),
    JSON.stringify({ timeZone: "UTC", slotMinutes: 0, weekly: [{ weekday: 8, start: "25:00", end: "x" }] }),
    JSON.stringify({
      timeZone: "UTC",
      slotMinutes: 30,
      weekly: [{ weekday: 1, start: "09:00", end: "24:00" }],
      exceptions: [{ date: "2026-02-29", closed: true }],
    }),
  ];
  const paths = [
    "/api/appointments",
    "/api/appointments/01900000-0000-7000-8000-000000000000/cancel",
    "/api/appointments/01900000-0000-7000-8000-000000000000/reschedule",
    `/api/doctors/${d}`,
    "/api/doctors/me/availability",
    "/api/appointments/x/complete",
  ];
  const queries = [
    "/api/slots?specialty=&from=x&to=y",
    "/api/slots?specialty=a&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&limit=0",
    "/api/slots?specialty=a&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&limit=201",
    "/api/slots?specialty=a&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&cursor=eyJ4IjoxfQ",
    "/api/appointments?status=nope",
    "/api/appointments?from=2026-02-30T00:00:00Z",
    "/api/doctors?limit=abc",
    `/api/doctors/${d}/slots?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&cursor=bad`,
    "/api/doctors/me/slots?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z",
    "/api/appointments?limit=-1",
    "/api/slots?specialty=a&from=2020-11-23T00:00:00Z&to=2020-11-24T00:00:00Z",
  ];
  const bad: string[] = [];
  for (const t of tokens) {
    for (const path of paths)
      for (const b of bodies)
        for (const m of ["POST", "PUT"]) {
          const r = await app.request(call(m, path, t, b));
          if (r.status >= 500) bad.push(`${m} ${path} ${b} ${r.status} ${await r.text()}`);
          const r2 = await app.request(
            new Request(`http://localhost${path}`, {
              method: m,
              headers: { authorization: `Bearer ${t}`, "content-type": "text/plain" },
              body: b,
            }),
          );
          if (r2.status >= 500) bad.push(`text ${m} ${path} ${r2.status}`);
        }
    for (const q of queries) {
      const r = await app.request(call("GET", q, t));
      if (r.status >= 500 || (r.status === 200 && !q.includes("2020")))
        bad.push(`GET ${q} ${r.status} ${(await r.text()).slice(0, 200)}`);
    }
  }
  expect(bad).toEqual([]);
  await database.close();
}, 60000);
