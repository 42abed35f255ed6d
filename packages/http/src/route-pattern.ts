import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { RouterRoute } from "hono/types";

/** Label for requests that matched no route. */
export const UNMATCHED_ROUTE = "unmatched";

/** True for `app.use("*")`-style middleware entries, false for route handlers. */
export function isMiddlewareRoute(route: Pick<RouterRoute, "method" | "path">): boolean {
  return route.method === "ALL" && route.path.endsWith("*");
}

/**
 * The registered pattern (`/api/patients/:patientId`) of the route that handled, or would have
 * handled, the request; {@link UNMATCHED_ROUTE} when none matched. Call after `await next()`.
 */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  // routeIndex is the deepest entry dispatched: the handler that answered, or the middleware that
  // short-circuited (then the first handler behind it is the route the request was aimed at).
  for (let i = Math.max(0, c.req.routeIndex); i < routes.length; i++) {
    const route = routes[i];
    if (route && !isMiddlewareRoute(route)) return route.path;
  }
  return UNMATCHED_ROUTE;
}
