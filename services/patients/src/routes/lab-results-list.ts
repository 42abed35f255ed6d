import { auditPhiRead, type HttpApp } from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import { listLabResults } from "../db/lab-queries.ts";
import { keys } from "../db/table.ts";
import type { PatientsDeps } from "../deps.ts";
import { assertChartAccess } from "./access.ts";
import { cursors, jsonResponse, LabResultSchema, listOf, PageQuery, PatientParams } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/patients/{patientId}/lab-results",
  summary: "A patient's lab results, newest first",
  request: { params: PatientParams, query: PageQuery },
  responses: { 200: jsonResponse(listOf(LabResultSchema, "LabResultList"), "Lab results") },
});

const isSortKey = (v: unknown): v is { sk: string } =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { sk: unknown }).sk === "string" &&
  (v as { sk: string }).sk.startsWith(keys.labPrefix);

/** GET /api/patients/{patientId}/lab-results (the patient, their doctor) → `{items, nextCursor}`. */
export function registerLabResultsList(app: HttpApp, deps: PatientsDeps): void {
  app.openapi(route, async (c) => {
    const { patientId } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    await assertChartAccess(c, deps, patientId, { admin: false });
    const after = cursors.decode(cursor, isSortKey)?.sk;
    const page = await listLabResults(deps.store, patientId, { limit, after });
    await auditPhiRead(c, deps.audit, { patientId, resource: "lab-results" });
    return c.json(
      { items: page.items, nextCursor: page.next ? cursors.encode({ sk: page.next }) : null },
      200,
    );
  });
}
