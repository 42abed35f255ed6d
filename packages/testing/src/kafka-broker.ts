import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, freePort, isProcess, repoRoot, shellQuote, waitForPort, whenProcessGone } from "./repo.ts";

/** A single-node Apache Kafka broker in KRaft mode, run from Maven Central jars (no Docker). */
export interface KafkaBroker {
  readonly brokers: string[];
  readonly dataDir: string;
  /** Graceful stop (SIGTERM, then SIGKILL after 15 s). */
  stop(): Promise<void>;
  /** kill -9: the broker dies mid-flight, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data (after stop or kill). */
  restart(): Promise<void>;
}

function requireTool(tool: string, hint: string) {
  if (!Bun.which(tool)) throw new Error(`${tool} not found on PATH: ${hint}`);
}

/**
 * Downloads the broker jars once (`mvn dependency:copy-dependencies` on packages/testing/kafka/pom.xml)
 * into `.cache/kafka/<pom hash>/libs` and returns that folder.
 */
export async function ensureKafkaJars(): Promise<string> {
  const pom = join(repoRoot(), "packages/testing/kafka/pom.xml");
  const hash = new Bun.CryptoHasher("sha256").update(readFileSync(pom)).digest("hex").slice(0, 12);
  const libs = cacheDir("kafka", hash, "libs");
  if (existsSync(join(libs, ".complete"))) return libs;
  requireTool("java", "install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)");
  requireTool("mvn", "install Maven (e.g. apt-get install maven)");
  rmSync(libs, { recursive: true, force: true });
  const mvn = Bun.spawn(
    ["mvn", "-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${libs}`],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [out, err, code] = await Promise.all([
    new Response(mvn.stdout).text(),
    new Response(mvn.stderr).text(),
    mvn.exited,
  ]);
  if (code !== 0) throw new Error(`fetching Kafka jars failed (mvn exit ${code}):\n${out}\n${err}`);
  writeFileSync(join(libs, ".complete"), new Date().toISOString());
  return libs;
}

const LOG4J = `log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=\${kafka.logs.dir}/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${join(dataDir, "logs")}
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
`;
}

/** Kills a broker left behind in `dataDir` by a process that died (checked to be that broker). */
function stopStaleBroker(dataDir: string) {
  const pidFile = join(dataDir, "broker.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (pid && isProcess(pid, "kafka.Kafka") && isProcess(pid, dataDir)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
}

/**
 * Starts a broker with its data under `dataDir` (kept between restarts). Ports default to free
 * ones; pass `port` to get a stable address (`bun run dev:real` uses 9092).
 */
export async function startKafkaBroker(options: {
  dataDir: string;
  port?: number;
  controllerPort?: number;
  heapMb?: number;
  /** Start from empty data (after stopping a broker left behind in the folder). */
  fresh?: boolean;
  /** Stop the broker once this process is gone, however it ends. With `fresh`, its data is removed then and on stop(). */
  watchdog?: boolean;
}): Promise<KafkaBroker> {
  const libs = await ensureKafkaJars();
  const { dataDir } = options;
  stopStaleBroker(dataDir);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const pidFile = join(dataDir, "broker.pid");
  const port = options.port ?? freePort();
  const controllerPort = options.controllerPort ?? freePort();
  const properties = join(dataDir, "server.properties");
  writeFileSync(properties, serverProperties(dataDir, port, controllerPort));
  writeFileSync(join(dataDir, "log4j.properties"), LOG4J);
  const java = (mainClass: string, args: string[]) => [
    "java",
    `-Xmx${options.heapMb ?? 768}m`,
    "-Xms128m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    `-Dkafka.logs.dir=${dataDir}`,
    `-Dlog4j.configuration=file:${join(dataDir, "log4j.properties")}`,
    "-cp",
    `${libs}/*`,
    mainClass,
    ...args,
  ];
  if (!existsSync(join(dataDir, "logs", "meta.properties"))) {
    const format = Bun.spawnSync(
      java("kafka.tools.StorageTool", [
        "format",
        "-t",
        "carebridge-local-kafka1",
        "-c",
        properties,
        "--ignore-formatted",
      ]),
      { stdout: "pipe", stderr: "pipe" },
    );
    if (format.exitCode !== 0) throw new Error(`kafka storage format failed: ${format.stderr.toString()}`);
  }

  let proc: ReturnType<typeof Bun.spawn> | null = null;
  let watchdog: ReturnType<typeof whenProcessGone> | null = null;
  const launch = async () => {
    proc = Bun.spawn(java("kafka.Kafka", [properties]), { stdout: "ignore", stderr: "ignore" });
    writeFileSync(pidFile, String(proc.pid));
    if (options.watchdog) {
      watchdog?.kill();
      const cleanup = options.fresh ? `; rm -rf ${shellQuote(dataDir)}` : "";
      watchdog = whenProcessGone(`kill -9 ${proc.pid} 2>/dev/null${cleanup}`);
    }
    const exited = proc.exited.then((code) => {
      throw new Error(`Kafka broker exited with ${code}; see ${join(dataDir, "broker.log")}`);
    });
    await Promise.race([waitForPort(port, 90_000), exited]);
    exited.catch(() => {});
  };
  const halt = async (signal: "SIGTERM" | "SIGKILL") => {
    const current = proc;
    if (!current) return;
    proc = null;
    current.kill(signal);
    const timer = setTimeout(() => current.kill("SIGKILL"), 15_000);
    await current.exited;
    clearTimeout(timer);
    rmSync(pidFile, { force: true });
  };
  await launch();
  return {
    brokers: [`127.0.0.1:${port}`],
    dataDir,
    stop: async () => {
      await halt("SIGTERM");
      watchdog?.kill();
      if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
    },
    kill: () => halt("SIGKILL"),
    restart: async () => {
      await halt("SIGTERM");
      await launch();
    },
  };
}
