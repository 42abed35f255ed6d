import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { AppError, badRequest, errorForStatus, internalError, notFound } from "./errors.ts";
import type { AppEnv } from "./principal.ts";
import { problemJson } from "./problem.ts";

/** Maps every thrown error to `application/problem+json`, once, for the whole app. */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  const error = toAppError(err);
  const log = c.get("logger");
  if (error.status >= 500) {
    // Unknown errors keep their stack in the log and nowhere else.
    log?.error({ err: error.cause ?? err, code: error.code, retriable: error.retriable }, "request failed");
  } else if (!(err instanceof AppError)) {
    log?.debug({ code: error.code, detail: error.detail }, "request rejected");
  }
  return problemJson(error, c.get("requestId") ?? "unknown");
};

/** Unknown route → 404 problem. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemJson(notFound(`No route for ${c.req.method} ${c.req.path}`), c.get("requestId") ?? "unknown");

/** Normalises anything thrown into an {@link AppError}; unknown errors become a generic 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    // Hono's own exceptions (malformed JSON, unsupported media type, body limit) carry safe messages.
    return errorForStatus(err.status, err.status < 500 ? err.message || undefined : undefined, err);
  }
  return internalError(undefined, { cause: err });
}

/** Turns a zod error into `{ "insurance.planId": "message" }`; a root-level issue is keyed by its target. */
export function zodFieldErrors(error: ZodError, target = "body"): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : target;
    errors[key] ??= issue.message;
  }
  return errors;
}

const TARGET_NAMES: Record<string, string> = { json: "body", form: "body", param: "path", header: "headers" };

/** `defaultHook` for `OpenAPIHono`: a failed validation throws a 400 with field errors. */
export function validationHook(
  result: { target: string } & ({ success: true } | { success: false; error: ZodError }),
  _c: Context,
): void {
  if (result.success) return;
  const target = TARGET_NAMES[result.target] ?? result.target;
  throw badRequest(`The request ${target} failed validation.`, {
    code: "validation-failed",
    errors: zodFieldErrors(result.error, target),
  });
}

/**
 * Catches what Hono's compose lets through (values thrown that are not `Error`s) so that even those
 * end as a problem response that is logged and measured.
 */
export const errorBoundary: MiddlewareHandler<AppEnv> = async (c, next) => {
  try {
    await next();
  } catch (err) {
    c.res = await handleError(err instanceof Error ? err : new Error(String(err)), c);
  }
};
