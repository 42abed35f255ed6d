import { expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { createHttpApp } from "./app.ts";
import { noSecurity } from "./openapi.ts";
import { problemResponse } from "./problem.ts";
import { captureLogger } from "./test-support.ts";

interface Document {
  openapi: string;
  info: { title: string; version: string };
  security: unknown[];
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

test("serves an OpenAPI 3.1 document with the bearer JWT scheme and later-registered routes", async () => {
  const app = createHttpApp({
    service: "patients",
    logger: captureLogger().logger,
    openapi: { path: "/api/patients/openapi.json", title: "Carebridge patients", version: "1.2.0" },
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/patients/{patientId}",
      request: { params: z.object({ patientId: z.uuid() }) },
      responses: {
        200: {
          description: "the patient",
          content: { "application/json": { schema: z.object({ id: z.uuid() }) } },
        },
        404: problemResponse("no such patient"),
      },
    }),
    (c) => c.json({ id: c.req.valid("param").patientId }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/patients/public",
      security: noSecurity,
      responses: { 204: { description: "x" } },
    }),
    (c) => c.body(null, 204),
  );

  const res = await app.request("/api/patients/openapi.json");
  expect(res.status).toBe(200);
  const doc = (await res.json()) as Document;
  expect(doc.openapi).toBe("3.1.0");
  expect(doc.info).toMatchObject({ title: "Carebridge patients", version: "1.2.0" });
  expect(doc.components.securitySchemes.bearerAuth).toEqual({
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  expect(doc.security).toEqual([{ bearerAuth: [] }]);
  expect(doc.paths["/api/patients/{patientId}"]?.get?.responses["404"]).toEqual({
    description: "no such patient",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  });
  expect(doc.components.schemas.Problem).toBeDefined();
  expect(doc.paths["/api/patients/public"]?.get?.security).toEqual([]);
});

test("no document is served unless configured", async () => {
  const app = createHttpApp({ service: "x", logger: captureLogger().logger });
  expect((await app.request("/api/x/openapi.json")).status).toBe(404);
});
