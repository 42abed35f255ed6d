interface ServerError {
  code: string;
  constraint?: string; // PGlite (pg-protocol)
  constraint_name?: string; // postgres.js
}

// The error PostgreSQL raised, wherever it sits: postgres.js throws a PostgresError, PGlite a
// DatabaseError (both carry `code` and `severity`; a bare `code` may be a socket error such as
// EPIPE), and drizzle wraps either in a DrizzleQueryError whose `cause` is the original.
function serverError(error: unknown): ServerError | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth++) {
    const candidate = current as { code?: unknown; severity?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && typeof candidate.severity === "string") {
      return candidate as ServerError;
    }
    current = candidate.cause;
  }
  return undefined;
}

/** The SQLSTATE of a PostgreSQL error (either driver, wrapped by drizzle or not), else undefined. */
export function pgErrorCode(error: unknown): string | undefined {
  return serverError(error)?.code;
}

/** The name of the constraint a PostgreSQL error reports, if any. */
export function pgErrorConstraint(error: unknown): string | undefined {
  const found = serverError(error);
  return found?.constraint_name ?? found?.constraint ?? undefined;
}

/** SQLSTATE 23505: a unique or primary-key constraint rejected the row. */
export const isUniqueViolation = (error: unknown): boolean => pgErrorCode(error) === "23505";

/** SQLSTATE 23P01: an EXCLUDE constraint (e.g. overlapping bookings) rejected the row. */
export const isExclusionViolation = (error: unknown): boolean => pgErrorCode(error) === "23P01";

/** SQLSTATE 40001 / 40P01: the transaction lost a serialization conflict or a deadlock; retry it. */
export const isSerializationFailure = (error: unknown): boolean => {
  const code = pgErrorCode(error);
  return code === "40001" || code === "40P01";
};
