import {
  auditPhiRead,
  getPrincipal,
  type HttpApp,
  notFound,
  preconditionFailed,
  requireRole,
} from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { PatientsDeps } from "../deps.ts";
import { patientPatchSchema } from "../domain/patient.ts";
import { updatePatient } from "../domain/patient-commands.ts";
import { etagOf, versionFromIfMatch } from "./etag.ts";
import { jsonBody, jsonResponse, PatientSchema } from "./schemas.ts";
import { writingInput } from "./unstorable.ts";

const route = createRoute({
  method: "patch",
  path: "/api/patients/me",
  summary: "Change the signed-in patient's record (If-Match: version required)",
  request: { body: jsonBody(patientPatchSchema) },
  responses: { 200: jsonResponse(PatientSchema, "The record after the change") },
});

/** PATCH /api/patients/me (patient): partial fields + `If-Match` → 200 `patient`; 428 / 412 / 400. */
export function registerMePatch(app: HttpApp, deps: PatientsDeps): void {
  app.use(route.path, requireRole("patient"));
  app.openapi(route, async (c) => {
    const principal = getPrincipal(c);
    const expected = versionFromIfMatch(c.req.header("If-Match"));
    const patch = c.req.valid("json");
    const outcome = await writingInput(() =>
      updatePatient(deps.store, principal.userId, expected, patch, {
        userId: principal.userId,
        role: principal.role,
      }),
    );
    switch (outcome.kind) {
      case "not-found":
        throw notFound("Your patient record is being created; try again in a moment.");
      case "stale":
        throw preconditionFailed(`The record changed since version ${expected}; read it again and retry.`, {
          code: "version-mismatch",
        });
      case "updated":
      case "unchanged":
        await auditPhiRead(c, deps.audit, {
          patientId: principal.userId,
          resource: "patient",
          action: "update",
        });
        c.header("ETag", etagOf(outcome.record.version));
        return c.json(outcome.record, 200);
      default:
        return outcome satisfies never;
    }
  });
}
