import { INVOICE_STATUSES } from "@carebridge/contracts";
import { auditPhiRead, getPrincipal, type HttpApp, requireAuth, requireRole } from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { listInvoices, toInvoice } from "../db/invoice-queries.ts";
import type { BillingDeps } from "../deps.ts";
import { InvoiceSchema, jsonResponse } from "./schemas.ts";

const Query = z.object({
  status: z.enum(INVOICE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.uuid().optional(),
});

const route = createRoute({
  method: "get",
  path: "/api/invoices",
  summary: "Invoices, newest first: a patient's own; every invoice for an admin",
  request: { query: Query },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(InvoiceSchema), nextCursor: z.string().nullable() }),
      "One page of invoices",
    ),
  },
});

/** GET /api/invoices (patient: own; admin: all) → {items, nextCursor}. */
export function registerListInvoices(app: HttpApp, deps: BillingDeps): void {
  app.use(route.path, requireAuth(deps.verifier), requireRole("patient", "admin"));
  app.openapi(route, async (c) => {
    const principal = getPrincipal(c);
    const query = c.req.valid("query");
    const rows = await listInvoices(deps.database.db, {
      patientId: principal.role === "admin" ? undefined : principal.userId,
      status: query.status,
      limit: query.limit,
      after: query.cursor,
    });
    const page = rows.slice(0, query.limit);
    // One audit record per patient whose invoices are served.
    for (const patientId of new Set(page.map((r) => r.patientId))) {
      await auditPhiRead(c, deps.audit, { patientId, resource: "invoices" });
    }
    const nextCursor = rows.length > query.limit ? (page.at(-1)?.id ?? null) : null;
    return c.json({ items: page.map(toInvoice), nextCursor }, 200);
  });
}
