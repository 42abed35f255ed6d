import { startOutboxRelay } from "@carebridge/kafka";
import type { EmbeddedFactory } from "@carebridge/runtime";
import { createApp } from "./app.ts";
import { TOKEN_DEFAULTS } from "./config.ts";
import { migrateBilling } from "./db/migrate.ts";
import { createBillingDeps } from "./deps.ts";
import { fakePaymentProcessor } from "./domain/payment-processor.ts";
import { startRefundWorker } from "./domain/refunds.ts";
import { startBillingConsumer } from "./events/billing-consumer.ts";

/**
 * Billing inside the embedded stack: its own PGlite database, the consumer on the in-memory event
 * log, the outbox relayed to it, the refund worker, tokens verified against the stack's JWKS, the
 * fake card processor.
 */
const embedded: EmbeddedFactory = async (ctx) => {
  const database = await ctx.openDatabase("billing");
  await migrateBilling(database);
  const deps = createBillingDeps({
    database,
    logger: ctx.logger,
    keys: {
      jwksUrl: new URL("/api/auth/.well-known/jwks.json", ctx.publicUrl).toString(),
      fetch: (url, init) => ctx.fetch(new Request(url, init)),
    },
    claims: { ...TOKEN_DEFAULTS },
    processor: fakePaymentProcessor(),
  });
  const relay = startOutboxRelay({ database, log: ctx.eventLog, logger: ctx.logger });
  const consumer = await startBillingConsumer({ database, log: ctx.eventLog, logger: ctx.logger });
  const refunds = startRefundWorker(deps);
  const app = createApp(deps);
  return {
    fetch: (request) => app.fetch(request),
    async check() {
      const report = await app.readiness();
      if (report.status !== "ok") throw new Error(`billing not ready: ${JSON.stringify(report.checks)}`);
    },
    async stop() {
      await refunds.stop();
      await consumer.stop();
      await relay.stop();
    },
  };
};
export default embedded;
