import {
  assertAccess,
  auditPhiRead,
  getPrincipal,
  type HttpApp,
  notFound,
  requireAuth,
  requireRole,
} from "@carebridge/http";
import { createRoute } from "@hono/zod-openapi";
import { findInvoice, toInvoice } from "../db/invoice-queries.ts";
import type { BillingDeps } from "../deps.ts";
import { InvoiceIdParams, InvoiceSchema, jsonResponse } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/invoices/{id}",
  summary: "One invoice (its patient, admin)",
  request: { params: InvoiceIdParams },
  responses: { 200: jsonResponse(InvoiceSchema, "The invoice") },
});

/** GET /api/invoices/{id} → invoice; another patient's invoice is 404 (its existence is PHI). */
export function registerGetInvoice(app: HttpApp, deps: BillingDeps): void {
  app.use(route.getRoutingPath(), requireAuth(deps.verifier), requireRole("patient", "admin"));
  app.openapi(route, async (c) => {
    const row = await findInvoice(deps.database.db, c.req.valid("param").id);
    if (!row) throw notFound("No such invoice.");
    assertAccess(getPrincipal(c), { ownerUserId: row.patientId, allowRoles: ["admin"], deny: "not-found" });
    await auditPhiRead(c, deps.audit, { patientId: row.patientId, resource: "invoice" });
    return c.json(toInvoice(row), 200);
  });
}
