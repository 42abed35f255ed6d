import { isUniqueViolation } from "@carebridge/db";
import { conflict, getPrincipal, type HttpApp, requireAuth, requireRole } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../deps.ts";
import { createUser } from "../domain/users.ts";
import { EmailField, jsonBody, jsonResponse, NameField, PasswordField, UserSchema } from "./schemas.ts";

const Body = z.object({
  email: EmailField,
  password: PasswordField,
  name: NameField,
  role: z.enum(["patient", "doctor", "analyst", "admin"]),
});

const route = createRoute({
  method: "post",
  path: "/api/auth/users",
  summary: "Create a user with any role (admin)",
  request: { body: jsonBody(Body) },
  responses: { 201: jsonResponse(z.object({ user: UserSchema }), "The new user") },
});

/** POST /api/auth/users (admin) → 201 {user}; 409 when the email is taken. */
export function registerUsersCreate(app: HttpApp, deps: AuthDeps): void {
  app.use(route.path, requireAuth(deps.verifier), requireRole("admin"));
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const admin = getPrincipal(c);
    const passwordHash = await deps.hasher.hash(body.password);
    try {
      const user = await deps.database.transaction((tx) =>
        createUser(tx, { ...body, passwordHash }, admin.userId),
      );
      return c.json({ user }, 201);
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict("An account with this email already exists.", { code: "email-taken" });
      throw err;
    }
  });
}
