import { isUniqueViolation } from "@carebridge/db";
import { conflict, type HttpApp, noSecurity } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../deps.ts";
import { completeSession, startSession } from "../domain/sessions.ts";
import { createUser } from "../domain/users.ts";
import { EmailField, jsonBody, jsonResponse, NameField, PasswordField, SessionSchema } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/auth/register",
  summary: "Register a patient account",
  security: noSecurity,
  request: { body: jsonBody(z.object({ email: EmailField, password: PasswordField, name: NameField })) },
  responses: { 201: jsonResponse(SessionSchema, "The new user and a session") },
});

/** POST /api/auth/register → 201 {user, accessToken, refreshToken}; 409 when the email is taken. */
export function registerRegister(app: HttpApp, deps: AuthDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const passwordHash = await deps.hasher.hash(body.password);
    try {
      const { user, refreshToken } = await deps.database.transaction(async (tx) => {
        const user = await createUser(tx, { ...body, role: "patient", passwordHash });
        return { user, refreshToken: await startSession(tx, user) };
      });
      return c.json({ user, ...(await completeSession(deps, user, refreshToken)) }, 201);
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict("An account with this email already exists.", { code: "email-taken" });
      throw err;
    }
  });
}
