import { afterAll, beforeAll, expect, test } from "bun:test";
import { makeEvent } from "@carebridge/contracts";
import { createLogger } from "@carebridge/http";
import { createTestIssuer, type TestIssuer } from "@carebridge/http/testing";
import {
  type ConsumedMessage,
  contractTopicConfigs,
  type EventLog,
  memoryEventLog,
  toRecord,
} from "@carebridge/kafka";
import type { EmbeddedService } from "@carebridge/runtime";
import embedded from "./embedded.ts";
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws, TEST_BUCKET } from "./test-support.ts";

let aws: LocalAws;
let log: EventLog;
let issuer: TestIssuer;
let service: EmbeddedService;
let jwksFetches = 0;

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  log = memoryEventLog();
  await log.createTopics(contractTopicConfigs());
  issuer = await createTestIssuer();
  service = await embedded({
    logger: createLogger({ service: "patients", level: "silent" }),
    eventLog: log,
    openDatabase: () => Promise.reject(new Error("patients has no PostgreSQL database")),
    aws: {
      region: "us-east-1",
      credentials: { ...LOCAL_CREDENTIALS },
      dynamodbEndpoint: aws.dynamodbEndpoint,
      s3Endpoint: aws.s3Endpoint,
      labBucket: TEST_BUCKET,
    },
    publicUrl: "http://localhost:8080",
    // The stack's own API, in process: here only auth's JWKS.
    fetch: async (request) => {
      if (new URL(request.url).pathname !== "/api/auth/.well-known/jwks.json")
        return new Response(null, { status: 404 });
      jwksFetches++;
      return Response.json(issuer.jwks);
    },
  });
}, 120_000);
afterAll(async () => {
  await service.stop();
  await log.close();
  await aws.stop();
});

test("embedded: the demo patient registered by auth gets plan basic, readable with auth's JWKS; events flow out", async () => {
  await service.check?.();
  const id = Bun.randomUUIDv7();
  const event = makeEvent(
    "user.registered",
    { id, email: "patient@example.com", name: "Pat Patient", role: "patient" },
    { source: "/carebridge/auth" },
  );
  await log.send([toRecord("auth.users", id, event)]);
  const token = await issuer.sign({ sub: id, role: "patient" });
  let res: Response | undefined;
  for (let i = 0; i < 200; i++) {
    res = await service.fetch(
      new Request("http://localhost:8080/api/patients/me", { headers: { authorization: `Bearer ${token}` } }),
    );
    if (res.status === 200) break;
    await Bun.sleep(25);
  }
  expect(res?.status).toBe(200);
  expect(await res!.json()).toMatchObject({ id, version: 2, insurance: { planId: "basic" } });
  expect(jwksFetches).toBeGreaterThan(0);
  const seen: ConsumedMessage[] = [];
  const reader = await log.consume({ groupId: "billing-like", topics: ["patients"] }, async (b) => {
    seen.push(...b.messages);
  });
  for (let i = 0; i < 200 && seen.length < 2; i++) await Bun.sleep(25);
  await reader.stop();
  expect(seen.map((m) => m.headers.ce_type)).toEqual(["patient.registered", "patient.updated"]);
});
