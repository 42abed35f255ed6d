import { serve } from "@carebridge/http";
import { kafkaEventLog, parseBrokers } from "@carebridge/kafka";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { startDynamoOutboxRelay } from "./db/outbox.ts";
import { buildDeps } from "./deps.ts";
import { startCareTeamConsumer, startUserConsumer } from "./events/consumers.ts";

const config = loadConfig();
const deps = await buildDeps(config);

const eventLog = config.KAFKA_BROKERS
  ? kafkaEventLog({
      brokers: parseBrokers(config.KAFKA_BROKERS),
      clientId: "carebridge-patients",
      logger: deps.logger,
    })
  : undefined;
const relay = eventLog
  ? startDynamoOutboxRelay({ store: deps.store, log: eventLog, logger: deps.logger })
  : undefined;
const consumers = eventLog
  ? await Promise.all([
      startUserConsumer({
        store: deps.store,
        log: eventLog,
        logger: deps.logger,
        seedDemo: config.SEED_DEMO,
      }),
      startCareTeamConsumer({
        store: deps.store,
        log: eventLog,
        logger: deps.logger,
        seedDemo: config.SEED_DEMO,
        careTeam: deps.careTeam,
      }),
    ])
  : [];
if (!eventLog)
  deps.logger.warn("KAFKA_BROKERS unset: no records from user.registered, events stay in the outbox");

const server = serve(createApp(deps), { port: config.PORT, logger: deps.logger });
deps.logger.info({ port: server.port, transactions: deps.store.mode }, "patients listening");
await server.stopped;
await Promise.all(consumers.map((c) => c.stop()));
await relay?.stop();
await eventLog?.close();
deps.close();
