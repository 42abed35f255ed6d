/**
 * The appointments service in a process of its own for appointments.bench.ts (the load generator
 * must not share the server's thread). Reads BENCH_DATABASE_URL, BENCH_PATIENT_ID, BENCH_NOW and
 * BENCH_POOL; prints one JSON line `{port, token}` (a patient token from its own test issuer).
 */
import { connectPostgres } from "@carebridge/db";
import { createLogger } from "@carebridge/http";
import { createTestIssuer } from "@carebridge/http/testing";
import { createApp } from "./app.ts";
import { createAppointmentsDeps } from "./deps.ts";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const database = await connectPostgres(env("BENCH_DATABASE_URL"), { max: Number(env("BENCH_POOL")) });
const issuer = await createTestIssuer();
const now = Date.parse(env("BENCH_NOW"));
const deps = createAppointmentsDeps({
  database,
  logger: createLogger({ service: "appointments", level: "silent" }),
  keys: issuer.keys,
  clock: () => now,
});
const app = createApp(deps);
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.fetch(req) });
const token = await issuer.sign({ sub: env("BENCH_PATIENT_ID"), role: "patient" }, { expiresInSec: 900 });
console.log(JSON.stringify({ port: server.port, token }));
process.on("SIGTERM", async () => {
  await server.stop(true);
  await database.close();
  process.exit(0);
});
