import type { ParsedAnalyte } from "./parser.ts";
import type { Fetch, TokenProvider } from "./token-provider.ts";

/** The contract's `labResult` without `id`: what the function posts. */
export interface NewLabResult {
  reportId: string;
  patientId: string;
  collectedAt: string;
  receivedAt: string;
  analytes: ParsedAnalyte[];
}

/** How the patients service answered. `rejected`: the result itself is bad (quarantine it). */
export type PostOutcome =
  | { kind: "recorded"; status: number; labResultId: string | null }
  | { kind: "rejected"; status: number; detail: string };

/** The call failed for reasons that are not the file's: the invocation should be retried. */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
}

/** Statuses that say "not now" or "not you" rather than "this result is bad". */
const RETRY_STATUSES = new Set([401, 403, 408, 425, 429]);

/**
 * `POST {patientsUrl}/api/patients/internal/{patientId}/lab-results` with a service token.
 * A 401 refreshes the token once. 2xx → recorded (a repeat answers with the first result); other
 * 4xx (400 invalid, 404 no such patient, 409 report id of another patient, 422 no upload issued)
 * → rejected; 5xx, network errors, 401/403/408/429 → {@link RetryableError}.
 */
export async function postLabResult(
  deps: { patientsUrl: string; tokens: TokenProvider; fetch: Fetch },
  result: NewLabResult,
): Promise<PostOutcome> {
  const url = new URL(
    `/api/patients/internal/${encodeURIComponent(result.patientId)}/lab-results`,
    deps.patientsUrl,
  ).toString();
  for (let attempt = 1; ; attempt++) {
    const token = await deps.tokens.token();
    let res: Response;
    try {
      res = await deps.fetch(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify(result),
      });
    } catch (error) {
      throw new RetryableError(
        `patients unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await res.text().catch(() => "");
    if (res.status === 401 && attempt === 1) {
      deps.tokens.invalidate(token);
      continue;
    }
    if (res.ok) {
      const id = (safeJson(text) as { id?: unknown } | null)?.id;
      return { kind: "recorded", status: res.status, labResultId: typeof id === "string" ? id : null };
    }
    const detail = problemDetail(text) ?? `HTTP ${res.status}`;
    if (res.status >= 500 || RETRY_STATUSES.has(res.status)) {
      throw new RetryableError(`patients answered ${res.status}: ${detail}`);
    }
    return { kind: "rejected", status: res.status, detail };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `detail` (+ field errors) of a problem+json body, trimmed for logs and object metadata. */
function problemDetail(text: string): string | null {
  const body = safeJson(text) as { title?: unknown; detail?: unknown; errors?: unknown } | null;
  if (!body || typeof body !== "object") return null;
  const parts = [body.detail ?? body.title].filter((p): p is string => typeof p === "string");
  if (body.errors && typeof body.errors === "object") parts.push(JSON.stringify(body.errors));
  return parts.length ? parts.join(" ").slice(0, 500) : null;
}
