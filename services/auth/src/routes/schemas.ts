import { z } from "@hono/zod-openapi";

/** `user` in responses. */
export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.email(),
    name: z.string(),
    role: z.enum(["patient", "doctor", "analyst", "admin"]),
  })
  .openapi("User");

/** Emails are compared lower-case; handlers lower-case after validation. */
export const EmailField = z.email().max(254);
/** At least 10 characters; capped so hashing cost stays bounded. */
export const PasswordField = z.string().min(10, "at least 10 characters").max(1024);
/** A display name. */
export const NameField = z.string().trim().min(1).max(200);

/** `{user, accessToken, refreshToken}`. */
export const SessionSchema = z
  .object({ user: UserSchema, accessToken: z.string(), refreshToken: z.string() })
  .openapi("Session");

/** `{accessToken, refreshToken}`. */
export const TokenPairSchema = z
  .object({ accessToken: z.string(), refreshToken: z.string() })
  .openapi("TokenPair");

/** `{refreshToken}` bodies. */
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200) });

/** A JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
