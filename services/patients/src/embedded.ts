import type { EmbeddedFactory } from "@carebridge/runtime";
import { createApp } from "./app.ts";
import { AUTH_DEFAULTS } from "./config.ts";
import { startDynamoOutboxRelay } from "./db/outbox.ts";
import { createPatientsDeps } from "./deps.ts";
import { startCareTeamConsumer, startUserConsumer } from "./events/consumers.ts";

/**
 * The patients service inside the embedded stack: dynalite (table created at start, transactions
 * emulated), s3rver, the in-memory event log; the demo patient gets the demo plan.
 */
const embedded: EmbeddedFactory = async (ctx) => {
  const deps = await createPatientsDeps({
    logger: ctx.logger,
    aws: {
      region: ctx.aws.region,
      credentials: ctx.aws.credentials,
      dynamodbEndpoint: ctx.aws.dynamodbEndpoint,
      s3Endpoint: ctx.aws.s3Endpoint,
    },
    tableName: "carebridge-patients",
    bucket: ctx.aws.labBucket,
    transactions: "auto",
    createTable: true,
    keys: {
      jwksUrl: new URL("/api/auth/.well-known/jwks.json", ctx.publicUrl).toString(),
      fetch: (url, init) => ctx.fetch(new Request(url, init)),
    },
    claims: { ...AUTH_DEFAULTS },
  });
  const options = {
    store: deps.store,
    log: ctx.eventLog,
    logger: ctx.logger,
    seedDemo: true,
    careTeam: deps.careTeam,
  };
  const relay = startDynamoOutboxRelay(options);
  const consumers = await Promise.all([startUserConsumer(options), startCareTeamConsumer(options)]);
  const app = createApp(deps);
  return {
    fetch: (request) => app.fetch(request),
    async check() {
      const report = await app.readiness();
      if (report.status !== "ok") throw new Error(`patients not ready: ${JSON.stringify(report.checks)}`);
    },
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
      await relay.stop();
      deps.close();
    },
  };
};
export default embedded;
