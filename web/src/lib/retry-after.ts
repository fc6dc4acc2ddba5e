/**
 * The Retry-After header (RFC 9110 §10.2.3) turned into a wait, and the backoff used when a
 * server asks for a retry without saying how long.
 */

/** Milliseconds to wait for a Retry-After value (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** Exponential backoff with a cap, for 429s that carry no usable Retry-After. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** The wait before retry number `attempt`: the server's wish, bounded so a typo cannot hang us. */
export function retryDelayMs(header: string | null, attempt: number, nowMs: number, capMs = 120_000): number {
  const asked = parseRetryAfter(header, nowMs);
  return Math.min(capMs, asked ?? backoffMs(attempt));
}
