import { auditPhiRead, getPrincipal, type HttpApp, requireRole } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { type AlertRecord, alertSortKey, patientAlerts } from "../db/alert-queries.ts";
import { careTeamPatients } from "../db/care-team-queries.ts";
import type { PatientsDeps } from "../deps.ts";
import { AlertSchema, cursors, jsonResponse, listOf, PageQuery } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/patients/alerts",
  summary: "Alerts of the doctor's care-team patients, newest first",
  request: { query: PageQuery.extend({ status: z.enum(["open", "acknowledged"]).optional() }) },
  responses: { 200: jsonResponse(listOf(AlertSchema, "AlertList"), "Alerts") },
});

type Position = { createdAt: string; id: string };
const isPosition = (v: unknown): v is Position =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Position).createdAt === "string" &&
  typeof (v as Position).id === "string";

/** Newest first; ties by id, descending. */
const newestFirst = (a: Position, b: Position) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

/**
 * GET /api/patients/alerts (doctor) `?status=` → `{items:[alert], nextCursor}` for their patients.
 * A page is a merge of per-patient index queries, each reading only the newest `limit + 1` alerts
 * after the cursor (not every alert): cost = the doctor's care links + P × (limit + 1) items for P
 * care-team patients (with `status`, alerts of the other status are read past as well).
 */
export function registerAlertsList(app: HttpApp, deps: PatientsDeps): void {
  app.use(route.path, requireRole("doctor"));
  app.openapi(route, async (c) => {
    const { limit, cursor, status } = c.req.valid("query");
    const after = cursors.decode(cursor, isPosition);
    const patients = await careTeamPatients(deps.store, getPrincipal(c).userId);
    const before = after ? alertSortKey(after) : undefined;
    const pages = await Promise.all(
      patients.map((p) => patientAlerts(deps.store, p, { count: limit + 1, status, before })),
    );
    // Each page is newest first and holds that patient's next limit + 1: the merge's first
    // limit + 1 are the page (and whether there is more).
    const sorted = pages.flat().sort(newestFirst);
    const items: AlertRecord[] = sorted.slice(0, limit);
    // One audit record per patient whose data is in the response.
    for (const patientId of new Set(items.map((a) => a.patientId))) {
      await auditPhiRead(c, deps.audit, { patientId, resource: "alerts" });
    }
    const last = items.at(-1);
    return c.json(
      {
        items,
        nextCursor:
          sorted.length > limit && last ? cursors.encode({ createdAt: last.createdAt, id: last.id }) : null,
      },
      200,
    );
  });
}
