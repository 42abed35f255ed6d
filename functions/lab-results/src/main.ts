/**
 * The local Lambda invoker for `bun run dev:real`: the stack POSTs each s3rver ObjectCreated event
 * to `POST /invoke`, which runs the handler with Lambda's retry policy and answers with what
 * happened to each record. `GET /healthz` and `GET /readyz` (the lab bucket answers) for the stack.
 */
import { z } from "zod";
import { loadConfig } from "./config.ts";
import { buildDeps, checkBucket } from "./deps.ts";
import { createLabResultsHandler } from "./handler.ts";
import { invokeWithRetries } from "./invoke.ts";

const s3EventSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({
        bucket: z.object({ name: z.string().min(1) }),
        object: z.object({ key: z.string().min(1), size: z.number().nonnegative().optional().default(0) }),
      }),
    }),
  ),
});

const problem = (status: number, title: string, detail: string) =>
  Response.json(
    {
      type: `https://carebridge.dev/problems/${status === 400 ? "validation" : "invocation-failed"}`,
      title,
      status,
      detail,
    },
    { status, headers: { "content-type": "application/problem+json" } },
  );

const config = loadConfig();
const deps = buildDeps(config);
const handler = createLabResultsHandler(deps);
const inFlight = new Set<Promise<unknown>>();

const server = Bun.serve({
  port: config.port,
  hostname: "127.0.0.1",
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz" && request.method === "GET") return Response.json({ status: "ok" });
    if (pathname === "/readyz" && request.method === "GET") {
      return checkBucket(deps.s3, config.bucket).then(
        () => Response.json({ status: "ok", checks: { s3: "up" } }),
        (error) => Response.json({ status: "down", checks: { s3: String(error) } }, { status: 503 }),
      );
    }
    if (pathname !== "/invoke")
      return problem(404, "Not Found", `No route for ${request.method} ${pathname}`);
    if (request.method !== "POST") return problem(405, "Method Not Allowed", "POST an S3 event to /invoke");
    const body = await request.json().catch(() => undefined);
    const event = s3EventSchema.safeParse(body);
    if (!event.success) return problem(400, "Bad Request", "The body is not an S3 event");
    const run = invokeWithRetries(handler, event.data, { logger: deps.logger });
    inFlight.add(run);
    try {
      return Response.json({ outcomes: await run });
    } catch (error) {
      return problem(502, "Invocation failed", error instanceof Error ? error.message : String(error));
    } finally {
      inFlight.delete(run);
    }
  },
});
deps.logger.info({ port: server.port }, "lab-results local invoker listening");

const shutdown = async () => {
  await server.stop();
  await Promise.allSettled([...inFlight]);
  deps.s3.destroy();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
