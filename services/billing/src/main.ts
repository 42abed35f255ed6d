import { serve } from "@carebridge/http";
import {
  type ConsumerHandle,
  kafkaEventLog,
  type OutboxRelay,
  parseBrokers,
  startOutboxRelay,
} from "@carebridge/kafka";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { migrateBilling } from "./db/migrate.ts";
import { buildDeps } from "./deps.ts";
import { fakePaymentProcessor } from "./domain/payment-processor.ts";
import { startRefundWorker } from "./domain/refunds.ts";
import { startBillingConsumer } from "./events/billing-consumer.ts";

const config = loadConfig();
// No card processor adapter exists yet: the local fake accepts every card (see README).
const deps = await buildDeps(config, fakePaymentProcessor());
await migrateBilling(deps.database);

const eventLog = config.KAFKA_BROKERS
  ? kafkaEventLog({
      brokers: parseBrokers(config.KAFKA_BROKERS),
      clientId: "carebridge-billing",
      logger: deps.logger,
    })
  : undefined;
let relay: OutboxRelay | undefined;
let consumer: ConsumerHandle | undefined;
if (eventLog) {
  relay = startOutboxRelay({ database: deps.database, log: eventLog, logger: deps.logger });
  consumer = await startBillingConsumer({ database: deps.database, log: eventLog, logger: deps.logger });
} else {
  deps.logger.warn("KAFKA_BROKERS unset: no invoices from events; invoice events stay in the outbox");
}

// Refunds are carried out outside the transactions that owe them, retried until done.
const refunds = startRefundWorker(deps, { leaseMs: config.PAYMENT_PENDING_LEASE_MS });

const server = serve(createApp(deps), { port: config.PORT, logger: deps.logger });
deps.logger.info({ port: server.port }, "billing listening");
await server.stopped;
await refunds.stop();
await consumer?.stop();
await relay?.stop();
await eventLog?.close();
await deps.database.close();
