import { INVOICE_STATUSES } from "@carebridge/contracts";
import { z } from "@hono/zod-openapi";

/** `invoice` in responses. */
export const InvoiceSchema = z
  .object({
    id: z.uuid(),
    appointmentId: z.uuid(),
    patientId: z.uuid(),
    status: z.enum(INVOICE_STATUSES),
    currency: z.string(),
    lines: z.array(z.object({ description: z.string(), amountCents: z.int() })),
    totalCents: z.int(),
    insuranceCoveredCents: z.int(),
    patientDueCents: z.int(),
    paidCents: z.int(),
    refundedCents: z.int().openapi({
      description:
        "Paid, then owed back to the patient because the amount due dropped (a late-cancellation fee, a void); refunded to the card.",
    }),
    issuedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Invoice");

/** `{id}` path parameter. */
export const InvoiceIdParams = z.object({ id: z.uuid() });

/** A JSON request body (validated only because it is required). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
