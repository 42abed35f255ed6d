import type { Context, MiddlewareHandler } from "hono";
import { AppError, unauthorized } from "./errors.ts";
import { BEARER_CHALLENGE, type JwtVerifier } from "./jwt-verifier.ts";
import type { AppEnv, Principal } from "./principal.ts";

/** The environment of handlers behind {@link requireAuth}: `c.var.principal` is set. */
export interface AuthedAppEnv {
  Variables: AppEnv["Variables"] & { principal: Principal };
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

function missingToken(): AppError {
  return unauthorized("An access token is required.", {
    code: "missing-token",
    headers: { "WWW-Authenticate": BEARER_CHALLENGE },
  });
}

/** Verifies `Authorization: Bearer <token>` and sets `c.var.principal`; 401 problem otherwise. */
export function requireAuth(verifier: JwtVerifier): MiddlewareHandler<AuthedAppEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header("Authorization") ?? "");
    if (!match?.[1]) throw missingToken();
    try {
      c.set("principal", await verifier.verify(match[1]));
    } catch (err) {
      if (err instanceof AppError && err.status === 401) {
        const reason = err.cause instanceof Error ? err.cause.message : undefined;
        c.var.logger.debug({ reason }, "access token rejected");
      }
      throw err;
    }
    await next();
  };
}

/** The authenticated caller; 401 if the route forgot {@link requireAuth}. */
export function getPrincipal(c: Context<AppEnv> | Context<AuthedAppEnv>): Principal {
  const principal: Principal | undefined = c.var.principal;
  if (!principal) throw missingToken();
  return principal;
}
