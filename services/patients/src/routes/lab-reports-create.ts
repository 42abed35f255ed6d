import { PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { auditPhiRead, getPrincipal, type HttpApp, notFound } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { putUpload } from "../db/lab-queries.ts";
import { getPatient } from "../db/patient-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { assertChartAccess } from "./access.ts";
import { jsonBody, jsonResponse, PatientParams } from "./schemas.ts";
import { writingInput } from "./unstorable.ts";

/** Largest lab report accepted. */
export const MAX_REPORT_BYTES = 10 * 1024 * 1024;

const Body = z
  .strictObject({
    fileName: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .refine(
        (n) => ![...n].some((ch) => ch < " " || ch === "/" || ch === "\\"),
        "must be a plain file name",
      ),
    contentType: z.literal("application/pdf", { error: "only application/pdf is accepted" }),
    /** Optional: the file's exact size; when given, S3 refuses any other length. */
    size: z.int().min(1).max(MAX_REPORT_BYTES, `at most ${MAX_REPORT_BYTES} bytes`).optional(),
  })
  .openapi("LabReportUploadRequest");

const Response = z
  .object({ reportId: z.uuid(), key: z.string(), uploadUrl: z.url(), expiresAt: z.string() })
  .openapi("LabReportUpload");

const route = createRoute({
  method: "post",
  path: "/api/patients/{patientId}/lab-reports",
  summary: "A presigned S3 PUT for one lab report PDF (max 10 MiB)",
  request: { params: PatientParams, body: jsonBody(Body) },
  responses: { 201: jsonResponse(Response, "Where to PUT the PDF, until expiresAt") },
});

/**
 * POST /api/patients/{patientId}/lab-reports (the patient, their doctor) → 201 `{reportId, key,
 * uploadUrl, expiresAt}`. The URL signs `Content-Type: application/pdf` (and `Content-Length` when
 * `size` is given); the lab function rejects anything over 10 MiB or not a PDF either way.
 */
export function registerLabReportsCreate(app: HttpApp, deps: PatientsDeps): void {
  app.openapi(route, async (c) => {
    const { patientId } = c.req.valid("param");
    const body = c.req.valid("json");
    await assertChartAccess(c, deps, patientId, { admin: false });
    if (!(await getPatient(deps.store, patientId))) throw notFound();
    const reportId = Bun.randomUUIDv7();
    const key = `patients/${patientId}/${reportId}.pdf`;
    const uploadUrl = await getSignedUrl(
      deps.s3,
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        ContentType: "application/pdf",
        ...(body.size ? { ContentLength: body.size } : {}),
      }),
      {
        expiresIn: deps.uploadTtlSeconds,
        signableHeaders: new Set(body.size ? ["content-type", "content-length"] : ["content-type"]),
      },
    );
    const now = Date.now();
    const expiresAt = new Date(now + deps.uploadTtlSeconds * 1000).toISOString();
    await writingInput(() =>
      putUpload(deps.store, {
        reportId,
        patientId,
        key,
        fileName: body.fileName,
        issuedBy: getPrincipal(c).userId,
        issuedAt: new Date(now).toISOString(),
        expiresAt,
      }),
    );
    await auditPhiRead(c, deps.audit, { patientId, resource: "lab-report-upload", action: "create" });
    return c.json({ reportId, key, uploadUrl, expiresAt }, 201);
  });
}
