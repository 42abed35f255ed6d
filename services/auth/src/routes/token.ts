import { type HttpApp, noSecurity, unauthorized } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { recordAudit } from "../db/audit.ts";
import { findServiceClient } from "../db/service-client-queries.ts";
import type { AuthDeps } from "../deps.ts";
import { signAccessToken } from "../domain/access-token.ts";
import { clientAddress } from "../domain/client-address.ts";
import { jsonBody, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/auth/token",
  summary: "Client-credentials grant: an access token with role service",
  security: noSecurity,
  request: {
    body: jsonBody(
      z.object({ clientId: z.string().min(1).max(200), clientSecret: z.string().min(1).max(1024) }),
    ),
  },
  responses: { 200: jsonResponse(z.object({ accessToken: z.string() }), "A service access token") },
});

/** POST /api/auth/token {clientId, clientSecret} → {accessToken} (role service); one 401 for any bad pair. */
export function registerToken(app: HttpApp, deps: AuthDeps): void {
  app.openapi(route, async (c) => {
    const { clientId, clientSecret } = c.req.valid("json");
    const client = await findServiceClient(deps.database.db, clientId);
    const ok = client
      ? await deps.hasher.verify(clientSecret, client.secretHash)
      : await deps.hasher.verifyDummy(clientSecret);
    if (!client || !ok) throw unauthorized("The client credentials are wrong.", { code: "invalid-client" });
    await recordAudit(deps.database.db, {
      action: "client.token-issued",
      ip: clientAddress(c),
      detail: { clientId },
    });
    const accessToken = await signAccessToken(deps.keys, deps.claims, { id: clientId, role: "service" });
    return c.json({ accessToken }, 200);
  });
}
