import { expect, test } from "bun:test";
import { DrizzleQueryError } from "drizzle-orm";
import { isExclusionViolation, isUniqueViolation, pgErrorCode, pgErrorConstraint } from "./pg-errors.ts";

// The shapes the drivers throw (see the .int tests for the real ones).
const postgresJs = Object.assign(new Error("duplicate key"), {
  name: "PostgresError",
  severity: "ERROR",
  code: "23505",
  constraint_name: "outbox_event_id_unique",
});
const pglite = Object.assign(new Error("conflicting key value"), {
  severity: "ERROR",
  code: "23P01",
  constraint: "bookings_no_overlap",
});

test("reads SQLSTATE and constraint from either driver, bare or wrapped by drizzle", () => {
  expect(isUniqueViolation(postgresJs)).toBe(true);
  expect(isUniqueViolation(new DrizzleQueryError("insert …", [], postgresJs))).toBe(true);
  expect(pgErrorConstraint(new DrizzleQueryError("insert …", [], postgresJs))).toBe("outbox_event_id_unique");
  expect(isExclusionViolation(pglite)).toBe(true);
  expect(isExclusionViolation(new Error("outer", { cause: new DrizzleQueryError("q", [], pglite) }))).toBe(
    true,
  );
  expect(pgErrorConstraint(pglite)).toBe("bookings_no_overlap");
});

test("connection errors and non-errors carry no SQLSTATE", () => {
  const epipe = Object.assign(new Error("broken pipe"), { code: "EPIPE" });
  for (const value of [epipe, new Error("x"), null, undefined, "23505", { code: "23505" }]) {
    expect(pgErrorCode(value)).toBeUndefined();
    expect(isUniqueViolation(value)).toBe(false);
  }
});
