/**
 * A stand-in service for the stack tests (the real services arrive with their own issues): it
 * proves a service is discovered, mounted in-process, run as its own process and proxied.
 */
import type { EmbeddedFactory } from "@carebridge/runtime";
import type { ServiceDescriptor } from "../service-registry.ts";

const handle = (request: Request, via: string) => {
  const url = new URL(request.url);
  if (url.pathname === "/readyz") return Response.json({ status: "ok" });
  if (url.pathname === "/api/fixture/echo")
    return Response.json({ via, method: request.method, query: url.search });
  return new Response("not found", { status: 404 });
};

const embedded: EmbeddedFactory = async () => ({
  fetch: (request) => handle(request, "embedded"),
  stop: async () => {},
});
export default embedded;

export const fixtureDescriptor: ServiceDescriptor = {
  kind: "service",
  name: "fixture",
  dir: import.meta.dir,
  prefixes: ["/api/fixture"],
  embedded: import.meta.path,
  main: import.meta.path,
  database: "postgres",
};

if (import.meta.main) {
  const server = Bun.serve({
    port: Number(process.env.PORT),
    fetch: (req) => handle(req, `process:${process.env.DATABASE_URL ? "db" : "nodb"}`),
  });
  process.on("SIGTERM", () => {
    server.stop();
    process.exit(0);
  });
}
