import type { EmbeddedFactory } from "@carebridge/runtime";
import { DEV_LAB_CLIENT } from "./config.ts";
import { checkBucket, createS3Client } from "./deps.ts";
import { createLabResultsHandler } from "./handler.ts";
import { invokeWithRetries } from "./invoke.ts";
import { createTokenProvider, type Fetch } from "./token-provider.ts";

/**
 * The lab-results function inside the embedded stack (`bun run dev`): s3rver's ObjectCreated
 * events run the handler in-process, against the stack's S3 endpoint and, through ctx.fetch, its
 * auth and patients APIs. It serves no routes.
 */
const embedded: EmbeddedFactory = async (ctx) => {
  const fetchFn: Fetch = (url, init) => ctx.fetch(new Request(url, init));
  const clock = () => new Date();
  const s3 = createS3Client({
    region: ctx.aws.region,
    endpoint: ctx.aws.s3Endpoint,
    credentials: ctx.aws.credentials,
  });
  const handler = createLabResultsHandler({
    s3,
    bucket: ctx.aws.labBucket,
    patientsUrl: ctx.publicUrl,
    tokens: createTokenProvider({ authUrl: ctx.publicUrl, ...DEV_LAB_CLIENT, fetch: fetchFn, clock }),
    fetch: fetchFn,
    logger: ctx.logger,
    clock,
  });
  const inFlight = new Set<Promise<unknown>>();
  return {
    fetch: () =>
      Response.json(
        { type: "https://carebridge.dev/problems/not-found", title: "Not Found", status: 404 },
        { status: 404, headers: { "content-type": "application/problem+json" } },
      ),
    check: () => checkBucket(s3, ctx.aws.labBucket),
    async onS3ObjectCreated(event) {
      const run = invokeWithRetries(handler, event, { logger: ctx.logger });
      inFlight.add(run);
      try {
        await run;
      } finally {
        inFlight.delete(run);
      }
    },
    async stop() {
      await Promise.allSettled([...inFlight]);
      s3.destroy();
    },
  };
};
export default embedded;
