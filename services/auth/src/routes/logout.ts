import { type HttpApp, noSecurity } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../deps.ts";
import { endSession } from "../domain/sessions.ts";
import { jsonBody, RefreshBody } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/auth/logout",
  summary: "Sign out: revoke the refresh token's family",
  security: noSecurity,
  request: { body: jsonBody(RefreshBody) },
  responses: { 204: { description: "Signed out" } },
});

/** POST /api/auth/logout → 204 (also for unknown tokens, so it reveals nothing). */
export function registerLogout(app: HttpApp, deps: AuthDeps): void {
  app.openapi(route, async (c) => {
    await endSession(deps, c.req.valid("json").refreshToken);
    return c.body(null, 204);
  });
}
