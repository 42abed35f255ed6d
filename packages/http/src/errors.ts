/** Everything needed to build an {@link AppError}. */
export interface AppErrorOptions {
  /** Stable slug; becomes the problem `type` URI (`https://carebridge.dev/problems/<code>`). */
  code: string;
  status: number;
  title: string;
  detail?: string;
  /** Field path (dot-joined) → message, on validation failures. */
  errors?: Record<string, string>;
  /** Whether the same request may succeed later (infrastructure errors). */
  retriable?: boolean;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error type of the platform; `onError` maps it to `application/problem+json`. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: Record<string, string> | undefined;
  readonly retriable: boolean;
  readonly headers: Record<string, string>;

  constructor(options: AppErrorOptions) {
    super(
      options.detail ?? options.title,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "AppError";
    this.code = options.code;
    this.status = options.status;
    this.title = options.title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.retriable = options.retriable ?? false;
    this.headers = options.headers ?? {};
  }
}

/** Optional refinements accepted by every helper: a more specific `code`, field errors, headers, cause. */
export type AppErrorExtras = Partial<
  Pick<AppErrorOptions, "code" | "errors" | "headers" | "cause" | "retriable">
>;

const make =
  (status: number, code: string, title: string, retriable = false) =>
  (detail?: string, extras: AppErrorExtras = {}): AppError =>
    new AppError({ status, code, title, detail, retriable, ...extras });

/** 400: the request is malformed or fails validation. */
export const badRequest = make(400, "bad-request", "Bad Request");
/** 401: missing or invalid credentials. */
export const unauthorized = make(401, "unauthorized", "Unauthorized");
/** 403: authenticated, but not allowed. */
export const forbidden = make(403, "forbidden", "Forbidden");
/** 404: no such resource (also used where existence itself is PHI). */
export const notFound = make(404, "not-found", "Not Found");
/** 409: conflicts with the current state (taken slot, duplicate email, request in progress). */
export const conflict = make(409, "conflict", "Conflict");
/** 412: `If-Match` does not match the current version. */
export const preconditionFailed = make(412, "precondition-failed", "Precondition Failed");
/** 413: the body exceeds the size limit. */
export const payloadTooLarge = make(413, "payload-too-large", "Payload Too Large");
/** 415: the body is not in a media type the route accepts. */
export const unsupportedMediaType = make(415, "unsupported-media-type", "Unsupported Media Type");
/** 422: well-formed but semantically unacceptable (e.g. an idempotency key reused with another body). */
export const unprocessable = make(422, "unprocessable-entity", "Unprocessable Entity");
/** 428: the route requires a precondition header (`If-Match`, `Idempotency-Key`). */
export const preconditionRequired = make(428, "precondition-required", "Precondition Required");

/** 429 with `Retry-After` (whole seconds, at least 1). */
export const tooManyRequests = (retryAfterSeconds: number, detail?: string, extras: AppErrorExtras = {}) =>
  new AppError({
    status: 429,
    code: "too-many-requests",
    title: "Too Many Requests",
    detail,
    retriable: true,
    ...extras,
    headers: { ...extras.headers, "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

/** 503: a dependency is unavailable; retriable. */
export const serviceUnavailable = make(503, "service-unavailable", "Service Unavailable", true);

/** 500 for errors the code did not anticipate; the body never carries their message. */
export const internalError = make(500, "internal", "Internal Server Error");

const STATUS_TITLES: Record<number, [code: string, title: string]> = {
  400: ["bad-request", "Bad Request"],
  401: ["unauthorized", "Unauthorized"],
  403: ["forbidden", "Forbidden"],
  404: ["not-found", "Not Found"],
  405: ["method-not-allowed", "Method Not Allowed"],
  408: ["request-timeout", "Request Timeout"],
  409: ["conflict", "Conflict"],
  411: ["length-required", "Length Required"],
  412: ["precondition-failed", "Precondition Failed"],
  413: ["payload-too-large", "Payload Too Large"],
  415: ["unsupported-media-type", "Unsupported Media Type"],
  422: ["unprocessable-entity", "Unprocessable Entity"],
  428: ["precondition-required", "Precondition Required"],
  429: ["too-many-requests", "Too Many Requests"],
  503: ["service-unavailable", "Service Unavailable"],
};

/** An {@link AppError} for a bare HTTP status (used for Hono's `HTTPException`s). */
export function errorForStatus(status: number, detail?: string, cause?: unknown): AppError {
  if (status >= 500 && status !== 503) return internalError(undefined, { cause });
  const [code, title] = STATUS_TITLES[status] ?? ["error", "Error"];
  return new AppError({ status, code, title, detail, cause, retriable: status === 503 });
}
