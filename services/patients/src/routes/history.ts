import { auditPhiRead, type HttpApp, notFound } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { listEvents } from "../db/patient-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { assertChartAccess } from "./access.ts";
import { cursors, jsonResponse, listOf, PageQuery, PatientParams } from "./schemas.ts";

const HistoryItem = z
  .object({
    type: z.string(),
    occurredAt: z.string(),
    actor: z.object({ userId: z.string().nullable(), role: z.string() }),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("PatientHistoryItem");

const route = createRoute({
  method: "get",
  path: "/api/patients/{patientId}/history",
  summary: "Every change to the record, oldest first (the event log)",
  request: { params: PatientParams, query: PageQuery },
  responses: { 200: jsonResponse(listOf(HistoryItem, "PatientHistory"), "The record's events") },
});

const isSeq = (v: unknown): v is { after: number } =>
  typeof v === "object" &&
  v !== null &&
  Number.isInteger((v as { after: unknown }).after) &&
  (v as { after: number }).after > 0;

/** GET /api/patients/{patientId}/history → `{items:[{type, occurredAt, actor, data}], nextCursor}`. */
export function registerHistory(app: HttpApp, deps: PatientsDeps): void {
  app.openapi(route, async (c) => {
    const { patientId } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    await assertChartAccess(c, deps, patientId, { admin: true });
    const after = cursors.decode(cursor, isSeq)?.after;
    const page = await listEvents(deps.store, patientId, { limit, after });
    if (page.events.length === 0 && after === undefined) throw notFound();
    await auditPhiRead(c, deps.audit, { patientId, resource: "patient-history" });
    const last = page.events.at(-1);
    return c.json(
      {
        items: page.events.map(({ type, occurredAt, actor, data }) => ({ type, occurredAt, actor, data })),
        nextCursor: page.hasMore && last ? cursors.encode({ after: last.seq }) : null,
      },
      200,
    );
  });
}
