/**
 * Whether `value` can be stored as PostgreSQL text: no NUL character (PostgreSQL refuses 0x00)
 * and no lone UTF-16 surrogate (it has no UTF-8 encoding).
 */
export function isStorableText(value: string): boolean {
  // With the u flag a surrogate pair is one code point; only a lone surrogate is category Cs.
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

const LONE_SURROGATE = /\p{Cs}/u;

/** The earliest instant the service accepts (1900-01-01T00:00:00Z), epoch ms. */
export const MIN_INSTANT_MS = Date.UTC(1900, 0, 1);
/** The first instant past the window the service accepts (2200-01-01T00:00:00Z), epoch ms. */
export const MAX_INSTANT_MS = Date.UTC(2200, 0, 1);

/** Whether epoch ms `ms` lies in the accepted window, years 1900–2199. */
export function isSaneInstantMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= MIN_INSTANT_MS && ms < MAX_INSTANT_MS;
}
