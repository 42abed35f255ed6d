import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./principal.ts";

/** Name of the bearer-JWT security scheme in every document. */
export const BEARER_SCHEME = "bearerAuth";

/** `security` for a route that needs an access token (the document's default). */
export const bearerSecurity = [{ [BEARER_SCHEME]: [] }];
/** `security` for public routes (register, login, JWKS): overrides the document's default. */
export const noSecurity: Array<Record<string, string[]>> = [];

/** Where and how a service publishes its OpenAPI 3.1 document. */
export interface OpenApiOptions {
  /** `/api/<service>/openapi.json` */
  path: string;
  title: string;
  version: string;
  description?: string;
}

/**
 * Declares the bearer JWT scheme, required by default on every operation, and serves the OpenAPI
 * 3.1 document (generated on request, so routes registered later are included).
 */
export function registerOpenApi(app: OpenAPIHono<AppEnv>, options: OpenApiOptions): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.doc31(options.path, {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version, description: options.description },
    security: bearerSecurity,
  });
}
