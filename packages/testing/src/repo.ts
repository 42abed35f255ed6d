import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

/** The repository root (the folder holding bun.lock). */
export function repoRoot(): string {
  let dir = import.meta.dir;
  while (!existsSync(join(dir, "bun.lock"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("repository root (bun.lock) not found");
    dir = parent;
  }
  return dir;
}

/** `<repo>/.cache/<name>`: downloaded jars, throwaway clusters; git-ignored. */
export const cacheDir = (...parts: string[]) => join(repoRoot(), ".cache", ...parts);

/** A TCP port that was free a moment ago. */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}

/** Resolves once something accepts TCP connections on host:port, or throws after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      Bun.connect({
        hostname: host,
        port,
        socket: {
          open(s) {
            s.end();
            resolve(true);
          },
          connectError() {
            resolve(false);
          },
          data() {},
        },
      }).catch(() => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}

/** Quotes one argument for `sh -c`. */
export const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Runs a shell command once this process is gone, however it ends (kill -9 included: `bun test`
 * never runs exit handlers). Kill the returned process to cancel.
 */
export function whenProcessGone(command: string) {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; ${command}`;
  const proc = Bun.spawn(["sh", "-c", script], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  proc.unref();
  return proc;
}

/** Whether `pid` is alive and its command line contains `marker` (guards against pid reuse). */
export function isProcess(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
  } catch {
    return false;
  }
}

/**
 * A per-run folder `<parent>/<name>-<pid>` (two runs at once never share servers' data), after
 * removing the ones of earlier runs whose process is gone (killed runs never clean up).
 */
export function perRunDir(name: string, parent: string): string {
  mkdirSync(parent, { recursive: true });
  for (const entry of readdirSync(parent)) {
    const match = entry.match(/^(.+)-(\d+)$/);
    if (match?.[1] !== name || !match[2] || isAlive(Number(match[2]))) continue;
    rmSync(join(parent, entry), { recursive: true, force: true });
  }
  return join(parent, `${name}-${process.pid}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
