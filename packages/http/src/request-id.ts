import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "./principal.ts";

/** Header carrying the request id in both directions. */
export const REQUEST_ID_HEADER = "X-Request-Id";

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The incoming id when it is a sane token (≤ 128 of `[A-Za-z0-9._-]`), else a fresh UUIDv7. */
export function resolveRequestId(incoming: string | undefined): string {
  return incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : Bun.randomUUIDv7();
}

/** Sets `c.var.requestId` and a request-bound `c.var.logger`; echoes the id in the response. */
export function requestId(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = resolveRequestId(c.req.header(REQUEST_ID_HEADER));
    c.set("requestId", id);
    c.set("logger", logger.child({ requestId: id }));
    await next();
    c.header(REQUEST_ID_HEADER, id);
  };
}
