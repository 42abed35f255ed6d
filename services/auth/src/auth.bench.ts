/**
 * Auth benchmarks (issue 3), each against a baseline measured in the same run:
 * - login throughput vs cores ÷ the time of one argon2id hash (hashing should be the only limit);
 * - authenticated GET /api/auth/me vs an unauthenticated Hono echo route on the same server.
 * Load comes from this process over real HTTP (Bun.serve on loopback).
 */
import { type Bench, type BenchResult, createTestDatabase, median } from "@carebridge/testing";
import { Hono } from "hono";
import { ARGON2ID } from "./domain/password-hasher.ts";
import { buildTestApp, type SessionBody } from "./test-support.ts";

/** Requests completed with an expected status by `concurrency` loops for `seconds`. */
async function load(
  concurrency: number,
  seconds: number,
  send: () => Promise<Response>,
  ok: (r: Response) => boolean,
) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const res = await send();
        await res.arrayBuffer();
        if (ok(res)) done++;
        else failed++;
      }
    }),
  );
  if (failed > 0) throw new Error(`${failed} requests failed during the load`);
  return done / ((performance.now() - started) / 1000);
}

const bench: Bench = async ({ postgresUrl }) => {
  const { database, drop } = await createTestDatabase({ serverUrl: postgresUrl, max: 10 });
  const results: BenchResult[] = [];
  try {
    const { app } = await buildTestApp(database);
    const echo = new Hono().get("/echo", (c) => c.json({ ok: true }));
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req) => (new URL(req.url).pathname === "/echo" ? echo.fetch(req) : app.fetch(req)),
    });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      // --- login vs the argon2id bound ------------------------------------------------------
      const password = "correct horse battery staple";
      const users = Array.from({ length: 20 }, (_, i) => `bench-${i}@example.com`);
      for (const email of users) {
        const res = await fetch(`${base}/api/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email, password, name: "Bench User" }),
        });
        if (res.status !== 201) throw new Error(`register failed: ${res.status}`);
      }
      const hash = await Bun.password.hash(password, ARGON2ID);
      const hashTimes: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await Bun.password.verify(password, hash);
        hashTimes.push(performance.now() - t);
      }
      const hashMs = median(hashTimes);
      const cores = navigator.hardwareConcurrency;
      let n = 0;
      const loginRate = await load(
        4 * cores,
        8,
        () =>
          fetch(`${base}/api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-forwarded-for": `10.0.0.${n % 200}` },
            body: JSON.stringify({ email: users[n++ % users.length], password }),
          }),
        (r) => r.status === 200,
      );
      results.push({
        name: "login throughput (argon2id 19 MiB, t=2, over HTTP with PostgreSQL)",
        value: loginRate,
        unit: "logins/s",
        baseline: {
          name: `cores ÷ one argon2id verify (${cores} ÷ ${hashMs.toFixed(1)} ms)`,
          value: (cores * 1000) / hashMs,
        },
        target: { kind: "ratio-at-least", value: 0.8 },
      });

      // --- /me vs echo ----------------------------------------------------------------------
      const session = (await (
        await fetch(`${base}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: users[0], password }),
        })
      ).json()) as SessionBody;
      const auth = { Authorization: `Bearer ${session.accessToken}` };
      const meRates: number[] = [];
      const echoRates: number[] = [];
      for (let round = 0; round < 3; round++) {
        echoRates.push(
          await load(
            32,
            3,
            () => fetch(`${base}/echo`),
            (r) => r.status === 200,
          ),
        );
        meRates.push(
          await load(
            32,
            3,
            () => fetch(`${base}/api/auth/me`, { headers: auth }),
            (r) => r.status === 200,
          ),
        );
      }
      results.push({
        name: "authenticated GET /api/auth/me (JWT check + profile, cached 5 s)",
        value: median(meRates),
        unit: "req/s",
        baseline: { name: "unauthenticated Hono echo route, same server", value: median(echoRates) },
        target: { kind: "ratio-at-least", value: 0.3 },
        notes:
          "the JWT check is cached per token (its key still re-checked) and the profile per user for 5 s; " +
          "without the profile cache each request reads PostgreSQL (≈250 µs on the shared 2 cores) and the " +
          "ratio is about 0.09.",
      });
    } finally {
      await server.stop(true);
    }
  } finally {
    await drop();
  }
  return results;
};

export default bench;
