export * from "./demo.ts";
export * from "./embedded.ts";
export * from "./s3-event.ts";
