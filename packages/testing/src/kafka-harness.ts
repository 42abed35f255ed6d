import { rmSync } from "node:fs";
import { type KafkaBroker, startKafkaBroker } from "./kafka-broker.ts";
import { cacheDir } from "./repo.ts";

let shared: Promise<KafkaBroker> | null = null;

/**
 * Brokers of the Kafka that integration tests share. `bun run test` starts one broker for the
 * whole run and exports CAREBRIDGE_TEST_KAFKA_BROKERS; a test file run on its own starts one for
 * its process and stops it at exit.
 */
export async function testKafkaBrokers(): Promise<string[]> {
  const fromEnv = process.env.CAREBRIDGE_TEST_KAFKA_BROKERS;
  if (fromEnv) return fromEnv.split(",");
  shared ??= (async () => {
    const dataDir = cacheDir(`test-kafka-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    const broker = await startKafkaBroker({ dataDir });
    process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
    return broker;
  })();
  return (await shared).brokers;
}

/** A broker of the test's own, for tests that kill or restart it. Stop it when done. */
export async function privateKafkaBroker(name: string): Promise<KafkaBroker> {
  const dataDir = cacheDir(`test-kafka-${name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const broker = await startKafkaBroker({ dataDir });
  const stop = broker.stop;
  return {
    ...broker,
    stop: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
