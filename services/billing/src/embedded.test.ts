import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Database, openPglite } from "@carebridge/db";
import { createLogger } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import { contractTopicConfigs, type EventLog, memoryEventLog, toRecord } from "@carebridge/kafka";
import type { EmbeddedContext, EmbeddedService } from "@carebridge/runtime";
import { TOKEN_DEFAULTS } from "./config.ts";
import embedded from "./embedded.ts";
import { appointmentData, appointmentEvents as ev, patientEvent, waitFor } from "./test-support.ts";

let log: EventLog;
let issuer: TestIssuer;
let service: EmbeddedService;
const databases: Database[] = [];

beforeAll(async () => {
  log = memoryEventLog();
  await log.createTopics(contractTopicConfigs());
  issuer = await createTestIssuer({ ...TOKEN_DEFAULTS });
  const ctx = {
    logger: createLogger({ service: "billing", level: "silent" }),
    eventLog: log,
    async openDatabase() {
      const database = await openPglite();
      databases.push(database);
      return database;
    },
    publicUrl: "http://localhost:8080",
    // The stack's own API: here only the JWKS auth would serve.
    fetch: async (request: Request) =>
      new URL(request.url).pathname === "/api/auth/.well-known/jwks.json"
        ? Response.json(issuer.jwks)
        : new Response(null, { status: 404 }),
  } as unknown as EmbeddedContext;
  service = await embedded(ctx);
}, 30_000);
afterAll(async () => {
  await service.stop();
  await log.close();
  for (const database of databases) await database.close();
});

test("embedded: events on the in-memory log become invoices served with tokens checked against the stack's JWKS", async () => {
  await service.check?.();
  const d = appointmentData({ specialty: "Dermatology" });
  const plan = patientEvent(d.patientId, "basic");
  const booked = ev.booked(d);
  await log.send([toRecord("patients", plan.subject, plan)]);
  await log.send([toRecord("appointments", booked.subject, booked)]);
  const token = await issuer.sign({ sub: d.patientId, role: "patient" });
  const list = async () =>
    (await (
      await service.fetch(
        new Request("http://localhost/api/invoices", { headers: { authorization: `Bearer ${token}` } }),
      )
    ).json()) as { items: Array<{ totalCents: number; insuranceCoveredCents: number }> };
  await waitFor("the invoice", async () => (await list()).items.length === 1);
  expect((await list()).items[0]).toMatchObject({ totalCents: 11_000, insuranceCoveredCents: 5_400 });
  // its invoice.issued and claim.submitted reach the log through the relay
  await waitFor("billing events relayed", async () => {
    const [claims, invoices] = await Promise.all([
      log.endOffsets("billing.insurance-claims"),
      log.endOffsets("billing.invoices"),
    ]);
    const sum = (m: Map<number, string>) => [...m.values()].reduce((a, b) => a + Number(b), 0);
    return sum(claims) === 1 && sum(invoices) === 1;
  });
});
