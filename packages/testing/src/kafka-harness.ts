import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type KafkaBroker, startKafkaBroker } from "./kafka-broker.ts";
import { cacheDir } from "./repo.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Brokers of test processes that died without cleaning up (killed by a timeout, kill -9): their
 * folder is named after the owning pid; when that process is gone, stop the broker and remove it.
 */
function reapOrphans() {
  const base = cacheDir();
  if (!existsSync(base)) return;
  for (const dir of readdirSync(base)) {
    const owner = Number(dir.match(/^test-kafka-(?:.*-)?(\d+)$/)?.[1]);
    if (!owner || alive(owner)) continue;
    const pidFile = join(base, dir, "broker.pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8"));
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    }
    rmSync(join(base, dir), { recursive: true, force: true });
  }
}

/** Stops `broker` when this process ends, also by Ctrl-C or SIGTERM. */
function stopOnExit(broker: KafkaBroker, dataDir: string) {
  const cleanup = () => {
    void broker.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    });
  }
}

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
    reapOrphans();
    const dataDir = cacheDir(`test-kafka-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    const broker = await startKafkaBroker({ dataDir });
    stopOnExit(broker, dataDir);
    return broker;
  })();
  return (await shared).brokers;
}

/** A broker of the test's own, for tests that kill or restart it. Stop it when done. */
export async function privateKafkaBroker(name: string): Promise<KafkaBroker> {
  reapOrphans();
  const dataDir = cacheDir(`test-kafka-${name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const broker = await startKafkaBroker({ dataDir });
  stopOnExit(broker, dataDir);
  const stop = broker.stop;
  return {
    ...broker,
    stop: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
