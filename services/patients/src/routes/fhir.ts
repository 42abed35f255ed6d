import { auditPhiRead, type HttpApp, notFound } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { listLabResults } from "../db/lab-queries.ts";
import { getPatient } from "../db/patient-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { type LabResultRecord, toFhirBundle } from "../domain/fhir-bundle.ts";
import { assertChartAccess } from "./access.ts";
import { PatientParams } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/patients/{patientId}/fhir",
  summary: "The patient's record and lab results as a FHIR R4 Bundle (collection)",
  request: { params: PatientParams },
  responses: {
    200: {
      description: "FHIR R4 Bundle with Patient, Observation and DiagnosticReport resources",
      content: { "application/json": { schema: z.looseObject({ resourceType: z.literal("Bundle") }) } },
    },
  },
});

/** GET /api/patients/{patientId}/fhir (as GET /{patientId}) → FHIR R4 `Bundle`. */
export function registerFhir(app: HttpApp, deps: PatientsDeps): void {
  app.openapi(route, async (c) => {
    const { patientId } = c.req.valid("param");
    await assertChartAccess(c, deps, patientId, { admin: true });
    const patient = await getPatient(deps.store, patientId);
    if (!patient) throw notFound();
    const labResults: LabResultRecord[] = [];
    let after: string | undefined;
    do {
      const page = await listLabResults(deps.store, patientId, { limit: 200, after });
      labResults.push(...page.items);
      after = page.next ?? undefined;
    } while (after);
    const bundle = toFhirBundle({ patient, labResults });
    await auditPhiRead(c, deps.audit, { patientId, resource: "fhir-bundle", action: "export" });
    return c.json(bundle as unknown as { resourceType: "Bundle" }, 200);
  });
}
