import type { Context } from "hono";

interface RequestIpSource {
  requestIP?(request: Request): { address: string } | null;
}

/** The caller's address: the first hop of X-Forwarded-For, else the socket's (Bun), else null. */
export function clientAddress(c: Context): string | null {
  const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  if (forwarded) return forwarded;
  const server = c.env as RequestIpSource | undefined;
  return server?.requestIP?.(c.req.raw)?.address ?? null;
}
