import { afterAll, beforeAll, expect, test } from "bun:test";
import { makeEvent } from "@carebridge/contracts";
import { migratePlatform, openPglite } from "@carebridge/db";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import { contractTopicConfigs, type EventLog, memoryEventLog, toRecord } from "@carebridge/kafka";
import { DEMO_ACCOUNTS, type EmbeddedService } from "@carebridge/runtime";
import pino from "pino";
import embedded from "./embedded.ts";

// The factory `bun run dev` mounts, with a hand-made context: PGlite, the in-memory log, and a
// JWKS served by a test issuer where the stack would route to the auth service.
let service: EmbeddedService;
let log: EventLog;
let issuer: TestIssuer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  issuer = await createTestIssuer();
  log = memoryEventLog();
  await log.createTopics(contractTopicConfigs());
  service = await embedded({
    logger: pino({ level: "silent" }),
    eventLog: log,
    async openDatabase() {
      const database = await openPglite();
      await migratePlatform(database);
      closers.push(() => database.close());
      return database;
    },
    aws: {
      region: "eu-central-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      dynamodbEndpoint: "http://127.0.0.1:1",
      s3Endpoint: "http://127.0.0.1:1",
      labBucket: "lab",
    },
    publicUrl: "http://localhost:8080",
    async fetch(request) {
      if (new URL(request.url).pathname === "/api/auth/.well-known/jwks.json")
        return Response.json(issuer.jwks);
      return new Response(null, { status: 404 });
    },
  });
}, 30_000);
afterAll(async () => {
  await service.stop();
  await log.close();
  for (const close of closers) await close();
});

test("demo doctors registered by auth become bookable with the contract's hours; a patient books one", async () => {
  const ids = new Map<string, string>();
  for (const account of DEMO_ACCOUNTS) {
    const id = Bun.randomUUIDv7();
    ids.set(account.email, id);
    const event = makeEvent(
      "user.registered",
      { id, email: account.email, name: account.name, role: account.role },
      { source: "/carebridge/auth" },
    );
    await log.send([toRecord("auth.users", id, event)]);
  }
  const patient = await issuer.sign({ sub: ids.get("patient@example.com")!, role: "patient" });
  const get = (path: string) =>
    service.fetch(
      new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${patient}` } }),
    );
  let doctors: Array<{ name: string; specialty: string; timeZone: string }> = [];
  for (let i = 0; i < 300 && doctors.length < 3; i++) {
    doctors = ((await (await get("/api/doctors")).json()) as { items: typeof doctors }).items;
    if (doctors.length < 3) await Bun.sleep(10);
  }
  expect(doctors.map((d) => [d.specialty, d.timeZone]).sort()).toEqual([
    ["Cardiology", "America/New_York"],
    ["Dermatology", "Asia/Tokyo"],
    ["General Practice", "Europe/Berlin"],
  ]);
  const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
  const slots = (await (
    await get(`/api/slots?specialty=Dermatology&from=${from}T00:00:00Z&to=${to}T00:00:00Z&limit=1`)
  ).json()) as { items: Array<{ doctorId: string; start: string; end: string }> };
  const slot = slots.items[0]!;
  expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(20 * 60_000);
  const booked = await service.fetch(
    new Request("http://localhost/api/appointments", {
      method: "POST",
      headers: { authorization: `Bearer ${patient}`, "content-type": "application/json" },
      body: JSON.stringify({ doctorId: slot.doctorId, start: slot.start, mode: "telehealth" }),
    }),
  );
  expect(booked.status).toBe(201);
  await service.check?.();
});
