import { createHttpApp, type HttpApp } from "@carebridge/http";
import { sql } from "drizzle-orm";
import type { AuthDeps } from "./deps.ts";
import { registerJwks } from "./routes/jwks.ts";
import { registerLogin } from "./routes/login.ts";
import { registerLogout } from "./routes/logout.ts";
import { registerMe } from "./routes/me.ts";
import { registerRefresh } from "./routes/refresh.ts";
import { registerRegister } from "./routes/register.ts";
import { registerToken } from "./routes/token.ts";
import { registerUsersCreate } from "./routes/users-create.ts";

/** The auth service's Hono app over `deps`; no I/O until a request arrives. */
export function createApp(deps: AuthDeps): HttpApp {
  const app = createHttpApp({
    service: "auth",
    logger: deps.logger,
    readiness: {
      postgres: async () => {
        await deps.database.query(sql`SELECT 1`);
      },
      "signing-key": async () => {
        await deps.keys.current();
      },
    },
    openapi: { path: "/api/auth/openapi.json", title: "Carebridge auth", version: "1.0.0" },
  });
  registerRegister(app, deps);
  registerLogin(app, deps);
  registerRefresh(app, deps);
  registerLogout(app, deps);
  registerMe(app, deps);
  registerJwks(app, deps);
  registerUsersCreate(app, deps);
  registerToken(app, deps);
  return app;
}
