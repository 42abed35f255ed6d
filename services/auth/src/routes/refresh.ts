import { type HttpApp, noSecurity } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../deps.ts";
import { clientAddress } from "../domain/client-address.ts";
import { rotateSession } from "../domain/sessions.ts";
import { jsonBody, jsonResponse, RefreshBody, TokenPairSchema } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/auth/refresh",
  summary: "Exchange a refresh token for a new pair",
  security: noSecurity,
  request: { body: jsonBody(RefreshBody) },
  responses: { 200: jsonResponse(TokenPairSchema, "A new pair; the old refresh token is spent") },
});

/** POST /api/auth/refresh → a new pair; a reused token → 401 and its family revoked. */
export function registerRefresh(app: HttpApp, deps: AuthDeps): void {
  app.openapi(route, async (c) => {
    const { refreshToken } = c.req.valid("json");
    return c.json(await rotateSession(deps, refreshToken, clientAddress(c)), 200);
  });
}
