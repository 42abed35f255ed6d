import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** pgbench on PATH, else PostgreSQL 15's. */
export function pgbenchPath(): string {
  const onPath = Bun.which("pgbench");
  if (onPath) return onPath;
  const fallback = "/usr/lib/postgresql/15/bin/pgbench";
  if (existsSync(fallback)) return fallback;
  throw new Error("pgbench not found (PATH or /usr/lib/postgresql/15/bin)");
}

/** Runs a pgbench custom script (-M prepared, no vacuum) and returns its tps. */
export async function runPgbench(
  url: string,
  script: string,
  clients: number,
  seconds: number,
): Promise<number> {
  const proc = Bun.spawn(
    [
      pgbenchPath(),
      "-n",
      "-M",
      "prepared",
      "-c",
      String(clients),
      "-j",
      "2",
      "-T",
      String(seconds),
      "-f",
      script,
      url,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const tps = out.match(/tps = ([\d.]+)/)?.[1];
  if (code !== 0 || !tps) throw new Error(`pgbench failed (${code}): ${err || out}`);
  return Number(tps);
}

/**
 * The pgbench scripts of the booking comparison: `script` (BEGIN, appointment insert, outbox insert,
 * END) and `fullScript` (the app's own booking statement). Doctors are `00000000-0000-4000-8000-000000000ddd`.
 */
export function writeBookingScripts(dir: string): { script: string; fullScript: string } {
  // pgbench books random 5-minute slots of 1000 doctors over ~190 000 years: two draws of one
  // doctor and slot (23P01, which aborts pgbench) are a few in a million per run.
  const script = join(dir, "booking.sql");
  writeFileSync(
    script,
    [
      "\\set k random(1, 20000000000)",
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
  // The statement the app sends per booking (src/db/booking-statement.ts: doctor row lock +
  // availability check + insert + outbox insert, one autocommit statement), run by pgbench:
  // reported, to show how much of the gap is the database and how much the Bun process.
  const fullScript = join(dir, "booking-full.sql");
  writeFileSync(
    fullScript,
    [
      "\\set k random(1, 20000000000)",
      "\\set d random(0, 999)",
      "WITH d AS (SELECT id, name, specialty, time_zone, slot_minutes, weekly, exceptions FROM doctors " +
        "WHERE id = ('00000000-0000-4000-8000-' || lpad(:d::text, 12, '0'))::uuid FOR NO KEY UPDATE), " +
        "a AS (INSERT INTO appointments (id, patient_id, doctor_id, specialty, start_at, end_at, mode, reason, status, created_at, updated_at) " +
        "SELECT gen_random_uuid(), gen_random_uuid(), d.id, d.specialty, timestamptz '2030-01-01 00:00Z' + :k * interval '5 minutes', " +
        "timestamptz '2030-01-01 00:05Z' + :k * interval '5 minutes', 'in-person', NULL, 'booked', now(), now() FROM d " +
        "WHERE d.specialty = 'General Practice' AND d.time_zone = 'UTC' AND d.slot_minutes = 30 " +
        "AND d.weekly = '[]'::jsonb AND d.exceptions = '[]'::jsonb RETURNING id), " +
        "o AS (INSERT INTO outbox (event_id, topic, key, type, headers, payload) SELECT gen_random_uuid(), 'appointments', " +
        "a.id::text, 'appointment.booked', '{\"ce_type\":\"appointment.booked\"}', " +
        `'${JSON.stringify({ appointmentId: "x", status: "booked", start: "2030-01-01T00:00:00Z" })}' FROM a) ` +
        "SELECT d.*, EXISTS (SELECT 1 FROM a) AS inserted FROM d;",
    ].join("\n"),
  );
  return { script, fullScript };
}

/** A pgbench script inserting one booked appointment into `table` per transaction. */
export function writeInsertScript(dir: string, table: string): string {
  const file = join(dir, `${table}.sql`);
  writeFileSync(
    file,
    [
      "\\set k random(1, 20000000000)",
      "\\set d random(0, 999)",
      `INSERT INTO ${table} (id, patient_id, doctor_id, specialty, start_at, end_at, mode, status) ` +
        "VALUES (gen_random_uuid(), gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(:d::text, 12, '0'))::uuid, " +
        "'General Practice', timestamptz '2030-01-01 00:00Z' + :k * interval '5 minutes', " +
        "timestamptz '2030-01-01 00:05Z' + :k * interval '5 minutes', 'in-person', 'booked');",
    ].join("\n"),
  );
  return file;
}
