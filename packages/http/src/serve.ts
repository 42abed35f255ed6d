import type { Logger } from "pino";

/** Anything with a fetch handler, e.g. a Hono app. */
export interface FetchApp {
  fetch(request: Request, env: Bun.Server<undefined>): Response | Promise<Response>;
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  /** How long `stop()` waits for in-flight requests before cutting them. Default 10 000 ms. */
  drainTimeoutMs?: number;
  /** Signals that trigger a graceful stop. Default `["SIGTERM", "SIGINT"]`; `[]` for none. */
  signals?: NodeJS.Signals[];
  logger?: Logger;
}

/** A running server. */
export interface ServeHandle {
  readonly port: number;
  readonly url: URL;
  /** Stops accepting connections, lets in-flight requests finish (up to the drain timeout). Idempotent. */
  stop(): Promise<void>;
  /** Settles once the server has stopped, whoever stopped it (e.g. SIGTERM). */
  readonly stopped: Promise<void>;
}

/** Serves an app with `Bun.serve` and drains it on SIGTERM/SIGINT (for a service's `main.ts`). */
export function serve(app: FetchApp, options: ServeOptions): ServeHandle {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    fetch: (request, srv) => app.fetch(request, srv),
  });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const log = options.logger;
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const signal of signals) process.off(signal, onSignal);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), drainTimeoutMs);
      });
      const outcome = await Promise.race([server.stop(false).then(() => "drained" as const), timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        log?.warn({ drainTimeoutMs }, "drain timed out; closing remaining connections");
        await server.stop(true);
      }
      log?.info("server stopped");
      markStopped();
    })();
    return stopping;
  };
  function onSignal(signal: NodeJS.Signals) {
    log?.info({ signal }, "draining");
    void stop();
  }
  for (const signal of signals) process.on(signal, onSignal);

  const url = new URL(server.url.href);
  log?.info({ url: url.href }, "listening");
  return { port: Number(server.port), url, stop, stopped };
}
