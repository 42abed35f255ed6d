/** A component check: resolves (optionally with details) when healthy, throws when not. */
export type ComponentCheck = () => Promise<Record<string, unknown> | undefined>;

/**
 * `GET /api/health` for a whole stack: runs every component's check (2 s timeout each) and lists
 * them; 200 when all are up, 503 otherwise.
 */
export async function stackHealth(
  mode: "embedded" | "real",
  checks: Record<string, ComponentCheck>,
): Promise<Response> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const details = await Promise.race([
          check(),
          Bun.sleep(2_000).then(() => {
            throw new Error("timed out after 2 s");
          }),
        ]);
        return [name, { status: "up", ...(details ?? {}) }] as const;
      } catch (error) {
        return [name, { status: "down", error: (error as Error).message }] as const;
      }
    }),
  );
  const components = Object.fromEntries(entries);
  const up = entries.every(([, c]) => c.status === "up");
  return Response.json({ status: up ? "ok" : "degraded", mode, components }, { status: up ? 200 : 503 });
}
