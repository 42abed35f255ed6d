import {
  AppError,
  auditPhiRead,
  badRequest,
  conflict,
  type HttpApp,
  notFound,
  requireRole,
} from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import type { AlertRecord } from "../db/alert-queries.ts";
import { getResultForReport, getUpload, recordLabResult } from "../db/lab-queries.ts";
import { getPatient } from "../db/patient-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { alertFor } from "../domain/alert-rule.ts";
import type { LabResultRecord } from "../domain/fhir-bundle.ts";
import { jsonBody, jsonResponse, LabResultInput, LabResultSchema, PatientParams } from "./schemas.ts";
import { writingInput } from "./unstorable.ts";

const route = createRoute({
  method: "post",
  path: "/api/patients/internal/{patientId}/lab-results",
  summary: "Record a parsed lab report (role service: the lab function); idempotent on reportId",
  request: { params: PatientParams, body: jsonBody(LabResultInput) },
  responses: { 201: jsonResponse(LabResultSchema, "The lab result recorded for the report") },
});

const unknownReport = () =>
  new AppError({
    status: 422,
    code: "unknown-report",
    title: "Unprocessable Entity",
    detail: "No upload was issued for this report to this patient.",
  });

/**
 * POST /api/patients/internal/{patientId}/lab-results (service) → 201 `labResult`. Only reports
 * whose upload URL was issued to this patient are accepted (a forged key is a 422); the same
 * report again returns the result recorded the first time, and nothing is written twice.
 */
export function registerInternalLabResults(app: HttpApp, deps: PatientsDeps): void {
  app.use("/api/patients/internal/*", requireRole("service"));
  app.openapi(route, async (c) => {
    const { patientId } = c.req.valid("param");
    const input = c.req.valid("json");
    if (input.patientId !== patientId) {
      throw badRequest("The body's patientId differs from the path's.", {
        code: "validation-failed",
        errors: { patientId: "must equal the path's patientId" },
      });
    }
    if (Date.parse(input.collectedAt) > Date.parse(input.receivedAt) + 5 * 60_000) {
      throw badRequest("collectedAt is after receivedAt.", {
        code: "validation-failed",
        errors: { collectedAt: "must not be after receivedAt" },
      });
    }
    const reply = async (result: LabResultRecord) => {
      if (result.patientId !== patientId) throw conflict("This report was recorded for another patient.");
      await auditPhiRead(c, deps.audit, { patientId, resource: "lab-result", action: "create" });
      return c.json(result, 201);
    };
    const existing = await getResultForReport(deps.store, input.reportId);
    if (existing) return reply(existing);
    const [patient, upload] = await Promise.all([
      getPatient(deps.store, patientId),
      getUpload(deps.store, patientId, input.reportId),
    ]);
    if (!patient) throw notFound();
    if (!upload) throw unknownReport();
    const result: LabResultRecord = { id: Bun.randomUUIDv7(), ...input };
    const decision = alertFor(result);
    const alert: AlertRecord | null = decision
      ? {
          id: Bun.randomUUIDv7(),
          patientId,
          labResultId: result.id,
          severity: decision.severity,
          summary: decision.summary,
          status: "open",
          createdAt: new Date().toISOString(),
        }
      : null;
    const recorded = await writingInput(() => recordLabResult(deps.store, result, alert));
    return reply(recorded.result);
  });
}
