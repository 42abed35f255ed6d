/**
 * CPU profile of billing's consumer effect, independent of machine load (the bench's ratio is not):
 * `bun services/billing/src/testing/profile-batch.ts [batch size] [rounds]` starts a throwaway
 * PostgreSQL server and applies batches of new bookings (3 of 4 patients insured, as in the bench),
 * printing per batch the wall time and the CPU time of this process and of the transaction's
 * PostgreSQL backend (`/proc/<pid>/schedstat`, Linux). Add `--cpu-prof` to bun for a JS profile.
 */
import { readFileSync, rmSync } from "node:fs";
import type { ReceivedEvent } from "@carebridge/kafka";
import { fromRecord, toRecord } from "@carebridge/kafka";
import { clusterDir, createTestDatabase, median, startPostgresServer } from "@carebridge/testing";
import { sql } from "drizzle-orm";
import { migrateBilling } from "../db/migrate.ts";
import { savePlans } from "../db/state-queries.ts";
import { applyAppointmentEvents } from "../events/apply-appointment-events.ts";
import { billingEventValidator } from "../events/billing-consumer.ts";
import { appointmentData, appointmentEvents as ev } from "../test-support.ts";

const size = Number(process.argv[2] ?? 2_000);
const rounds = Number(process.argv[3] ?? 10);
const dataDir = clusterDir(`billing-profile-${process.pid}`);
const server = await startPostgresServer({ dataDir });
const test = await createTestDatabase({ serverUrl: server.url, max: 2 });
const { database } = test;
const cpuMs = (pid: number | "self") =>
  Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
const samples = {
  validate: [] as number[],
  wall: [] as number[],
  client: [] as number[],
  server: [] as number[],
};
try {
  await migrateBilling(database);
  const plans = ["none", "basic", "plus", "premium"] as const;
  const patients = Array.from({ length: 500 }, () => crypto.randomUUID());
  await savePlans(
    database.db,
    patients.map((patientId, i) => ({ patientId, planId: plans[i % 4]!, memberId: `M-${i}`, version: 1 })),
  );
  const validate = billingEventValidator({ appointments: "appointments", patients: "patients" });
  for (let round = 0; round < rounds; round++) {
    const messages = Array.from({ length: size }, (_, i) => {
      const booked = ev.booked(
        appointmentData({
          patientId: patients[i % patients.length]!,
          specialty: ["General Practice", "Cardiology", "Dermatology"][i % 3]!,
          mode: i % 4 === 0 ? "telehealth" : "in-person",
        }),
      );
      const record = toRecord("appointments", booked.subject, booked);
      return { ...record, partition: 0, offset: String(i), timestamp: Date.now() };
    });
    let started = process.cpuUsage();
    const events: ReceivedEvent[] = messages.map((m) => {
      const event = fromRecord(m);
      const problem = validate(event);
      if (problem) throw new Error(problem);
      return event;
    });
    const validated = process.cpuUsage(started);
    const wall = performance.now();
    started = process.cpuUsage();
    let backend = 0;
    let serverBefore = 0;
    await database.transaction(async (tx) => {
      [{ pid: backend }] = (await database.query<{ pid: number }>(
        sql`SELECT pg_backend_pid() AS pid`,
        tx,
      )) as [{ pid: number }];
      serverBefore = cpuMs(backend);
      await applyAppointmentEvents(tx, events, () => new Date().toISOString());
    });
    const client = process.cpuUsage(started);
    samples.validate.push((validated.user + validated.system) / 1000);
    samples.wall.push(performance.now() - wall);
    samples.client.push((client.user + client.system) / 1000);
    samples.server.push(cpuMs(backend) - serverBefore);
    await database.query(sql`TRUNCATE invoices, payments, refunds, outbox`);
  }
  const show = (v: number[]) =>
    median(v.slice(Math.min(2, v.length - 1)))
      .toFixed(1)
      .padStart(7);
  console.log(`${size} bookings a batch, medians of rounds 3..${rounds} (ms):`);
  console.log(`  decode + validate (client CPU) ${show(samples.validate)}`);
  console.log(
    `  effect + commit: wall ${show(samples.wall)}, client CPU ${show(samples.client)}, PostgreSQL CPU ${show(samples.server)}`,
  );
} finally {
  await test.drop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
