export * from "../test-support.ts";
export * from "./test-issuer.ts";
