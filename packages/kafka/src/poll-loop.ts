import type { Logger } from "./logger.ts";
import { backoffDelay, sleep } from "./retry.ts";

/** A running {@link startPollLoop}. */
export interface PollLoop {
  /** Cuts the current idle wait short (new work is known to be there). */
  wake(): void;
  /** Stops after the pass in progress; resolves once the loop has ended. */
  stop(): Promise<void>;
}

/**
 * Calls `pass` until stopped: again at once while it finds work, after `idleMs` when it found none
 * (0), and with exponential backoff (100 ms … 5 s) after failures, which are logged and retried.
 * The loop of every outbox relay (PostgreSQL and DynamoDB).
 */
export function startPollLoop(options: {
  pass: () => Promise<number>;
  idleMs: number;
  logger: Logger;
  /** Names the loop in the failure log line. */
  name: string;
}): PollLoop {
  let running = true;
  let wake: () => void = () => {};
  const loop = (async () => {
    let failures = 0;
    await Promise.resolve(); // let the caller hold the handle before the first pass
    while (running) {
      try {
        const n = await options.pass();
        failures = 0;
        if (n === 0 && running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, options.idleMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } catch (error) {
        failures++;
        options.logger.warn({ err: error, failures }, `${options.name}: publish failed; will retry`);
        await sleep(backoffDelay(failures, { initialMs: 100, maxMs: 5_000 }));
      }
    }
  })();
  return {
    wake: () => wake(),
    async stop() {
      running = false;
      wake();
      await loop;
    },
  };
}
