/**
 * Appointments benchmarks (issue 4), each against a baseline measured in the same run:
 * 1. POST /api/appointments sustained rate (closed loop, C clients over HTTP) vs pgbench -M prepared
 *    running the booking transaction itself (appointment insert under the exclusion constraint +
 *    outbox insert) with the same C clients; then p99 latency at 70% of the app's rate (open loop).
 * 2. Insert rate into a table with the exclusion constraint vs the same table with only a primary key.
 * 3. Slot search for one specialty over 14 days with 50 doctors: p99 latency.
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type Bench, type BenchResult, createTestDatabase, median, percentile } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { benchConnection } from "./bench-http-client.ts";
import { runPgbench, writeBookingScripts, writeInsertScript } from "./bench-support.ts";
import { updateAvailability } from "./db/doctor-queries.ts";
import { migrateAppointments } from "./db/migrate.ts";
import { seedDoctor, seedPatient } from "./test-support.ts";

const CLIENTS = 8;
/** The load average when a figure was taken: the machine is shared, figures swing with it. */
const load = () =>
  `load average ${loadavg()
    .map((n) => n.toFixed(1))
    .join(" ")}`;
const SECONDS = 8;
const ALL_WEEK = {
  timeZone: "UTC",
  slotMinutes: 5,
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
  exceptions: [],
};

/** Starts src/bench-server.ts in its own process; resolves once it listens. */
async function startServer(databaseUrl: string, patientId: string, now: string, pool: number) {
  // BENCH_SERVER_FLAGS (e.g. "--cpu-prof-md --cpu-prof-dir=/tmp/prof") go to the server's bun.
  const flags = process.env.BENCH_SERVER_FLAGS?.split(" ").filter(Boolean) ?? [];
  const proc = Bun.spawn(["bun", ...flags, join(import.meta.dir, "bench-server.ts")], {
    env: {
      ...process.env,
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_PATIENT_ID: patientId,
      BENCH_NOW: now,
      BENCH_POOL: String(pool),
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("bench server exited before listening");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { port, token } = JSON.parse(text.slice(0, text.indexOf("\n"))) as { port: number; token: string };
  return {
    base: `http://127.0.0.1:${port}`,
    token,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

const bench: Bench = async ({ postgresUrl }) => {
  const results: BenchResult[] = [];
  const { database, url, drop } = await createTestDatabase({ serverUrl: postgresUrl, max: CLIENTS });
  const dir = mkdtempSync(join(tmpdir(), "appointments-bench-"));
  try {
    await migrateAppointments(database);
    // Doctors working every 5 minutes around the clock; each request books the next slot of its
    // doctor. The closed loop gives each client a doctor of its own; the open loop spreads its
    // requests over all of them, as real bookings spread over many doctors (requests for one
    // doctor take turns on its row lock).
    const doctors = await Promise.all(
      Array.from({ length: 64 }, () => seedDoctor(database, { availability: ALL_WEEK })),
    );
    const patientId = await seedPatient(database);
    const server = await startServer(url, patientId, "2026-11-20T00:00:00Z", CLIENTS);
    const { base, token } = server;
    try {
      // --- 1. booking rate vs pgbench ---------------------------------------------------------
      const nextStart = doctors.map(() => Date.parse("2026-11-21T00:00:00Z"));
      // The client's per-request work is kept to the request itself: CLIENTS keep-alive
      // connections (src/bench-http-client.ts), request headers formatted once.
      const { hostname, port } = new URL(base);
      const connections = await Promise.all(
        Array.from({ length: CLIENTS }, () => benchConnection(hostname, Number(port))),
      );
      const bookHeaders = `authorization: Bearer ${token}\r\ncontent-type: application/json\r\n`;
      const bookOne = async (connection: number, doctor: number) => {
        const start = new Date(nextStart[doctor]!).toISOString().replace(".000Z", "Z");
        nextStart[doctor]! += 5 * 60_000;
        const body = `{"doctorId":"${doctors[doctor]}","start":"${start}","mode":"in-person"}`;
        const res = await connections[connection]!.post("/api/appointments", bookHeaders, body);
        if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${res.body}`);
      };
      const closedLoop = async (seconds: number) => {
        const deadline = performance.now() + seconds * 1000;
        let done = 0;
        const started = performance.now();
        await Promise.all(
          doctors.slice(0, CLIENTS).map(async (_, client) => {
            while (performance.now() < deadline) {
              await bookOne(client, client);
              done++;
            }
          }),
        );
        return done / ((performance.now() - started) / 1000);
      };
      await closedLoop(2); // warm-up: JIT, connections, JWKS cache

      const { script, fullScript } = writeBookingScripts(dir);
      await database.query(sql`
        INSERT INTO doctors (id, name, email, specialty)
        SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'pgbench', 'pgbench@example.com', 'General Practice'
        FROM generate_series(0, 999) AS n`);

      const appRates: number[] = [];
      const pgRates: number[] = [];
      for (let round = 0; round < 3; round++) {
        pgRates.push(await runPgbench(url, script, CLIENTS, SECONDS / 2));
        appRates.push(await closedLoop(SECONDS / 2));
      }
      const appRate = median(appRates);
      const fullRate = await runPgbench(url, fullScript, CLIENTS, SECONDS / 2);
      results.push({
        name: `POST /api/appointments sustained rate (${CLIENTS} clients, HTTP + JWT + validation + grid check)`,
        value: appRate,
        unit: "bookings/s",
        baseline: {
          name: `pgbench -M prepared, same transaction, ${CLIENTS} clients`,
          value: median(pgRates),
        },
        target: { kind: "ratio-at-least", value: 0.6 },
        notes:
          "the app sends one statement per booking (src/db/booking-statement.ts: doctor row lock, " +
          "availability check, insert, outbox insert), prepared, in autocommit; pgbench sends BEGIN, 2 inserts, " +
          "END. The server runs in its own process (src/bench-server.ts) and the load generator (JS) in " +
          "the bench's (a minimal HTTP/1.1 client, src/bench-http-client.ts): both share the 2 cores with PostgreSQL, pgbench (C) only with PostgreSQL. " +
          `Rounds: app ${appRates.map(Math.round).join(", ")}/s, pgbench ${pgRates.map(Math.round).join(", ")}/s; ${load()}.`,
      });
      results.push({
        name: `pgbench -M prepared running the app's booking statement (${CLIENTS} clients)`,
        value: fullRate,
        unit: "tx/s",
        target: { kind: "report" },
        notes:
          "the database side of the app's booking: the distance between this and the app's rate is HTTP, " +
          "JSON, JWT, validation, the event and the driver in Bun, and the JS load generator.",
      });

      // p99 at 70% of the sustained rate, open loop over all 64 doctors: request i is due at
      // t0 + i/rate and its latency counts from then (no coordinated omission). Like wrk2, the
      // client keeps CLIENTS keep-alive connections: a request waits for a free one, and that
      // wait is part of its latency; an overloaded server shows, a connection storm of the
      // load generator (new sockets opened for every burst) does not.
      const rate = 0.7 * appRate;
      const latencies: number[] = [];
      const total = Math.round(rate * SECONDS);
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        connections.map(async (_, connection) => {
          while (next < total) {
            const i = next++;
            const due = t0 + (i * 1000) / rate;
            const wait = due - performance.now();
            if (wait > 0) await Bun.sleep(wait);
            await bookOne(connection, i % doctors.length);
            latencies.push(performance.now() - due);
          }
        }),
      );
      results.push({
        name: `POST /api/appointments p99 latency at 70% of the sustained rate (${Math.round(rate)}/s, open loop)`,
        value: percentile(latencies, 99),
        unit: "ms",
        target: { kind: "at-most", value: 50 },
        notes:
          `p50 ${percentile(latencies, 50).toFixed(1)} ms, p90 ${percentile(latencies, 90).toFixed(1)} ms over ` +
          `${latencies.length} bookings, ${CLIENTS} connections; ${load()}.`,
      });

      for (const connection of connections) connection.close();

      // --- 2. exclusion constraint vs primary key only -----------------------------------------
      for (const table of ["bench_pk", "bench_excl"]) {
        await database.query(
          sql.raw(`CREATE TABLE ${table} (LIKE appointments INCLUDING DEFAULTS INCLUDING GENERATED)`),
        );
        await database.query(sql.raw(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`));
      }
      await database.query(
        sql.raw(
          `ALTER TABLE bench_excl ADD EXCLUDE USING gist (doctor_id WITH =, during WITH &&) WHERE (status = 'booked')`,
        ),
      );
      const insertScript = (table: string) => writeInsertScript(dir, table);
      // Measured identically: same script shape, 8 clients, -j 2, 3 s per run, one insert per
      // transaction; a 1 s warm-up of each first (discarded); then rounds alternating which table
      // goes first. Both tables start empty and get the same doctor ids and ranges.
      const pkScript = insertScript("bench_pk");
      const exclScript = insertScript("bench_excl");
      await runPgbench(url, pkScript, CLIENTS, 1);
      await runPgbench(url, exclScript, CLIENTS, 1);
      const pkRates: number[] = [];
      const exclRates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const pk = () => runPgbench(url, pkScript, CLIENTS, 3);
        const excl = () => runPgbench(url, exclScript, CLIENTS, 3);
        if (round % 2 === 0) {
          pkRates.push(await pk());
          exclRates.push(await excl());
        } else {
          exclRates.push(await excl());
          pkRates.push(await pk());
        }
      }
      const pairRatios = exclRates.map((e, i) => (e / pkRates[i]!).toFixed(2));
      results.push({
        name: "appointment inserts with the EXCLUDE USING gist constraint (pgbench, prepared)",
        value: median(exclRates),
        unit: "inserts/s",
        baseline: { name: "same table with only a primary key", value: median(pkRates) },
        target: { kind: "ratio-at-least", value: 0.7 },
        notes:
          `per-round ratios ${pairRatios.join(", ")}; ${load()}. The difference is the GiST insert ` +
          "(btree_gist on doctor_id + the range) and its conflict scan, per row; column order " +
          "(range first) and fillfactor 100 measured no better.",
      });

      // --- 3. slot search ---------------------------------------------------------------------
      const weekdays = {
        timeZone: "Europe/Berlin",
        slotMinutes: 30,
        weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
        exceptions: [],
      };
      const searchDoctors = await Promise.all(
        Array.from({ length: 50 }, () =>
          seedDoctor(database, { specialty: "Bench Search", availability: weekdays }),
        ),
      );
      for (const d of searchDoctors) await updateAvailability(database.db, d, weekdays);
      // A quarter of the slots booked.
      await database.query(sql`
        INSERT INTO appointments (id, patient_id, doctor_id, specialty, start_at, end_at, mode, status)
        SELECT gen_random_uuid(), gen_random_uuid(), d, 'Bench Search', s, s + interval '30 minutes', 'in-person', 'booked'
        FROM unnest(${`{${searchDoctors.join(",")}}`}::uuid[]) AS d,
             generate_series(timestamptz '2026-11-23 08:00Z', timestamptz '2026-12-04 15:30Z', interval '2 hours') AS s
        WHERE extract(isodow FROM s) < 6 AND extract(hour FROM s) BETWEEN 8 AND 15`);
      const search = `${base}/api/slots?specialty=Bench%20Search&from=2026-11-23T00:00:00Z&to=2026-12-07T00:00:00Z&limit=200`;
      const times: number[] = [];
      for (let i = 0; i < 230; i++) {
        const t = performance.now();
        const res = await fetch(search, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { items: unknown[] };
        if (res.status !== 200 || body.items.length !== 200) throw new Error(`search failed: ${res.status}`);
        if (i >= 30) times.push(performance.now() - t);
      }
      results.push({
        name: "GET /api/slots p99 (one specialty, 14 days, 50 doctors, a quarter booked)",
        value: percentile(times, 99),
        unit: "ms",
        target: { kind: "at-most", value: 20 },
        notes: `p50 ${percentile(times, 50).toFixed(1)} ms; 200 sequential searches over HTTP; ${load()}.`,
      });
    } finally {
      await server.stop();
    }
  } finally {
    await drop();
  }
  return results;
};

export default bench;
