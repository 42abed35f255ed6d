import type { MiddlewareHandler } from "hono";
import type { HttpMetrics } from "./metrics.ts";
import type { AppEnv } from "./principal.ts";
import { routePattern } from "./route-pattern.ts";

/** Probe and scrape paths: logged at debug so they do not drown the access log. */
const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * One access log line per request (method, route pattern, status, durationMs; requestId comes from
 * the request-bound logger) and one histogram observation. Never logs headers, bodies or the raw path (it may carry ids).
 */
export function accessLog(metrics: HttpMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePattern(c);
    const status = c.res.status;
    metrics.observe({ method: c.req.method, route, status }, seconds);
    const line = {
      method: c.req.method,
      route,
      status,
      durationMs: Math.round(seconds * 100_000) / 100,
    };
    if (QUIET_PATHS.has(c.req.path)) c.var.logger.debug(line, "request");
    else c.var.logger.info(line, "request");
  };
}
