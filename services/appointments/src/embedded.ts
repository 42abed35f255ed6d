import { startOutboxRelay } from "@carebridge/kafka";
import type { EmbeddedFactory } from "@carebridge/runtime";
import { createApp } from "./app.ts";
import { migrateAppointments } from "./db/migrate.ts";
import { createAppointmentsDeps } from "./deps.ts";
import { startConsumers } from "./events/consumers.ts";

/**
 * The appointments service inside the embedded stack: its own PGlite database, the outbox relayed
 * to the in-memory event log, doctors learned from it (demo doctors completed), tokens checked
 * against the stack's own JWKS.
 */
const embedded: EmbeddedFactory = async (ctx) => {
  const database = await ctx.openDatabase("appointments");
  await migrateAppointments(database);
  const deps = createAppointmentsDeps({
    database,
    logger: ctx.logger,
    keys: {
      jwksUrl: new URL("/api/auth/.well-known/jwks.json", ctx.publicUrl).toString(),
      fetch: (url, init) => ctx.fetch(new Request(url, init)),
    },
  });
  const relay = startOutboxRelay({ database, log: ctx.eventLog, logger: ctx.logger });
  const consumers = await startConsumers({
    database,
    log: ctx.eventLog,
    logger: ctx.logger,
    clock: deps.clock,
    seedDemo: true,
  });
  const app = createApp(deps);
  return {
    fetch: (request) => app.fetch(request),
    async check() {
      const report = await app.readiness();
      if (report.status !== "ok") throw new Error(`appointments not ready: ${JSON.stringify(report.checks)}`);
    },
    async stop() {
      await consumers.stop();
      await relay.stop();
    },
  };
};
export default embedded;
