import { existsSync } from "node:fs";

/** pgbench on PATH, else PostgreSQL 15's. */
export function pgbenchPath(): string {
  const onPath = Bun.which("pgbench");
  if (onPath) return onPath;
  const fallback = "/usr/lib/postgresql/15/bin/pgbench";
  if (existsSync(fallback)) return fallback;
  throw new Error("pgbench not found (PATH or /usr/lib/postgresql/15/bin)");
}

/** Runs a pgbench custom script (-M prepared, no vacuum) and returns its tps. */
export async function runPgbench(
  url: string,
  script: string,
  clients: number,
  seconds: number,
): Promise<number> {
  const proc = Bun.spawn(
    [
      pgbenchPath(),
      "-n",
      "-M",
      "prepared",
      "-c",
      String(clients),
      "-j",
      "2",
      "-T",
      String(seconds),
      "-f",
      script,
      url,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const tps = out.match(/tps = ([\d.]+)/)?.[1];
  if (code !== 0 || !tps) throw new Error(`pgbench failed (${code}): ${err || out}`);
  return Number(tps);
}
