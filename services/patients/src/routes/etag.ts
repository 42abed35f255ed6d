import { badRequest, preconditionRequired } from "@carebridge/http";

/** The ETag of a record version: `"<version>"`. */
export const etagOf = (version: number) => `"${version}"`;

/**
 * The version an `If-Match` header names: `3`, `"3"` or `W/"3"`. Missing → 428; anything else
 * (a list, `*`, not a number) → 400.
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === "") {
    throw preconditionRequired("PATCH needs If-Match with the version you read (the ETag of GET).", {
      code: "if-match-required",
    });
  }
  const match = /^\s*(?:W\/)?"?([1-9][0-9]{0,9})"?\s*$/.exec(header);
  if (!match?.[1]) {
    throw badRequest('If-Match must be one record version, e.g. "3".', {
      code: "validation-failed",
      errors: { "If-Match": "must be a version number" },
    });
  }
  return Number(match[1]);
}
