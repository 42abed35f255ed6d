import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, freePort, isProcess, repoRoot, waitForPort, whenProcessGone } from "./repo.ts";

/** Amazon DynamoDB Local (real TransactWriteItems), run from Maven Central jars (no Docker). */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`; any region and credentials work (`-sharedDb`). */
  readonly endpoint: string;
  readonly port: number;
  /** Graceful stop (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** kill -9, as in a crash. */
  kill(): Promise<void>;
}

/** Options of {@link startDynamoDbLocal}: either persistent under `dataDir` or `inMemory`. */
export type DynamoDbLocalOptions = {
  /** Defaults to a free port; `bun run dev:real` passes 8000. */
  port?: number;
  heapMb?: number;
  /** Stop it once this process is gone, however it ends (`bun test` never runs exit handlers). */
  watchdog?: boolean;
} & ({ dataDir: string; inMemory?: never } | { inMemory: true; dataDir?: never });

const MAIN_CLASS = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";
/**
 * The sqlite4java native library DynamoDB Local loads for its storage (linux x86-64). Maven copies
 * it as `libsqlite4java-linux-amd64-<version>.so`; sqlite4java looks for that versioned name on
 * `java.library.path` first, so it needs no renaming.
 */
const NATIVE_LIB = /^libsqlite4java-linux-amd64(-[\d.]+)?\.so$/;

function requireTool(tool: string, hint: string) {
  if (!Bun.which(tool)) throw new Error(`${tool} not found on PATH: ${hint}`);
}

/**
 * Downloads DynamoDB Local and sqlite4java once (`mvn dependency:copy-dependencies` on
 * packages/testing/dynamodb-local/pom.xml) into `.cache/dynamodb-local/<pom hash>/libs`; returns it.
 */
export async function ensureDynamoDbLocalJars(): Promise<string> {
  const pom = join(repoRoot(), "packages/testing/dynamodb-local/pom.xml");
  const hash = new Bun.CryptoHasher("sha256").update(readFileSync(pom)).digest("hex").slice(0, 12);
  const libs = cacheDir("dynamodb-local", hash, "libs");
  if (existsSync(join(libs, ".complete"))) return libs;
  requireTool("java", "install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)");
  requireTool("mvn", "install Maven (e.g. apt-get install maven)");
  // Two test processes may fetch at once: each downloads into its own folder, the first rename wins.
  const staging = `${libs}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const mvn = Bun.spawn(
    ["mvn", "-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${staging}`],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(mvn.stdout).text(),
    new Response(mvn.stderr).text(),
    mvn.exited,
  ]);
  if (code !== 0) throw new Error(`fetching DynamoDB Local jars failed (mvn exit ${code}):\n${out}\n${err}`);
  if (!readdirSync(staging).some((f) => NATIVE_LIB.test(f))) {
    throw new Error(`no libsqlite4java-linux-amd64 .so in ${staging}: DynamoDB Local cannot store anything`);
  }
  writeFileSync(join(staging, ".complete"), new Date().toISOString());
  if (existsSync(join(libs, ".complete"))) {
    rmSync(staging, { recursive: true, force: true });
  } else {
    rmSync(libs, { recursive: true, force: true });
    Bun.spawnSync(["mv", staging, libs]);
  }
  return libs;
}

/** Kills a DynamoDB Local left behind in `dataDir` by a process that died (checked to be that one). */
function stopStale(dataDir: string) {
  const pidFile = join(dataDir, "dynamodb-local.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (pid && isProcess(pid, MAIN_CLASS) && isProcess(pid, dataDir)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
}

/**
 * Starts DynamoDB Local: `-inMemory` (tests; gone when it stops) or `-dbPath dataDir` (kept between
 * runs, `bun run dev:real`). Always `-sharedDb`, so every client sees the same tables whatever its
 * region and credentials. The Maven jars are run from the class path (their manifest names the
 * zip distribution's file names), with the sqlite4java native library on `java.library.path`.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const libs = await ensureDynamoDbLocalJars();
  const port = options.port ?? freePort();
  const { dataDir } = options;
  const storage = dataDir ? ["-dbPath", dataDir] : ["-inMemory"];
  const logFile = dataDir
    ? join(dataDir, "dynamodb-local.log")
    : cacheDir("dynamodb-local", "logs", `${process.pid}-${port}.log`);
  if (dataDir) {
    stopStale(dataDir);
    mkdirSync(dataDir, { recursive: true });
  } else {
    mkdirSync(cacheDir("dynamodb-local", "logs"), { recursive: true });
  }
  rmSync(logFile, { force: true }); // Bun.spawn writes into an existing file without truncating it
  const proc = Bun.spawn(
    [
      "java",
      `-Xmx${options.heapMb ?? 512}m`,
      "-Xms64m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Djava.awt.headless=true",
      `-Djava.library.path=${libs}`,
      "-cp",
      `${libs}/*`,
      MAIN_CLASS,
      "-port",
      String(port),
      ...storage,
      "-sharedDb",
      "-disableTelemetry",
    ],
    { stdin: "ignore", stdout: Bun.file(logFile), stderr: Bun.file(logFile) },
  );
  const pidFile = dataDir ? join(dataDir, "dynamodb-local.pid") : null;
  if (pidFile) writeFileSync(pidFile, String(proc.pid));
  const watchdog = options.watchdog
    ? whenProcessGone(`kill -9 ${proc.pid} 2>/dev/null${dataDir ? "" : `; rm -f '${logFile}'`}`)
    : null;
  let running = true;
  const halt = async (signal: "SIGTERM" | "SIGKILL") => {
    if (!running) return;
    running = false;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await proc.exited;
    clearTimeout(timer);
    if (pidFile) rmSync(pidFile, { force: true });
    watchdog?.kill();
    if (!dataDir) rmSync(logFile, { force: true });
  };
  const exited = proc.exited.then((code) => {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
    throw new Error(`DynamoDB Local exited with ${code} before listening on ${port}:\n${log}`);
  });
  try {
    await Promise.race([waitForPort(port, 60_000), exited]);
    exited.catch(() => {});
    await untilAnswering(`http://127.0.0.1:${port}`, 30_000);
  } catch (error) {
    exited.catch(() => {});
    await halt("SIGKILL");
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => halt("SIGTERM"),
    kill: () => halt("SIGKILL"),
  };
}

/**
 * Waits until the endpoint answers a real DynamoDB request (Jetty accepts connections a moment
 * before the request handler is ready). A ListTables signed by nobody gets a 400 with a JSON body.
 */
async function untilAnswering(endpoint: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        },
        body: "{}",
      });
      const body = await res.text();
      if (body.includes("TableNames") || body.includes("__type")) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline)
      throw new Error(`DynamoDB Local at ${endpoint} not answering after ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}
