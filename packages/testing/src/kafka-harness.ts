import { type KafkaBroker, startKafkaBroker } from "./kafka-broker.ts";
import { cacheDir } from "./repo.ts";

let shared: Promise<KafkaBroker> | null = null;

/**
 * Brokers of the Kafka that integration tests share. `bun run test` starts one broker for the
 * whole run and exports CAREBRIDGE_TEST_KAFKA_BROKERS; a test file run on its own starts one for
 * its process, which a watchdog stops when the process ends.
 */
export async function testKafkaBrokers(): Promise<string[]> {
  const fromEnv = process.env.CAREBRIDGE_TEST_KAFKA_BROKERS;
  if (fromEnv) return fromEnv.split(",");
  shared ??= startKafkaBroker({
    dataDir: cacheDir(`test-kafka-${process.pid}`),
    fresh: true,
    watchdog: true,
  });
  return (await shared).brokers;
}

/** A broker of the test's own, for tests that kill or restart it. Stop it when done. */
export async function privateKafkaBroker(name: string): Promise<KafkaBroker> {
  return startKafkaBroker({
    dataDir: cacheDir(`test-kafka-${name}-${process.pid}`),
    fresh: true,
    watchdog: true,
  });
}
