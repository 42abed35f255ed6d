/** Exponential backoff with full jitter: attempt 1 waits about initialMs, doubling up to maxMs. */
export function backoffDelay(
  attempt: number,
  { initialMs, maxMs }: { initialMs: number; maxMs: number },
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
