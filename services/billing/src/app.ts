import { createHttpApp, type HttpApp } from "@carebridge/http";
import { sql } from "drizzle-orm";
import type { BillingDeps } from "./deps.ts";
import { registerGetInvoice } from "./routes/invoices-get.ts";
import { registerListInvoices } from "./routes/invoices-list.ts";
import { registerPayInvoice } from "./routes/invoices-pay.ts";

/** The billing service's Hono app over `deps`; no I/O until a request arrives. */
export function createApp(deps: BillingDeps): HttpApp {
  const app = createHttpApp({
    service: "billing",
    logger: deps.logger,
    readiness: {
      postgres: async () => {
        await deps.database.query(sql`SELECT 1`);
      },
    },
    openapi: { path: "/api/billing/openapi.json", title: "Carebridge billing", version: "1.0.0" },
  });
  registerListInvoices(app, deps);
  registerGetInvoice(app, deps);
  registerPayInvoice(app, deps);
  return app;
}
