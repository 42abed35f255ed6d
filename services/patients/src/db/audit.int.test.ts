import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HttpApp } from "@carebridge/http";
import { type AuditRecord, REQUEST_ID_HEADER } from "@carebridge/http";
import type { TestIssuer } from "@carebridge/http/testing";
import type { PatientsDeps } from "../deps.ts";
import { authed, buildTestApp, createPatient, type LocalAws, startLocalAws } from "../test-support.ts";
import { listAudit } from "./audit-sink.ts";
import { careLinkItem } from "./care-team-queries.ts";

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

describe("PHI audit under concurrent load", () => {
  test("audit records = responses carrying patient data, one per request, with who/role/patient/resource/request id", async () => {
    const patients = await Promise.all(Array.from({ length: 4 }, () => createPatient(deps)));
    const doctor = Bun.randomUUIDv7();
    // The doctor treats the first two patients only.
    await deps.store.transact(
      patients.slice(0, 2).map((patientId) =>
        careLinkItem({
          patientId,
          doctorId: doctor,
          appointmentId: Bun.randomUUIDv7(),
          status: "booked",
          occurredAtMs: 1,
        }),
      ),
    );
    const callers = [
      ...patients.map((p) => ({ sub: p, role: "patient" as const })),
      { sub: doctor, role: "doctor" as const },
      { sub: Bun.randomUUIDv7(), role: "admin" as const },
      { sub: Bun.randomUUIDv7(), role: "analyst" as const },
    ];
    const tokens = await Promise.all(callers.map((c) => issuer.sign(c)));
    const paths = (p: string) => [
      `/api/patients/${p}`,
      `/api/patients/${p}/history`,
      `/api/patients/${p}/lab-results`,
    ];
    const requests = Array.from({ length: 240 }, (_, i) => {
      const patient = patients[i % patients.length]!;
      const c = Math.floor(i / 4) % callers.length;
      const path = i % 11 === 0 ? "/api/patients/me" : paths(patient)[i % 3]!;
      return {
        token: tokens[c]!,
        caller: callers[c]!,
        patient: path === "/api/patients/me" ? callers[c]!.sub : patient,
        path,
      };
    });
    const served = new Map<string, string[]>(); // patient → request ids of 2xx responses
    let denied = 0;
    await Promise.all(
      requests.map(async (r) => {
        const res = await app.request(authed(r.token, r.path));
        await res.arrayBuffer();
        if (res.status === 200) {
          const list = served.get(r.patient) ?? [];
          list.push(res.headers.get(REQUEST_ID_HEADER)!);
          served.set(r.patient, list);
        } else {
          expect([403, 404]).toContain(res.status);
          denied++;
        }
      }),
    );
    expect(denied).toBeGreaterThan(0); // the mix really contains refusals
    let total = 0;
    for (const patient of patients) {
      const records: AuditRecord[] = await listAudit(deps.store, patient);
      const ids = served.get(patient) ?? [];
      total += ids.length;
      expect(records.map((r) => r.requestId).sort()).toEqual([...ids].sort());
      for (const record of records) {
        expect(record).toMatchObject({ patientId: patient, action: "read" });
        expect(["patient", "patient-history", "lab-results"]).toContain(record.resource);
        expect(["patient", "doctor", "admin"]).toContain(record.actorRole);
        if (record.actorRole === "patient") expect(record.actorUserId).toBe(patient);
        if (record.actorRole === "doctor") expect(patients.slice(0, 2)).toContain(patient);
      }
    }
    expect(total).toBeGreaterThan(50);
  }, 60_000);

  test("when the audit cannot be written, the data is withheld (503) and nothing else leaks", async () => {
    const patient = await createPatient(deps);
    const token = await issuer.sign({ sub: patient, role: "patient" });
    const original = deps.audit.write;
    deps.audit.write = async () => {
      throw new Error("DynamoDB unavailable");
    };
    try {
      const res = await app.request(authed(token, `/api/patients/${patient}`));
      expect(res.status).toBe(503);
      expect(JSON.stringify(await res.json())).not.toContain(`${patient}@example.com`);
    } finally {
      deps.audit.write = original;
    }
  });
});
