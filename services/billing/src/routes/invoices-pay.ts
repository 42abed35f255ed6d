import {
  assertAccess,
  getPrincipal,
  type HttpApp,
  idempotency,
  notFound,
  requireAuth,
  requireRole,
} from "@carebridge/http";
import { createRoute, z } from "@hono/zod-openapi";
import { findInvoice, toInvoice } from "../db/invoice-queries.ts";
import type { BillingDeps } from "../deps.ts";
import { payInvoice } from "../domain/pay-invoice.ts";
import { InvoiceIdParams, InvoiceSchema, jsonBody, jsonResponse } from "./schemas.ts";

const Body = z.object({
  amountCents: z.int().positive(),
  method: z.literal("card"),
});

const route = createRoute({
  method: "post",
  path: "/api/invoices/{id}/pay",
  summary: "Pay the open balance of one's invoice by card (Idempotency-Key required)",
  request: {
    params: InvoiceIdParams,
    headers: z.object({ "idempotency-key": z.string().min(1).max(255) }),
    body: jsonBody(Body),
  },
  responses: { 200: jsonResponse(InvoiceSchema, "The paid invoice") },
});

/**
 * POST /api/invoices/{id}/pay (its patient) → 200 invoice. Amount ≠ open balance or ≤ 0 → 400;
 * paid or void → 409; declined → 402; a repeat with the same Idempotency-Key replays the answer.
 */
export function registerPayInvoice(app: HttpApp, deps: BillingDeps): void {
  app.use(
    route.getRoutingPath(),
    requireAuth(deps.verifier),
    requireRole("patient"),
    idempotency(deps.idempotencyStore, { required: true }),
  );
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const invoice = await findInvoice(deps.database.db, id);
    if (!invoice) throw notFound("No such invoice.");
    assertAccess(getPrincipal(c), { ownerUserId: invoice.patientId, deny: "not-found" });
    const paid = await payInvoice(deps, invoice, body.amountCents);
    return c.json(toInvoice(paid), 200);
  });
}
