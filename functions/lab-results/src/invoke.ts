import type { S3Event } from "@carebridge/runtime";
import type { Logger } from "pino";
import type { RecordOutcome } from "./handler.ts";

/** Lambda's retry policy for asynchronous (S3) invocations: the first try plus two retries. */
export const LAMBDA_ATTEMPTS = 3;

/**
 * Runs the handler the way Lambda runs an asynchronous invocation: on failure it is invoked again
 * with the same event (after `backoffMs × attempt`), at most `attempts` times in all.
 */
export async function invokeWithRetries(
  handler: (event: S3Event) => Promise<RecordOutcome[]>,
  event: S3Event,
  options: { logger: Logger; attempts?: number; backoffMs?: number },
): Promise<RecordOutcome[]> {
  const attempts = options.attempts ?? LAMBDA_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await handler(event);
    } catch (error) {
      if (attempt >= attempts) throw error;
      options.logger.warn({ attempt, err: error }, "lab-results invocation failed; retrying");
      await Bun.sleep((options.backoffMs ?? 1000) * attempt);
    }
  }
}
