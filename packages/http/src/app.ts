import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { accessLog } from "./access-log.ts";
import { errorBoundary, handleError, handleNotFound, validationHook } from "./error-handler.ts";
import { payloadTooLarge } from "./errors.ts";
import { checkReadiness, type ReadinessCheck, type ReadinessReport } from "./health.ts";
import { createHttpMetrics } from "./metrics.ts";
import { type OpenApiOptions, registerOpenApi } from "./openapi.ts";
import type { AppEnv } from "./principal.ts";
import { requestId } from "./request-id.ts";

/** Default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  /** Service name: the `service` label on metrics. */
  service: string;
  logger: Logger;
  /** Named readiness checks run by `/readyz`. */
  readiness?: Record<string, ReadinessCheck>;
  /** Per-check timeout of `/readyz`. Default 2000 ms. */
  readinessTimeoutMs?: number;
  /** Serves the OpenAPI 3.1 document when given. */
  openapi?: OpenApiOptions;
  /** Default {@link DEFAULT_BODY_LIMIT_BYTES}. */
  bodyLimitBytes?: number;
  /** Also collect process/runtime metrics. Default false. */
  defaultMetrics?: boolean;
}

/** A service app: an `OpenAPIHono` plus what `mountAll` needs to aggregate health and metrics. */
export type HttpApp = OpenAPIHono<AppEnv> & {
  readonly service: string;
  /** This app's own Prometheus registry. */
  readonly registry: Registry;
  readiness(): Promise<ReadinessReport>;
};

/**
 * Creates a service's Hono app with request ids, access logs, metrics, problem+json errors, a body
 * limit, `/healthz`, `/readyz`, `/metrics` and (optionally) its OpenAPI 3.1 document. No I/O, no
 * global state: several apps can live in one process.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const metrics = createHttpMetrics({ service: options.service, defaultMetrics: options.defaultMetrics });
  const checks = options.readiness ?? {};
  const timeoutMs = options.readinessTimeoutMs ?? 2000;
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(handleError);
  app.notFound(handleNotFound);

  app.use(requestId(options.logger));
  app.use(accessLog(metrics));
  app.use(errorBoundary);
  // Without Content-Length (chunked) hono's bodyLimit counts the streamed bytes itself.
  app.use(
    bodyLimit({
      maxSize: limit,
      onError: () => {
        throw payloadTooLarge(`The request body exceeds ${limit} bytes.`);
      },
    }),
  );

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const report = await checkReadiness(checks, timeoutMs);
    if (report.status !== "ok") c.var.logger.warn({ checks: report.checks }, "not ready");
    return c.json(report, report.status === "ok" ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    c.header("Content-Type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  if (options.openapi) registerOpenApi(app, options.openapi);

  return Object.assign(app, {
    service: options.service,
    registry: metrics.registry,
    readiness: () => checkReadiness(checks, timeoutMs),
  });
}
