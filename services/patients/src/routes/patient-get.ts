import { auditPhiRead, type HttpApp, notFound } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { PatientsDeps } from "../deps.ts";
import { assertChartAccess } from "./access.ts";
import { etagOf } from "./etag.ts";
import { jsonResponse, PatientParams, PatientSchema } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/patients/{patientId}",
  summary: "A patient's record (the patient, their care team's doctors, admins)",
  request: { params: PatientParams },
  responses: { 200: jsonResponse(PatientSchema, "The patient record") },
});

/** GET /api/patients/{patientId} → `patient`; 404 for callers outside the chart's circle. */
export function registerPatientGet(app: HttpApp, deps: PatientsDeps): void {
  app.openapi(route, async (c) => {
    const { patientId } = c.req.valid("param");
    // The care-team check and the read in parallel; the record is only used once access is granted.
    // The read joins concurrent requests' reads in one BatchGetItem sent after this request asked.
    const [, record] = await Promise.all([
      assertChartAccess(c, deps, patientId, { admin: true }),
      deps.patients.get(patientId),
    ]);
    if (!record) throw notFound();
    await auditPhiRead(c, deps.audit, { patientId, resource: "patient" });
    c.header("ETag", etagOf(record.version));
    return c.json(record, 200);
  });
}
