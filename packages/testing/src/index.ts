export * from "./bench.ts";
export * from "./kafka-broker.ts";
export * from "./kafka-harness.ts";
export * from "./repo.ts";
