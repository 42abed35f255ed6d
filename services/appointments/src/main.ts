import { serve } from "@carebridge/http";
import { contractTopicConfigs, kafkaEventLog, parseBrokers, startOutboxRelay } from "@carebridge/kafka";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { migrateAppointments } from "./db/migrate.ts";
import { buildDeps } from "./deps.ts";
import { startConsumers } from "./events/consumers.ts";

const config = loadConfig();
const deps = await buildDeps(config);
await migrateAppointments(deps.database);

const eventLog = config.KAFKA_BROKERS
  ? kafkaEventLog({
      brokers: parseBrokers(config.KAFKA_BROKERS),
      clientId: "carebridge-appointments",
      logger: deps.logger,
    })
  : undefined;
if (!eventLog) deps.logger.warn("KAFKA_BROKERS unset: no doctors learned, events stay in the outbox");
await eventLog?.createTopics(contractTopicConfigs());
const relay = eventLog
  ? startOutboxRelay({ database: deps.database, log: eventLog, logger: deps.logger })
  : undefined;
const consumers = eventLog
  ? await startConsumers({
      database: deps.database,
      log: eventLog,
      logger: deps.logger,
      clock: deps.clock,
      seedDemo: config.SEED_DEMO,
    })
  : undefined;

const server = serve(createApp(deps), { port: config.PORT, logger: deps.logger });
deps.logger.info({ port: server.port }, "appointments listening");
await server.stopped;
await consumers?.stop();
await relay?.stop();
await eventLog?.close();
await deps.database.close();
