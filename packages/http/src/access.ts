import type { MiddlewareHandler } from "hono";
import { forbidden, notFound } from "./errors.ts";
import type { Principal, Role } from "./principal.ts";
import { type AuthedAppEnv, getPrincipal } from "./require-auth.ts";

/** Allows the caller only with one of `roles`; 403 otherwise. Place after `requireAuth`. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AuthedAppEnv> {
  return async (c, next) => {
    const principal = getPrincipal(c);
    if (!roles.includes(principal.role)) throw forbidden(`This requires the role ${roles.join(" or ")}.`);
    await next();
  };
}

/** Who may touch one resource; any matching clause grants access. */
export interface AccessRule {
  /** The owner's user id: the owner is allowed. */
  ownerUserId?: string | null;
  /** Roles allowed regardless of ownership, e.g. `["admin"]`. */
  allowRoles?: readonly Role[];
  /** A relationship the handler checked itself (e.g. the doctor has an appointment with the patient). */
  allow?: boolean;
  /** What a denied caller sees: `"not-found"` where existence itself is PHI. Default `"forbidden"`. */
  deny?: "forbidden" | "not-found";
}

/** Throws 403 (or 404 with `deny: "not-found"`) unless `principal` passes `rule`. */
export function assertAccess(principal: Principal, rule: AccessRule): void {
  const owner = rule.ownerUserId != null && rule.ownerUserId === principal.userId;
  const byRole = rule.allowRoles?.includes(principal.role) ?? false;
  if (owner || byRole || rule.allow === true) return;
  throw rule.deny === "not-found" ? notFound() : forbidden();
}
