export * from "./connect-postgres.ts";
export * from "./database-admin.ts";
export * from "./idempotency-store.ts";
export * from "./migrate-platform.ts";
export * from "./open-pglite.ts";
export * from "./pg-errors.ts";
export * from "./platform-schema.ts";
export * from "./types.ts";
