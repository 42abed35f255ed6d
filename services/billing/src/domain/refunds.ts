import type { Database } from "@carebridge/db";
import type { Logger } from "pino";
import { claimDueRefunds, completeRefund, deferRefund } from "../db/refund-queries.ts";
import type { PaymentProcessor } from "./payment-processor.ts";
import { sweepStalePayments } from "./settle-payment.ts";

export { allocateRefund, type RefundOwed, recordRefunds } from "./refund-allocation.ts";

/** What the refund worker needs. */
export interface RefundWorkerDeps {
  database: Database;
  processor: PaymentProcessor;
  logger: Logger;
  now: () => string;
  /** How long a pending payment is left to its request before the worker finishes it (default 30 s). */
  pendingLeaseMs?: number;
}

/** Tuning of the refund worker. */
export interface RefundWorkerOptions {
  /** How long a claimed refund is left to its worker before another may take it over (a crash). */
  leaseMs?: number;
  /** Refunds claimed at a time. */
  limit?: number;
  /** First wait after a failed attempt; doubles each attempt, up to 10 minutes. */
  retryMs?: number;
}

const later = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/**
 * One pass: claims the refunds that are due (committed before the processor is called), asks the
 * processor for each with the refund id as its idempotency key, and records the answer. A refund
 * whose worker dies is due again once its lease ends and is retried under the same id, so the
 * processor refunds it once. Returns how many were carried out and how many failed (retried later).
 */
export async function processDueRefunds(
  deps: RefundWorkerDeps,
  { leaseMs = 30_000, limit = 50, retryMs = 5_000 }: RefundWorkerOptions = {},
): Promise<{ succeeded: number; failed: number }> {
  const at = deps.now();
  const claimed = await deps.database.transaction((tx) => claimDueRefunds(tx, at, later(at, leaseMs), limit));
  let succeeded = 0;
  let failed = 0;
  for (const refund of claimed) {
    try {
      const result = await deps.processor.refund({
        refundId: refund.id,
        paymentId: refund.paymentId,
        paymentReference: refund.paymentReference,
        invoiceId: refund.invoiceId,
        amountCents: refund.amountCents,
        currency: refund.currency,
      });
      await completeRefund(deps.database.db, refund.id, result.reference, deps.now());
      succeeded++;
    } catch (error) {
      failed++;
      const wait = Math.min(retryMs * 2 ** Math.max(0, refund.attempts - 1), 600_000);
      const now = deps.now();
      deps.logger.warn({ err: error, refundId: refund.id }, "refund failed; retried later");
      await deferRefund(deps.database.db, refund.id, String(error), later(now, wait), now);
    }
  }
  return { succeeded, failed };
}

/** A running refund worker. */
export interface RefundWorker {
  stop(): Promise<void>;
}

/**
 * Runs every `intervalMs` (at once again while it finds work) until stopped: first finishes the
 * payments stranded pending (their request died after charging; see {@link sweepStalePayments}),
 * then {@link processDueRefunds}, so a refund such a payment owes is carried out in the same pass.
 */
export function startRefundWorker(
  deps: RefundWorkerDeps,
  options: RefundWorkerOptions & { intervalMs?: number } = {},
): RefundWorker {
  const intervalMs = options.intervalMs ?? 1_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        const swept = await sweepStalePayments(deps, { limit: options.limit });
        const { succeeded, failed } = await processDueRefunds(deps, options);
        busy = swept.finished.length + succeeded + failed > 0;
      } catch (error) {
        deps.logger.error({ err: error }, "refund worker pass failed");
      }
      if (busy || stopped) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
