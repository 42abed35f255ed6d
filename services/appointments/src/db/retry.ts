import { isSerializationFailure } from "@carebridge/db";

/**
 * Runs `fn` (a whole transaction) again when PostgreSQL aborted it for a deadlock or a
 * serialization failure (40P01 / 40001): the losing transaction changed nothing and may simply
 * be retried. Other errors pass through.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isSerializationFailure(error)) throw error;
      await Bun.sleep(5 * attempt * Math.random());
    }
  }
}
