// When to try an HTTP request again, for both of our clients (the WebSub notifier and
// `wirefeed publish`): exponential backoff with equal jitter, and the server's Retry-After.

/** The longest wait a Retry-After is honoured for; a server asking for more hears from us sooner. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait before retry number `retry` (0 for the first): `baseMs` doubled per retry, capped at
 * `maxMs`, with "equal jitter": at least half the step, the rest random, so retries from many
 * processes spread out but still back off. `random` stands in for Math.random in tests.
 */
export function backoffDelay(baseMs: number, retry: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** retry);
  return step / 2 + random() * (step / 2);
}

/**
 * The wait a Retry-After header asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date,
 * counted from `now`), at least 0 and at most MAX_RETRY_AFTER_MS. Undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
