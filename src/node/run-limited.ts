// Runs a task over many items with at most `limit` running at once.

export interface RunLimitedOptions {
  /** Called after each item: items done so far, and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops taking new items once aborted (the running ones finish). */
  signal?: AbortSignal;
}

export async function runLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>, { onProgress, signal }: RunLimitedOptions = {}): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      await task(items[next++]!);
      onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
