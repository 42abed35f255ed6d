/**
 * Billing's consumer in a process of its own, for the crash proof: the test kills it with SIGKILL
 * at random points and starts another. Env: TEST_DATABASE_URL, TEST_KAFKA_BROKERS, TEST_GROUP,
 * TEST_APPOINTMENTS_TOPIC, TEST_PATIENTS_TOPIC, TEST_BATCH_SIZE. Prints "processed <n>" after
 * each committed batch, so the test can kill it mid-flow.
 */
import { connectPostgres } from "@carebridge/db";
import { kafkaEventLog, silentLogger } from "@carebridge/kafka";
import { startBillingConsumer } from "../events/billing-consumer.ts";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const database = await connectPostgres(env("TEST_DATABASE_URL"), { max: 4 });
const log = kafkaEventLog({
  brokers: env("TEST_KAFKA_BROKERS").split(","),
  clientId: "billing-worker",
  logger: silentLogger,
});
await startBillingConsumer({
  database,
  log,
  logger: silentLogger,
  groupId: env("TEST_GROUP"),
  topics: { appointments: env("TEST_APPOINTMENTS_TOPIC"), patients: env("TEST_PATIENTS_TOPIC") },
  maxBatchSize: Number(process.env.TEST_BATCH_SIZE ?? 50),
  onBatch: ({ processed }) => console.log(`processed ${processed}`),
});
console.log("consumer started");
