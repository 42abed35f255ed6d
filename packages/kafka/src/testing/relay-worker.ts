/**
 * A relay in a process of its own, for the crash proofs: the test kills it with SIGKILL at
 * random points and starts another. Env: TEST_DATABASE_URL, TEST_KAFKA_BROKERS, TEST_BATCH_SIZE.
 * Prints "published <n>" after each batch, so the test can kill it mid-flow.
 */
import { connectPostgres } from "@carebridge/db";
import { kafkaEventLog } from "../kafka-event-log.ts";
import { silentLogger } from "../logger.ts";
import { startOutboxRelay } from "../outbox.ts";

const database = await connectPostgres(process.env.TEST_DATABASE_URL!, { max: 2 });
const log = kafkaEventLog({
  brokers: process.env.TEST_KAFKA_BROKERS!.split(","),
  clientId: "relay-worker",
  logger: silentLogger,
});
startOutboxRelay({
  database,
  log,
  logger: silentLogger,
  batchSize: Number(process.env.TEST_BATCH_SIZE ?? 100),
  onPublished: (count) => console.log(`published ${count}`),
});
console.log("relay started");
