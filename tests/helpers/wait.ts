// Polling helper for tests that wait on a real folder or server.

/** Calls `check` until it returns a truthy value or `timeoutMs` passes; returns the value and the time taken. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = {},
): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return { value, ms: performance.now() - started };
    } catch (error) {
      last = error;
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
