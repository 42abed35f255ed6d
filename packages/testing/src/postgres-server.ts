import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { connectPostgres } from "@carebridge/db";
import { cacheDir, freePort, repoRoot, shellQuote, whenProcessGone } from "./repo.ts";

/** A throwaway PostgreSQL cluster run from the local binaries (initdb + pg_ctl). */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** `pg_ctl stop -m fast`. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Cluster directory; created with initdb when empty, reused (and restarted) otherwise. */
  dataDir: string;
  /** Default: a free port. */
  port?: number;
  /** Keep fsync, synchronous_commit and full_page_writes on. Default false: fast, not crash-safe. */
  durable?: boolean;
  /** Delete dataDir when this process is gone (throwaway clusters of tests). Default false. */
  deleteOnExit?: boolean;
}

const RUN_AS = "postgres";

/** Whether every folder from / down to `dir` lets other users through (o+x). */
function reachableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * Where a throwaway cluster named `name` lives: `preferred` (default `.cache/<name>`), unless we
 * run as root (the server then runs as the postgres user) and that user cannot reach it (a clone
 * in a private temp folder, say); then a folder of this checkout's own under the system temp folder.
 */
export function clusterDir(name: string, preferred = cacheDir(name)): string {
  if (!asRoot() || reachableByOthers(dirname(preferred))) return preferred;
  const id = new Bun.CryptoHasher("sha256").update(repoRoot()).digest("hex").slice(0, 10);
  const base = join(tmpdir(), `carebridge-${id}`);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return join(base, name);
}
const asRoot = () => process.getuid?.() === 0;
const asPostgresUser = (argv: string[]) => (asRoot() ? ["runuser", "-u", RUN_AS, "--", ...argv] : argv);

// Version of the PostgreSQL binaries in `dir` (16.4 → [16, 4]), or null.
function binVersion(dir: string): number[] | null {
  const out = Bun.spawnSync([join(dir, "pg_ctl"), "--version"], { stdout: "pipe", stderr: "ignore" });
  const match = out.stdout.toString().match(/(\d+)(?:\.(\d+))?/);
  return out.exitCode === 0 && match ? [Number(match[1]), Number(match[2] ?? 0)] : null;
}

/**
 * The folder of the newest PostgreSQL binaries (initdb, pg_ctl, postgres) on PATH or under
 * /usr/lib/postgresql/<version>/bin.
 */
export function findPostgresBinaries(): string {
  const dirs = new Set<string>();
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, "pg_ctl")) && existsSync(join(dir, "initdb"))) {
      dirs.add(dirname(realpathSync(join(dir, "pg_ctl"))));
    }
  }
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    for (const version of readdirSync(debian)) {
      const dir = join(debian, version, "bin");
      if (existsSync(join(dir, "pg_ctl"))) dirs.add(realpathSync(dir));
    }
  }
  const ranked = [...dirs]
    .map((dir) => ({ dir, version: binVersion(dir) }))
    .filter((c): c is { dir: string; version: number[] } => c.version !== null)
    .sort((a, b) => b.version[0]! - a.version[0]! || b.version[1]! - a.version[1]!);
  if (!ranked[0]) {
    throw new Error(
      "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin",
    );
  }
  return ranked[0].dir;
}

// Runs a PostgreSQL tool, as the `postgres` user when we are root (PostgreSQL refuses root).
async function run(bin: string, args: string[]): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn(asPostgresUser([bin, ...args]), {
    cwd: "/",
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: `${out}${err}`.trim() };
}

function chownTree(path: string, uid: number, gid: number) {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

function postgresUserIds(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${RUN_AS}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`running as root, but there is no '${RUN_AS}' user to run PostgreSQL as`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function settings(dataDir: string, port: number, durable: boolean): string {
  // A unix socket path is limited to ~107 bytes; without room for one, TCP only.
  const socketDir = join(dataDir, "sockets").length < 90 ? join(dataDir, "sockets") : "";
  const lines = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    "max_connections = 200",
    "timezone = 'UTC'",
    "log_timezone = 'UTC'",
    "shared_buffers = 64MB",
  ];
  if (!durable) lines.push("fsync = off", "synchronous_commit = off", "full_page_writes = off");
  return `# Written by @carebridge/testing at every start.\n${lines.join("\n")}\n`;
}

/**
 * Starts a PostgreSQL cluster under `dataDir` (initdb on first use, `-A trust`), listening only on
 * 127.0.0.1. A server left running in that directory by a killed process is stopped first. Once
 * this process is gone (exit, crash, SIGKILL) the server is stopped too, unless stop() ran before.
 */
export async function startPostgresServer(options: StartPostgresOptions): Promise<PostgresServer> {
  const bin = findPostgresBinaries();
  const dataDir = options.dataDir;
  const port = options.port ?? freePort();
  const ids = asRoot() ? postgresUserIds() : null;
  if (ids && !reachableByOthers(dirname(resolve(dataDir)))) {
    throw new Error(`the ${RUN_AS} user cannot reach ${dataDir}; pick it with clusterDir()`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) chownTree(dataDir, ids.uid, ids.gid);
  const pgCtl = (...args: string[]) => run(join(bin, "pg_ctl"), ["-D", dataDir, ...args]);

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    const init = await run(join(bin, "initdb"), [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);
    writeFileSync(join(dataDir, "postgresql.conf"), "\ninclude_if_exists = 'carebridge.conf'\n", {
      flag: "a",
    });
  } else if ((await pgCtl("status")).code === 0) {
    await pgCtl("stop", "-m", "immediate", "-w");
  }
  mkdirSync(join(dataDir, "sockets"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, "carebridge.conf"), settings(dataDir, port, options.durable ?? false));
  if (ids) chownTree(dataDir, ids.uid, ids.gid);

  const start = await pgCtl("start", "-w", "-t", "60", "-s", "-l", join(dataDir, "server.log"));
  if (start.code !== 0) {
    const log = existsSync(join(dataDir, "server.log"))
      ? readFileSync(join(dataDir, "server.log"), "utf8")
      : "";
    throw new Error(`pg_ctl start failed (exit ${start.code}):\n${start.output}\n${log.slice(-2000)}`);
  }
  const watchdog = startWatchdog(bin, dataDir, options.deleteOnExit ?? false);
  let stopped: Promise<void> | null = null;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop() {
      stopped ??= (async () => {
        watchdog.kill();
        const result = await pgCtl("stop", "-m", "fast", "-w", "-s");
        if (result.code !== 0) throw new Error(`pg_ctl stop failed (exit ${result.code}):\n${result.output}`);
      })();
      return stopped;
    },
  };
}

// A shell that outlives us and stops the server once this process is gone, however it ended:
// `bun test` runs no process "exit" handlers, and after a SIGKILL nothing runs at all.
function startWatchdog(bin: string, dataDir: string, deleteOnExit: boolean) {
  const stop = asPostgresUser([join(bin, "pg_ctl"), "-D", dataDir, "stop", "-m", "immediate", "-s"]);
  return whenProcessGone(
    [stop.map(shellQuote).join(" "), deleteOnExit ? `rm -rf ${shellQuote(dataDir)}` : "true"].join("; "),
  );
}

/** Stops the server running the cluster in `dataDir` at once (pg_ctl stop -m immediate), if there is one. */
export async function stopPostgresCluster(dataDir: string): Promise<void> {
  if (!existsSync(join(dataDir, "postmaster.pid"))) return;
  await run(join(findPostgresBinaries(), "pg_ctl"), ["-D", dataDir, "stop", "-m", "immediate", "-w", "-s"]);
}

/**
 * `postgres://postgres@127.0.0.1:5432/postgres` when a server there lets user postgres in
 * without a password (what `bun run dev:real` prefers to starting its own), else null.
 */
export async function findRunningPostgres(): Promise<string | null> {
  const url = "postgres://postgres@127.0.0.1:5432/postgres";
  try {
    const database = await connectPostgres(url, {
      max: 1,
      connectTimeoutSeconds: 2,
      applicationName: "carebridge-probe",
    });
    await database.close();
    return url;
  } catch {
    return null;
  }
}
