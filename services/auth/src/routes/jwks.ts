import { type HttpApp, noSecurity } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../deps.ts";
import { jsonResponse } from "./schemas.ts";

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.string())) }).openapi("Jwks");

const route = createRoute({
  method: "get",
  path: "/api/auth/.well-known/jwks.json",
  summary: "Public keys of the current and previous signing keys",
  security: noSecurity,
  responses: { 200: jsonResponse(Jwks, "JWKS") },
});

/** GET /api/auth/.well-known/jwks.json → the current and previous public keys. */
export function registerJwks(app: HttpApp, deps: AuthDeps): void {
  app.openapi(route, async (c) => {
    const jwks = await deps.keys.jwks();
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ keys: jwks.keys.map((key) => ({ ...key }) as Record<string, string>) }, 200);
  });
}
