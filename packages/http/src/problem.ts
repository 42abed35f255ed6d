import { z } from "@hono/zod-openapi";
import type { AppError } from "./errors.ts";

/** Base of every problem `type` URI. */
export const PROBLEM_TYPE_BASE = "https://carebridge.dev/problems/";
/** Media type of error bodies (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem body as this platform sends it. */
export const ProblemSchema = z
  .object({
    type: z.url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.record(z.string(), z.string()).optional(),
    requestId: z.string(),
  })
  .openapi("Problem");

/** An RFC 9457 problem body. */
export type Problem = z.infer<typeof ProblemSchema>;

/** Ready-made OpenAPI `responses` entry for a problem status, e.g. `{ 404: problemResponse("Not found") }`. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
}

/** The problem body for an error. */
export function toProblem(error: AppError, requestId: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail ?? error.title,
    ...(error.errors ? { errors: error.errors } : {}),
    requestId,
  };
}

/** An `application/problem+json` response for an error, with the error's headers. */
export function problemJson(error: AppError, requestId: string): Response {
  const headers = new Headers(error.headers);
  headers.set("Content-Type", PROBLEM_CONTENT_TYPE);
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(toProblem(error, requestId)), { status: error.status, headers });
}
