import { type HttpApp, noSecurity, unauthorized } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { recordAudit } from "../db/audit.ts";
import { findUserByEmail } from "../db/user-queries.ts";
import type { AuthDeps } from "../deps.ts";
import { clientAddress } from "../domain/client-address.ts";
import { completeSession, startSession } from "../domain/sessions.ts";
import { EmailField, jsonBody, jsonResponse, SessionSchema } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/auth/login",
  summary: "Sign in with email and password",
  security: noSecurity,
  request: { body: jsonBody(z.object({ email: EmailField, password: z.string().min(1).max(1024) })) },
  responses: { 200: jsonResponse(SessionSchema, "The user and a session") },
});

/** POST /api/auth/login → {user, accessToken, refreshToken}; one 401 for unknown email and wrong password; 429 when throttled. */
export function registerLogin(app: HttpApp, deps: AuthDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const email = body.email.toLowerCase();
    const ip = clientAddress(c);
    await deps.throttle.check(email, ip);
    const stored = await findUserByEmail(deps.database.db, email);
    // An unknown email costs one argon2id verify too, so timing does not reveal which emails exist.
    const ok = stored
      ? await deps.hasher.verify(body.password, stored.passwordHash)
      : await deps.hasher.verifyDummy(body.password);
    if (!stored || !ok) {
      await deps.throttle.fail(email, ip);
      await recordAudit(deps.database.db, {
        action: "login.failed",
        userId: stored?.id,
        email,
        ip,
        detail: { reason: stored ? "wrong-password" : "unknown-email" },
      });
      throw unauthorized("The email or password is wrong.", { code: "invalid-credentials" });
    }
    const { passwordHash: _, ...user } = stored;
    const refreshToken = await deps.database.transaction(async (tx) => {
      await recordAudit(tx, { action: "login.succeeded", userId: user.id, email, ip });
      return startSession(tx, user);
    });
    return c.json({ user, ...(await completeSession(deps, user, refreshToken)) }, 200);
  });
}
