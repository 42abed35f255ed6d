/**
 * Patients benchmark (issue 6): authenticated GET /api/patients/{id} by doctors (JWT check,
 * care-team check, audit write, DynamoDB read) vs a Hono echo route on the same server, same run.
 * The server runs in this process (Bun.serve on loopback); dynalite runs in its own Bun process
 * (as DynamoDB is another machine in production) and so does the load generator, for both routes
 * alike: same client, concurrency and keep-alive connections. 64 patients, 16 doctors, each loop
 * cycling through the pairs, so reads, audits and the care-team cache see many keys. An unmeasured
 * 1 s warm-up of each route, then alternating rounds. After the load, the audit records are
 * counted: exactly one per 200 the clients received.
 * Besides req/s, the server process's CPU time per request is reported for both routes: the
 * load-independent part of the ratio on a shared machine.
 * `PATIENTS_BENCH_CLIENT=in-process` runs the load generator on the server's thread instead;
 * `PATIENTS_BENCH_DYNAMODB=dynamodb-local` uses DynamoDB Local (native TransactWriteItems) instead
 * of the dynalite subprocess.
 */

import { createLogger } from "@carebridge/http";
import { createTestIssuer } from "@carebridge/http/testing";
import { type Bench, type BenchResult, median, startDynamoDbLocal } from "@carebridge/testing";
import { Hono } from "hono";
import { createApp } from "./app.ts";
import { startDynaliteProcess } from "./bench/dynalite-process.ts";
import { type LoadResult, type LoadSpec, load, loadFromChild } from "./bench/load-process.ts";
import { childPid, cpuMsOf } from "./bench/process-cpu.ts";
import { listAudit } from "./db/audit-sink.ts";
import { careLinkItem } from "./db/care-team-queries.ts";
import { createPatientsDeps } from "./deps.ts";
import { registrationItems } from "./domain/patient-commands.ts";

const PATIENTS = 64;
const DOCTORS = 16;
const CONCURRENCY = 32;
const SECONDS = 3;
const ROUNDS = 3;

const bench: Bench = async () => {
  const inProcess = process.env.PATIENTS_BENCH_CLIENT === "in-process";
  const emulator = process.env.PATIENTS_BENCH_DYNAMODB === "dynamodb-local" ? "DynamoDB Local" : "dynalite";
  const dynamo =
    emulator === "dynalite"
      ? await startDynaliteProcess()
      : await startDynamoDbLocal({ inMemory: true, watchdog: true });
  const emulatorPid = childPid(emulator === "dynalite" ? "dynalite-process" : "dynamodbv2.local");
  /** One load run, with the CPU time per answered request (µs) of the server process and of the emulator. */
  const run = async (spec: LoadSpec) => {
    const before = process.cpuUsage();
    const emulatorBefore = emulatorPid ? cpuMsOf(emulatorPid) : undefined;
    const result: LoadResult = await (inProcess ? load(spec) : loadFromChild(spec));
    const cpu = process.cpuUsage(before);
    const emulatorAfter = emulatorPid ? cpuMsOf(emulatorPid) : undefined;
    return {
      ...result,
      cpuPerRequestUs: (cpu.user + cpu.system) / result.ok,
      emulatorPerRequestUs:
        emulatorBefore === undefined || emulatorAfter === undefined
          ? Number.NaN
          : ((emulatorAfter - emulatorBefore) * 1000) / result.ok,
    };
  };
  const issuer = await createTestIssuer();
  const deps = await createPatientsDeps({
    logger: createLogger({ service: "patients", level: "silent" }),
    aws: {
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      dynamodbEndpoint: dynamo.endpoint,
    },
    tableName: "patients-bench",
    bucket: "unused",
    transactions: "auto",
    createTable: true,
    keys: issuer.keys,
    claims: { issuer: issuer.issuer, audience: issuer.audience },
  });
  const app = createApp(deps);
  const echo = new Hono().get("/echo", (c) => c.json({ ok: true }));
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) => (new URL(req.url).pathname === "/echo" ? echo.fetch(req) : app.fetch(req)),
  });
  const base = `http://127.0.0.1:${server.port}`;
  const results: BenchResult[] = [];
  try {
    const patients = Array.from({ length: PATIENTS }, () => Bun.randomUUIDv7());
    const doctors = Array.from({ length: DOCTORS }, () => Bun.randomUUIDv7());
    for (const id of patients) {
      const items = await registrationItems(
        deps.store,
        { id, name: "Pat Bench", email: `${id}@example.com` },
        { seedDemo: false },
      );
      await deps.store.transact(items);
    }
    const pairs = patients.map((patientId, i) => ({ patientId, doctorId: doctors[i % DOCTORS]! }));
    await deps.store.transact(
      pairs.map(({ patientId, doctorId }) =>
        careLinkItem({
          patientId,
          doctorId,
          appointmentId: Bun.randomUUIDv7(),
          status: "booked",
          occurredAtMs: 1,
        }),
      ),
    );
    const tokens = new Map(
      await Promise.all(
        doctors.map(async (d) => [d, await issuer.sign({ sub: d, role: "doctor" })] as const),
      ),
    );
    const patientLoad: LoadSpec = {
      requests: pairs.map(({ patientId, doctorId }) => ({
        url: `${base}/api/patients/${patientId}`,
        headers: { authorization: `Bearer ${tokens.get(doctorId)}` },
      })),
      concurrency: CONCURRENCY,
      seconds: SECONDS,
    };
    const echoLoad: LoadSpec = {
      requests: [{ url: `${base}/echo` }],
      concurrency: CONCURRENCY,
      seconds: SECONDS,
    };
    const patientRates: number[] = [];
    const echoRates: number[] = [];
    const patientCpu: number[] = [];
    const emulatorCpu: number[] = [];
    const echoCpu: number[] = [];
    // Warm-up of both routes (JIT, connection pools), not measured; its 200s are audited too.
    await run({ ...echoLoad, seconds: 1 });
    let served = (await run({ ...patientLoad, seconds: 1 })).ok;
    for (let round = 0; round < ROUNDS; round++) {
      const e = await run(echoLoad);
      echoRates.push(e.rate);
      echoCpu.push(e.cpuPerRequestUs);
      const p = await run(patientLoad);
      patientRates.push(p.rate);
      patientCpu.push(p.cpuPerRequestUs);
      emulatorCpu.push(p.emulatorPerRequestUs);
      served += p.ok;
    }
    // Nothing skipped: one durable audit record per response that carried the record.
    const audited = (await Promise.all(patients.map((p) => listAudit(deps.store, p)))).flat().length;
    if (audited !== served) throw new Error(`${served} records served but ${audited} audit records`);
    const ratio = median(patientRates) / median(echoRates);
    results.push({
      name: `authenticated GET /api/patients/{id} (JWT, care team, audit write, DynamoDB read; ${emulator})`,
      value: median(patientRates),
      unit: "req/s",
      baseline: { name: "unauthenticated Hono echo route, same server", value: median(echoRates) },
      target: { kind: "ratio-at-least", value: 0.2 },
      notes:
        `${median(patientRates).toFixed(0)} vs ${median(echoRates).toFixed(0)} req/s = ${ratio.toFixed(3)}x ` +
        `(rounds: ${patientRates.map((r) => r.toFixed(0)).join("/")} vs ${echoRates.map((r) => r.toFixed(0)).join("/")}); ` +
        `server CPU per request ${median(patientCpu).toFixed(0)} µs vs ${median(echoCpu).toFixed(1)} µs ` +
        `(${(median(echoCpu) / median(patientCpu)).toFixed(3)}x), ${emulator} CPU per request ${median(emulatorCpu).toFixed(0)} µs; ` +
        `${CONCURRENCY} keep-alive loops from ${inProcess ? "the server's thread" : "a separate process"}, ` +
        `${emulator} in its own process (transactions ${deps.store.mode}); ${PATIENTS} patients, ${DOCTORS} doctors; ` +
        `audit group commit (${deps.store.mode === "native" ? "TransactWriteItems" : "BatchWriteItem"}), ` +
        `record reads coalesced into BatchGetItem, care-team grants cached ≤ 5 s; ` +
        `${audited} audit records = ${served} responses`,
    });
  } finally {
    await server.stop(true);
    deps.close();
    await dynamo.stop();
  }
  return results;
};

export default bench;
