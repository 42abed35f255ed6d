import { getPrincipal, type HttpApp, requireAuth, unauthorized } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../deps.ts";
import { jsonResponse, UserSchema } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/auth/me",
  summary: "The signed-in user",
  responses: { 200: jsonResponse(UserSchema, "The caller") },
});

/** GET /api/auth/me (Bearer) → {id, email, name, role}. */
export function registerMe(app: HttpApp, deps: AuthDeps): void {
  app.use(route.path, requireAuth(deps.verifier));
  app.openapi(route, async (c) => {
    const principal = getPrincipal(c);
    const user = await deps.users.get(principal.userId);
    if (!user) throw unauthorized("The account no longer exists.", { code: "invalid-token" });
    return c.json(user, 200);
  });
}
