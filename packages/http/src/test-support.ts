import type { Logger } from "pino";
import { createLogger } from "./logger.ts";

/** Test-only: a logger whose JSON lines are collected in memory. */
export function captureLogger(level: "debug" | "info" = "debug"): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: "test",
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}
