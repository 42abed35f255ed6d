import { startOutboxRelay } from "@carebridge/kafka";
import type { EmbeddedFactory } from "@carebridge/runtime";
import { createApp } from "./app.ts";
import { AUTH_DEFAULTS } from "./config.ts";
import { migrateAuth } from "./db/migrate.ts";
import { createAuthDeps } from "./deps.ts";
import { DEV_KEY_ENCRYPTION_KEY } from "./domain/key-encryption.ts";
import { seedDemoAccounts } from "./domain/seed-demo.ts";
import { DEV_SERVICE_CLIENTS, syncServiceClients } from "./domain/service-clients.ts";

/**
 * The auth service inside the embedded stack: its own PGlite database, the outbox relayed to the
 * in-memory event log, demo accounts seeded. Signing keys are wrapped with the fixed dev key
 * (never used in production: main.ts requires AUTH_KEY_ENCRYPTION_KEY there).
 */
const embedded: EmbeddedFactory = async (ctx) => {
  const database = await ctx.openDatabase("auth");
  await migrateAuth(database);
  const deps = await createAuthDeps({
    database,
    logger: ctx.logger,
    keyEncryptionKey: DEV_KEY_ENCRYPTION_KEY,
    claims: { ...AUTH_DEFAULTS },
  });
  await deps.keys.current();
  await seedDemoAccounts(database, deps.hasher);
  await syncServiceClients(database, deps.hasher, DEV_SERVICE_CLIENTS);
  const relay = startOutboxRelay({ database, log: ctx.eventLog, logger: ctx.logger });
  const app = createApp(deps);
  return {
    fetch: (request) => app.fetch(request),
    async check() {
      const report = await app.readiness();
      if (report.status !== "ok") throw new Error(`auth not ready: ${JSON.stringify(report.checks)}`);
    },
    stop: () => relay.stop(),
  };
};
export default embedded;
