import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DeleteCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { HttpApp } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import { getPatient } from "../db/patient-queries.ts";
import { keys } from "../db/table.ts";
import type { PatientsDeps } from "../deps.ts";
import { rebuildProjections } from "../domain/rebuild.ts";
import { authed, buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";

let aws: LocalAws;
let app: HttpApp;
let deps: PatientsDeps;
let issuer: TestIssuer;

beforeAll(async () => {
  aws = await startLocalAws({ dynamodb: "dynamodb-local" });
  ({ app, deps, issuer } = await buildTestApp(aws));
}, 120_000);
afterAll(async () => {
  deps.close();
  await aws.stop();
});

const patientToken = (id: string) => issuer.sign({ sub: id, role: "patient" });
const patch = async (id: string, body: unknown, ifMatch?: string) =>
  app.request(
    authed(await patientToken(id), "/api/patients/me", {
      method: "PATCH",
      body,
      headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
    }),
  );

/** Every item of the table (to prove that refused requests wrote nothing). */
async function snapshot(): Promise<string> {
  const { Items = [] } = await deps.store.doc.send(new ScanCommand({ TableName: deps.store.tableName }));
  return JSON.stringify(
    Items.filter((i) => !String(i.PK).startsWith("AUDIT#")).sort((a, b) =>
      `${a.PK}${a.SK}`.localeCompare(`${b.PK}${b.SK}`),
    ),
  );
}

describe("patient record: GET/PATCH /me with optimistic concurrency", () => {
  test("GET /me returns the record with plan none and its version as ETag", async () => {
    const id = await createPatient(deps, { name: "Ann Example", email: "ann@example.com" });
    const res = await app.request(authed(await patientToken(id), "/api/patients/me"));
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(await res.json()).toEqual({
      id,
      userId: id,
      name: "Ann Example",
      email: "ann@example.com",
      dateOfBirth: null,
      sex: null,
      phone: null,
      address: null,
      insurance: { planId: "none", memberId: null },
      allergies: [],
      conditions: [],
      medications: [],
      version: 1,
    });
  });

  test("PATCH with the current version applies, bumps the version, and is in the history with its actor", async () => {
    const id = await createPatient(deps);
    const res = await patch(
      id,
      { insurance: { planId: "plus", memberId: "M-1" }, allergies: ["penicillin"] },
      '"1"',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"2"');
    const body = (await res.json()) as { version: number; insurance: unknown; allergies: string[] };
    expect(body).toMatchObject({
      version: 2,
      insurance: { planId: "plus", memberId: "M-1" },
      allergies: ["penicillin"],
    });
    const history = await app.request(authed(await patientToken(id), `/api/patients/${id}/history`));
    expect(history.status).toBe(200);
    const { items } = (await history.json()) as {
      items: Array<{ type: string; actor: unknown; data: unknown }>;
    };
    expect(items.map((i) => i.type)).toEqual(["patient.registered", "patient.updated"]);
    expect(items[1]).toMatchObject({
      actor: { userId: id, role: "patient" },
      data: { insurance: { planId: "plus", memberId: "M-1" }, allergies: ["penicillin"] },
    });
  });

  test("missing If-Match → 428, stale → 412, unknown plan / unknown field / bad date → 400; nothing written", async () => {
    const id = await createPatient(deps);
    expect((await patch(id, { name: "New Name" }, '"1"')).status).toBe(200);
    const before = await snapshot();
    const missing = await patch(id, { name: "X" });
    expect(missing.status).toBe(428);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    const stale = await patch(id, { name: "X" }, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.headers.get("content-type")).toContain("application/problem+json");
    expect((await patch(id, { name: "X" }, '"7"')).status).toBe(412);
    expect((await patch(id, { name: "X" }, "*")).status).toBe(400);
    const plan = await patch(id, { insurance: { planId: "gold", memberId: null } }, '"2"');
    expect(plan.status).toBe(400);
    expect(((await plan.json()) as { errors: Record<string, string> }).errors).toHaveProperty([
      "insurance.planId",
    ]);
    expect((await patch(id, { version: 9 }, '"2"')).status).toBe(400);
    expect((await patch(id, { email: "x@example.com" }, '"2"')).status).toBe(400);
    expect((await patch(id, { dateOfBirth: "2999-01-01" }, '"2"')).status).toBe(400);
    expect((await patch(id, "{not json", '"2"')).status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  test("a paid plan needs a memberId (400 naming it, nothing written); plan none clears the memberId", async () => {
    const id = await createPatient(deps);
    const before = await snapshot();
    for (const insurance of [
      { planId: "premium" },
      { planId: "premium", memberId: null },
      { planId: "basic", memberId: " " },
    ]) {
      const res = await patch(id, { insurance }, '"1"');
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { errors: Record<string, string> }).errors).toHaveProperty([
        "insurance.memberId",
      ]);
    }
    expect(await snapshot()).toBe(before);
    const paid = await patch(id, { insurance: { planId: "premium", memberId: "P-77" } }, '"1"');
    expect(paid.status).toBe(200);
    const none = await patch(id, { insurance: { planId: "none", memberId: "P-77" } }, '"2"');
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ version: 3, insurance: { planId: "none", memberId: null } });
  });

  test("two concurrent PATCHes with the same version: one 200, one 412, one event appended", async () => {
    const id = await createPatient(deps);
    const [a, b] = await Promise.all([
      patch(id, { phone: "+49 30 1111" }, '"1"'),
      patch(id, { phone: "+49 30 2222" }, '"1"'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = (await (a.status === 200 ? a : b).json()) as { phone: string };
    const record = await getPatient(deps.store, id, true);
    expect(record).toMatchObject({ version: 2, phone: winner.phone });
    const history = (await (
      await app.request(authed(await patientToken(id), `/api/patients/${id}/history`))
    ).json()) as {
      items: unknown[];
    };
    expect(history.items).toHaveLength(2);
  });

  test("rebuilding every projection by replay gives identical records; a damaged projection is repaired", async () => {
    const ids = await Promise.all([1, 2, 3].map(() => createPatient(deps)));
    expect((await patch(ids[0]!, { conditions: ["asthma"], sex: "female" }, '"1"')).status).toBe(200);
    expect((await patch(ids[0]!, { conditions: ["asthma", "migraine"] }, '"2"')).status).toBe(200);
    expect((await patch(ids[1]!, { address: "1 Main St, Berlin" }, '"1"')).status).toBe(200);
    const before = await snapshot();
    const clean = await rebuildProjections(deps.store);
    expect(clean.rewritten).toEqual([]);
    expect(clean.patients).toBeGreaterThanOrEqual(3);
    expect(await snapshot()).toBe(before);
    // Damage two projections (one edited, one lost): the rebuild restores exactly what was there.
    await deps.store.doc.send(
      new PutCommand({
        TableName: deps.store.tableName,
        Item: {
          ...(await getPatient(deps.store, ids[0]!, true)),
          PK: keys.patient(ids[0]!),
          SK: keys.profile,
          entity: "profile",
          conditions: [],
        },
      }),
    );
    await deps.store.doc.send(
      new DeleteCommand({
        TableName: deps.store.tableName,
        Key: { PK: keys.patient(ids[2]!), SK: keys.profile },
      }),
    );
    const repaired = await rebuildProjections(deps.store);
    expect(repaired.rewritten.sort()).toEqual([ids[0]!, ids[2]!].sort());
    expect(await snapshot()).toBe(before);
  });
});
