// The settle rule, in one place: a file is read once it has not been modified for `settleMs`,
// so a half-written file is never published. Watch events, the initial scan and reconcile
// passes all ask this one question of a file's modification time.

/**
 * A file written this instant can look up to a millisecond younger than "now": Date.now() drops
 * the fraction that mtimeMs keeps. Within this slack a time ahead of the clock is recent.
 */
const CLOCK_SLACK_MS = 1000;

/**
 * How long to wait before reading a file last modified at `mtimeMs`: 0 when it has been still
 * for the settle window. A modification time well in the future (clock skew, copied files) is
 * not "recent": waiting for it could take forever.
 */
export function settleDelay(mtimeMs: number, settleMs: number, now = Date.now()): number {
  const age = now - mtimeMs;
  return age > -CLOCK_SLACK_MS && age < settleMs ? Math.ceil(settleMs - age) : 0;
}

/**
 * Resolves once the file at `file` has been still for the settle window, or is gone (then it is
 * for the caller to find out). For callers that read a file themselves (`publish --watch`).
 */
export async function whenSettled(file: string, settleMs: number, statFile: (file: string) => Promise<{ mtimeMs: number } | undefined>): Promise<void> {
  for (;;) {
    const info = await statFile(file);
    const wait = info === undefined ? 0 : settleDelay(info.mtimeMs, settleMs);
    if (wait === 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait + 5).unref());
  }
}
