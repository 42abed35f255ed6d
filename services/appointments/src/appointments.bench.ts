/**
 * Appointments benchmarks (issue 4), each against a baseline measured in the same run:
 * 1. POST /api/appointments sustained rate (closed loop, C clients over HTTP) vs pgbench -M prepared
 *    running the booking transaction itself (appointment insert under the exclusion constraint +
 *    outbox insert) with the same C clients; then p99 latency at 70% of the app's rate (open loop).
 * 2. Insert rate into a table with the exclusion constraint vs the same table with only a primary key.
 * 3. Slot search for one specialty over 14 days with 50 doctors: p99 latency.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bench, type BenchResult, createTestDatabase, median, percentile } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { runPgbench } from "./bench-support.ts";
import { updateAvailability } from "./db/doctor-queries.ts";
import { migrateAppointments } from "./db/migrate.ts";
import { seedDoctor, seedPatient } from "./test-support.ts";

const CLIENTS = 8;
const SECONDS = 8;
const ALL_WEEK = {
  timeZone: "UTC",
  slotMinutes: 5,
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
  exceptions: [],
};

/** Starts src/bench-server.ts in its own process; resolves once it listens. */
async function startServer(databaseUrl: string, patientId: string, now: string, pool: number) {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "bench-server.ts")], {
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
      const bookOne = async (client: number) => {
        const start = new Date(nextStart[client]!).toISOString().replace(".000Z", "Z");
        nextStart[client]! += 5 * 60_000;
        const t = performance.now();
        const res = await fetch(`${base}/api/appointments`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ doctorId: doctors[client], start, mode: "in-person" }),
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`booking failed: ${res.status}`);
        return performance.now() - t;
      };
      const closedLoop = async (seconds: number) => {
        const deadline = performance.now() + seconds * 1000;
        let done = 0;
        const started = performance.now();
        await Promise.all(
          doctors.slice(0, CLIENTS).map(async (_, client) => {
            while (performance.now() < deadline) {
              await bookOne(client);
              done++;
            }
          }),
        );
        return done / ((performance.now() - started) / 1000);
      };
      await closedLoop(2); // warm-up: JIT, connections, JWKS cache

      const script = join(dir, "booking.sql");
      writeFileSync(
        script,
        [
          "\\set k random(1, 1000000000)",
          "\\set d random(0, 999)",
          "BEGIN;",
          "INSERT INTO appointments (id, patient_id, doctor_id, specialty, start_at, end_at, mode, status) " +
            "VALUES (gen_random_uuid(), gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(:d::text, 12, '0'))::uuid, " +
            "'General Practice', timestamptz '2030-01-01 00:00Z' + :k * interval '5 minutes', " +
            "timestamptz '2030-01-01 00:05Z' + :k * interval '5 minutes', 'in-person', 'booked');",
          "INSERT INTO outbox (event_id, topic, key, type, headers, payload) VALUES (gen_random_uuid(), 'appointments', " +
            "gen_random_uuid()::text, 'appointment.booked', '{\"ce_type\":\"appointment.booked\"}', " +
            `'${JSON.stringify({ appointmentId: "x", status: "booked", start: "2030-01-01T00:00:00Z" })}');`,
          "END;",
        ].join("\n"),
      );
      // The same transaction with every statement the app sends (doctor row lock, outbox key lock):
      // reported, to show how much of the gap is the database and how much the Bun process.
      const fullScript = join(dir, "booking-full.sql");
      writeFileSync(
        fullScript,
        readFileSync(script, "utf8").replace(
          "BEGIN;",
          "BEGIN;\nSELECT id, time_zone, slot_minutes, weekly, exceptions FROM doctors " +
            "WHERE id = ('00000000-0000-4000-8000-' || lpad(:d::text, 12, '0'))::uuid FOR NO KEY UPDATE;\n" +
            "SELECT pg_advisory_xact_lock(hashtextextended('appointments/' || :k, 212863756));",
        ),
      );
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
          "the app's transaction also locks the doctor row (SELECT … FOR NO KEY UPDATE, which reads the " +
          "availability for the grid check) and takes the outbox's per-key advisory lock: 5 statements " +
          "where pgbench sends 2. The server runs in its own process (src/bench-server.ts), the load " +
          "generator in the bench's; both share the 2 cores with PostgreSQL, pgbench only with PostgreSQL.",
      });
      results.push({
        name: `pgbench -M prepared with every statement the app's booking sends (${CLIENTS} clients)`,
        value: fullRate,
        unit: "tx/s",
        target: { kind: "report" },
        notes:
          "the database side of the app's transaction (doctor row lock + insert + outbox key lock + outbox " +
          "insert): the distance between this and the app's rate is HTTP, JSON, JWT, validation and the driver in Bun.",
      });

      // p99 at 70% of the sustained rate, open loop: latency counts from each request's scheduled time.
      const rate = 0.7 * appRate;
      const latencies: number[] = [];
      const total = Math.round(rate * SECONDS);
      const t0 = performance.now();
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await Bun.sleep(wait);
        inflight.push(
          bookOne(i % doctors.length).then(() => {
            latencies.push(performance.now() - due);
          }),
        );
      }
      await Promise.all(inflight);
      results.push({
        name: `POST /api/appointments p99 latency at 70% of the sustained rate (${Math.round(rate)}/s, open loop)`,
        value: percentile(latencies, 99),
        unit: "ms",
        target: { kind: "at-most", value: 50 },
        notes: `p50 ${percentile(latencies, 50).toFixed(1)} ms over ${latencies.length} bookings.`,
      });

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
      const insertScript = (table: string) => {
        const file = join(dir, `${table}.sql`);
        writeFileSync(
          file,
          [
            "\\set k random(1, 1000000000)",
            "\\set d random(0, 999)",
            `INSERT INTO ${table} (id, patient_id, doctor_id, specialty, start_at, end_at, mode, status) ` +
              "VALUES (gen_random_uuid(), gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(:d::text, 12, '0'))::uuid, " +
              "'General Practice', timestamptz '2030-01-01 00:00Z' + :k * interval '5 minutes', " +
              "timestamptz '2030-01-01 00:05Z' + :k * interval '5 minutes', 'in-person', 'booked');",
          ].join("\n"),
        );
        return file;
      };
      const pkRates: number[] = [];
      const exclRates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const pk = () => runPgbench(url, insertScript("bench_pk"), CLIENTS, 3);
        const excl = () => runPgbench(url, insertScript("bench_excl"), CLIENTS, 3);
        if (round % 2 === 0) {
          pkRates.push(await pk());
          exclRates.push(await excl());
        } else {
          exclRates.push(await excl());
          pkRates.push(await pk());
        }
      }
      results.push({
        name: "appointment inserts with the EXCLUDE USING gist constraint (pgbench, prepared)",
        value: median(exclRates),
        unit: "inserts/s",
        baseline: { name: "same table with only a primary key", value: median(pkRates) },
        target: { kind: "ratio-at-least", value: 0.7 },
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
        notes: `p50 ${percentile(times, 50).toFixed(1)} ms; 200 sequential searches over HTTP.`,
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
