import { auditPhiRead, getPrincipal, type HttpApp, notFound, requireRole } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import { getPatient } from "../db/patient-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { etagOf } from "./etag.ts";
import { jsonResponse, PatientSchema } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/patients/me",
  summary: "The signed-in patient's record (ETag: its version)",
  responses: { 200: jsonResponse(PatientSchema, "The caller's patient record") },
});

/** GET /api/patients/me (patient) → `patient` with `ETag`. */
export function registerMeGet(app: HttpApp, deps: PatientsDeps): void {
  app.use(route.path, requireRole("patient"));
  app.openapi(route, async (c) => {
    const { userId } = getPrincipal(c);
    const record = await getPatient(deps.store, userId);
    if (!record) throw notFound("Your patient record is being created; try again in a moment.");
    await auditPhiRead(c, deps.audit, { patientId: userId, resource: "patient" });
    c.header("ETag", etagOf(record.version));
    return c.json(record, 200);
  });
}
