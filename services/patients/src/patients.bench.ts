/**
 * Patients benchmark (issue 6): authenticated GET /api/patients/{id} (JWT check, care-team check,
 * audit write, DynamoDB read against dynalite) vs a Hono echo route on the same server, same run.
 * Load comes from this process over real HTTP (Bun.serve on loopback); dynalite and s3rver run
 * in this process too, as in `bun run dev`.
 */
import { type Bench, type BenchResult, median } from "@carebridge/testing";
import { Hono } from "hono";
import { careLinkItem } from "./db/care-team-queries.ts";
import { buildTestApp, createPatient, startLocalAws } from "./test-support.ts";

/** Requests completed with an expected status by `concurrency` loops for `seconds`. */
async function load(concurrency: number, seconds: number, send: () => Promise<Response>) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const res = await send();
        await res.arrayBuffer();
        if (res.status === 200) done++;
        else failed++;
      }
    }),
  );
  if (failed > 0) throw new Error(`${failed} requests failed during the load`);
  return done / ((performance.now() - started) / 1000);
}

const bench: Bench = async () => {
  const aws = await startLocalAws();
  const { app, deps, issuer } = await buildTestApp(aws);
  const results: BenchResult[] = [];
  const echo = new Hono().get("/echo", (c) => c.json({ ok: true }));
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) => (new URL(req.url).pathname === "/echo" ? echo.fetch(req) : app.fetch(req)),
  });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const patientId = await createPatient(deps);
    const doctorId = Bun.randomUUIDv7();
    await deps.store.transact([
      careLinkItem({
        patientId,
        doctorId,
        appointmentId: Bun.randomUUIDv7(),
        status: "booked",
        occurredAtMs: 1,
      }),
    ]);
    const auth = { Authorization: `Bearer ${await issuer.sign({ sub: doctorId, role: "doctor" })}` };
    const url = `${base}/api/patients/${patientId}`;
    const first = await fetch(url, { headers: auth });
    if (first.status !== 200) throw new Error(`GET patient failed: ${first.status}`);
    const patientRates: number[] = [];
    const echoRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      echoRates.push(await load(32, 3, () => fetch(`${base}/echo`)));
      patientRates.push(await load(32, 3, () => fetch(url, { headers: auth })));
    }
    results.push({
      name: "authenticated GET /api/patients/{id} (JWT, care team, audit write, DynamoDB read on dynalite)",
      value: median(patientRates),
      unit: "req/s",
      baseline: { name: "unauthenticated Hono echo route, same server", value: median(echoRates) },
      target: { kind: "ratio-at-least", value: 0.2 },
      notes: `care-team query and profile read in parallel, then the audit put (conditional create); transactions ${deps.store.mode}`,
    });
  } finally {
    await server.stop(true);
    deps.close();
    await aws.stop();
  }
  return results;
};

export default bench;
