/** A readiness check: resolves when the dependency is usable, throws otherwise. */
export type ReadinessCheck = () => Promise<void>;

/** Outcome of one readiness check. */
export type CheckResult =
  | { status: "ok"; durationMs: number }
  | { status: "fail"; durationMs: number; error: string };

/** What `/readyz` answers. */
export interface ReadinessReport {
  status: "ok" | "unavailable";
  checks: Record<string, CheckResult>;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(check), timeout]);
    return { status: "ok", durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return {
      status: "fail",
      durationMs: Math.round(performance.now() - started),
      error: error.slice(0, 200),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check concurrently, each bounded by `timeoutMs`; ready only when all pass. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  const results = Object.fromEntries(entries);
  const ok = entries.every(([, result]) => result.status === "ok");
  return { status: ok ? "ok" : "unavailable", checks: results };
}
