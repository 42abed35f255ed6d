type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The slice of a pino logger this package uses; pino's Logger satisfies it. */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

/** Discards everything (tests that assert on behaviour, not logs). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
