import pino, { type DestinationStream, type Level, type Logger } from "pino";

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  service: string;
  level?: Level | "silent";
  /** Where lines go; stdout by default. Tests pass a `{ write(line) }` collector. */
  destination?: DestinationStream;
}

// Defence in depth: the middleware never logs headers or bodies, but a handler might log an object
// that carries credentials.
const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "cookie",
  "*.cookie",
  "password",
  "*.password",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "clientSecret",
  "*.clientSecret",
];

/** A pino JSON logger with `service` bound and credentials redacted. */
export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: "[redacted]" },
    },
    options.destination,
  );
}
