import { APPOINTMENT_STATUSES } from "@carebridge/contracts";
import { badRequest, forbidden, type Principal, type Role } from "@carebridge/http";
import { z } from "@hono/zod-openapi";
import { isSaneInstantMs, isStorableText } from "../domain/text.ts";

/**
 * Every text the service accepts (bodies, query parameters, decoded cursors): no NUL and no lone
 * surrogate, which PostgreSQL cannot store. Chain `.trim()`, `.min()`, `.max()` after it.
 */
export const Text = () =>
  z.string().refine(isStorableText, "must not contain NUL characters or lone surrogates");

/**
 * An RFC 3339 UTC instant (`2026-11-23T09:00:00Z`) in years 1900–2199; impossible dates and
 * instants outside that window are refused (date arithmetic on them would overflow).
 */
export const Instant = z.iso
  .datetime({ offset: false, local: false })
  .refine((s) => isSaneInstantMs(Date.parse(s)), "must be in the years 1900 to 2199")
  .openapi({ example: "2026-11-23T09:00:00Z" });

/** Epoch milliseconds in years 1900–2199, as list cursors carry them. */
export const EpochMs = z.number().int().refine(isSaneInstantMs, "out of range");

/** `appointment` in responses. */
export const AppointmentSchema = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    doctorId: z.uuid(),
    specialty: z.string(),
    start: Instant,
    end: Instant,
    mode: z.enum(["in-person", "telehealth"]),
    reason: z.string().nullable(),
    status: z.enum(APPOINTMENT_STATUSES),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .openapi("Appointment");

/** `doctor` in responses. */
export const DoctorSchema = z
  .object({ id: z.uuid(), name: z.string(), specialty: z.string().nullable(), timeZone: z.string() })
  .openapi("Doctor");

/** `{ id }` path parameters. */
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
/** `{ doctorId }` path parameters. */
export const DoctorIdParam = z.object({
  doctorId: z.uuid().openapi({ param: { name: "doctorId", in: "path" } }),
});

/** `?limit=&cursor=` of every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Text().max(512).optional(),
});

/** Encodes a list position for `nextCursor`. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Decodes a `?cursor=` with `schema`; 400 when it is not one of ours. */
export function decodeCursor<T extends z.ZodType>(
  cursor: string | undefined,
  schema: T,
): z.infer<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString()));
    if (parsed.success) return parsed.data;
  } catch {}
  throw badRequest("The cursor is not valid.", { code: "invalid-cursor", errors: { cursor: "invalid" } });
}

/** The longest range a slot query may span. */
export const MAX_RANGE_DAYS = 31;

/** Checks `from < to` and a span of at most {@link MAX_RANGE_DAYS}; returns epoch ms. */
export function parseRange(from: string, to: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (toMs <= fromMs)
    throw badRequest("`to` must be after `from`.", { errors: { to: "must be after from" } });
  if (toMs - fromMs > MAX_RANGE_DAYS * 24 * 60 * 60 * 1000) {
    throw badRequest(`A range may span at most ${MAX_RANGE_DAYS} days.`, {
      code: "range-too-large",
      errors: { to: `at most ${MAX_RANGE_DAYS} days after from` },
    });
  }
  return { fromMs, toMs };
}

/** 403 unless the caller holds one of `roles`. */
export function requireOneOf(principal: Principal, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) throw forbidden(`This requires the role ${roles.join(" or ")}.`);
}

/** A JSON request body (required, so @hono/zod-openapi validates it). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** `{items, nextCursor}`. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
