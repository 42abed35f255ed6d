import { Hono } from "hono";
import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import type { HttpApp } from "./app.ts";
import { internalError, notFound } from "./errors.ts";
import type { ReadinessReport } from "./health.ts";
import { problemJson } from "./problem.ts";
import { REQUEST_ID_HEADER, resolveRequestId } from "./request-id.ts";
import { isMiddlewareRoute } from "./route-pattern.ts";

/** What the composite's `/readyz` answers. */
export interface CompositeReadiness {
  status: "ok" | "unavailable";
  services: Record<string, ReadinessReport>;
}

function handles(app: HttpApp, method: string, path: string): boolean {
  const [matches] = app.router.match(method === "HEAD" ? "GET" : method, path);
  return matches.some(([[, route]]) => !isMiddlewareRoute(route));
}

/**
 * Composes service apps into one app (the embedded dev stack on one port). Each request goes, by
 * fetch, to the first app with a route (not just middleware) matching its method and path, so
 * every app keeps its own middleware, logs, metrics and error mapping; a request no app matches
 * gets the first app's 404 problem (logged and counted there as `route="unmatched"`).
 *
 * The composite answers these itself, shadowing the apps' own:
 * - `/healthz`: 200 while the process runs;
 * - `/readyz`: every app's readiness checks, grouped by service; 503 if any fails;
 * - `/metrics`: all apps' registries in one exposition (series told apart by their `service` label).
 */
export function mountAll(apps: readonly HttpApp[], options: { logger?: Logger } = {}): Hono {
  const names = apps.map((app) => app.service);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new TypeError(`service ${duplicate} mounted twice`);

  const composite = new Hono();
  composite.onError((err, c) => {
    options.logger?.error({ err }, "composite request failed");
    return problemJson(internalError(), resolveRequestId(c.req.header(REQUEST_ID_HEADER)));
  });

  composite.get("/healthz", (c) => c.json({ status: "ok" }));
  composite.get("/readyz", async (c) => {
    const reports = await Promise.all(apps.map(async (app) => [app.service, await app.readiness()] as const));
    const ok = reports.every(([, report]) => report.status === "ok");
    const body: CompositeReadiness = {
      status: ok ? "ok" : "unavailable",
      services: Object.fromEntries(reports),
    };
    return c.json(body, ok ? 200 : 503);
  });
  composite.get("/metrics", async (c) => {
    const all = await Promise.all(apps.map((app) => app.registry.getMetricsAsJSON()));
    const merged = AggregatorRegistry.aggregate(all);
    c.header("Content-Type", merged.contentType);
    return c.body(await merged.metrics());
  });

  composite.all("*", (c) => {
    const request = c.req.raw;
    const target = apps.find((app) => handles(app, request.method, app.getPath(request))) ?? apps[0];
    if (!target) {
      const id = resolveRequestId(c.req.header(REQUEST_ID_HEADER));
      return problemJson(notFound(`No route for ${request.method} ${c.req.path}`), id);
    }
    return target.fetch(request, c.env);
  });
  return composite;
}
