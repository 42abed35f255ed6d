export * from "./bench.ts";
export * from "./dynamodb-harness.ts";
export * from "./dynamodb-local.ts";
export * from "./kafka-broker.ts";
export * from "./kafka-harness.ts";
export * from "./postgres-harness.ts";
export * from "./postgres-server.ts";
export * from "./repo.ts";
