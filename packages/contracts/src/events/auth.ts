import { z } from "zod";
import { email, nonEmptyText, uuid } from "../primitives.ts";

/** Roles a user can hold. */
export const USER_ROLES = ["patient", "doctor", "analyst", "admin"] as const;

/** `user.registered` v1 on `auth.users`: a user account was created. */
export const userRegisteredV1 = z.object({
  id: uuid,
  email,
  name: nonEmptyText,
  role: z.enum(USER_ROLES),
});

/** Data of `user.registered` v1. */
export type UserRegistered = z.infer<typeof userRegisteredV1>;
