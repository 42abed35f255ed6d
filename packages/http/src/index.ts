export { type AccessRule, assertAccess, requireRole } from "./access.ts";
export { createHttpApp, DEFAULT_BODY_LIMIT_BYTES, type HttpApp, type HttpAppOptions } from "./app.ts";
export {
  type AuditAction,
  type AuditRecord,
  type AuditSink,
  auditPhiRead,
  memoryAuditSink,
  type PhiAccess,
  phiAuditRecord,
} from "./audit.ts";
export { handleError, handleNotFound, toAppError, validationHook, zodFieldErrors } from "./error-handler.ts";
export {
  AppError,
  type AppErrorExtras,
  type AppErrorOptions,
  badRequest,
  conflict,
  errorForStatus,
  forbidden,
  internalError,
  notFound,
  payloadTooLarge,
  preconditionFailed,
  preconditionRequired,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unprocessable,
  unsupportedMediaType,
} from "./errors.ts";
export { type CheckResult, checkReadiness, type ReadinessCheck, type ReadinessReport } from "./health.ts";
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  type IdempotencyOptions,
  idempotency,
} from "./idempotency.ts";
export {
  type IdempotencyStore,
  type MemoryIdempotencyStoreOptions,
  memoryIdempotencyStore,
  type ReserveResult,
  type StoredResponse,
} from "./idempotency-store.ts";
export {
  BEARER_CHALLENGE,
  createJwtVerifier,
  invalidToken,
  type JwtKeySource,
  type JwtVerifier,
  type JwtVerifierOptions,
} from "./jwt-verifier.ts";
export { type CreateLoggerOptions, createLogger } from "./logger.ts";
export { type CompositeReadiness, mountAll } from "./mount-all.ts";
export { BEARER_SCHEME, bearerSecurity, noSecurity, type OpenApiOptions } from "./openapi.ts";
export type { AppEnv, Principal, Role } from "./principal.ts";
export { ROLES } from "./principal.ts";
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  type Problem,
  ProblemSchema,
  problemJson,
  problemResponse,
  toProblem,
} from "./problem.ts";
export { REQUEST_ID_HEADER, resolveRequestId } from "./request-id.ts";
export { type AuthedAppEnv, getPrincipal, requireAuth } from "./require-auth.ts";
export { routePattern, UNMATCHED_ROUTE } from "./route-pattern.ts";
export { type FetchApp, type ServeHandle, type ServeOptions, serve } from "./serve.ts";
