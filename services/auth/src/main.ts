import { serve } from "@carebridge/http";
import { kafkaEventLog, type OutboxRelay, parseBrokers, startOutboxRelay } from "@carebridge/kafka";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { migrateAuth } from "./db/migrate.ts";
import { buildDeps } from "./deps.ts";
import { seedDemoAccounts } from "./domain/seed-demo.ts";
import { DEV_SERVICE_CLIENTS, parseServiceClients, syncServiceClients } from "./domain/service-clients.ts";

const config = loadConfig();
const deps = await buildDeps(config);
await migrateAuth(deps.database);
await deps.keys.current();
if (config.SEED_DEMO) {
  const created = await seedDemoAccounts(deps.database, deps.hasher);
  deps.logger.info({ created }, "demo accounts seeded");
}
const clients = parseServiceClients(config.SERVICE_CLIENTS);
await syncServiceClients(
  deps.database,
  deps.hasher,
  clients.length || !config.SEED_DEMO ? clients : DEV_SERVICE_CLIENTS,
);

const eventLog = config.KAFKA_BROKERS
  ? kafkaEventLog({
      brokers: parseBrokers(config.KAFKA_BROKERS),
      clientId: "carebridge-auth",
      logger: deps.logger,
    })
  : undefined;
const relay: OutboxRelay | undefined = eventLog
  ? startOutboxRelay({ database: deps.database, log: eventLog, logger: deps.logger })
  : undefined;
if (!eventLog) deps.logger.warn("KAFKA_BROKERS unset: user.registered events stay in the outbox");

const server = serve(createApp(deps), { port: config.PORT, logger: deps.logger });
deps.logger.info({ port: server.port }, "auth listening");
await server.stopped;
await relay?.stop();
await eventLog?.close();
await deps.database.close();
