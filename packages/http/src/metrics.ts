import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The per-app metrics: a registry of its own (never prom-client's global one). */
export interface HttpMetrics {
  registry: Registry;
  observe(labels: { method: string; route: string; status: number }, seconds: number): void;
}

/** Options of {@link createHttpMetrics}. */
export interface HttpMetricsOptions {
  service: string;
  /** Collect process/runtime metrics too. Default false. */
  defaultMetrics?: boolean;
}

/** Creates a registry with `http_request_duration_seconds{method,route,status}` and a `service` label. */
export function createHttpMetrics(options: HttpMetricsOptions): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method, matched route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe({ method, route, status }, seconds) {
      const m = KNOWN_METHODS.has(method) ? method : "OTHER";
      duration.observe({ method: m, route, status: String(status) }, seconds);
    },
  };
}
